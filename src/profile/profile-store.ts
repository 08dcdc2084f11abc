/**
 * The profile's columns of a person's row in `users`: display name, language
 * and picture. Every write names the version it was made on and changes
 * nothing when the row has moved on since (optimistic concurrency).
 */
import type { Db } from '../lib/db/database.ts';

export interface ProfileDetails {
  /** null: the name from MediaSpace or the invitation. */
  displayName: string | null;
  language: string;
}

export interface ProfileStore {
  /** The language the person chose in their profile; null if they chose none or are unknown. */
  languageOf(userId: string): Promise<string | null>;
  /** False, changing nothing, when the row is no longer at `expectedVersion`. */
  updateDetails(userId: string, details: ProfileDetails, expectedVersion: number): Promise<boolean>;
  setPicture(userId: string, pictureImageId: string | null, expectedVersion: number): Promise<boolean>;
}

export function createProfileStore(db: Db): ProfileStore {
  async function update(userId: string, values: { display_name?: string | null; language?: string; picture_image_id?: string | null }, expectedVersion: number): Promise<boolean> {
    const result = await db
      .updateTable('users')
      .set({ ...values, version: expectedVersion + 1 })
      .where('id', '=', userId)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  return {
    async languageOf(userId) {
      const row = await db.selectFrom('users').select('language').where('id', '=', userId).executeTakeFirst();
      return row?.language ?? null;
    },
    updateDetails: (userId, { displayName, language }, expectedVersion) => update(userId, { display_name: displayName, language }, expectedVersion),
    setPicture: (userId, pictureImageId, expectedVersion) => update(userId, { picture_image_id: pictureImageId }, expectedVersion),
  };
}
