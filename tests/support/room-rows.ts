/**
 * A rooms row straight into the database, for tests that need a room and not the service's way of making
 * one: what the test names, and otherwise a plain room outside the plans, created now.
 */
import type { Db } from '../../src/lib/db/database.ts';
import type { NewRoomRow } from '../../src/lib/db/schema.ts';

export async function insertRoomRow(db: Db, room: Pick<NewRoomRow, 'id' | 'kind' | 'name'> & Partial<NewRoomRow>): Promise<void> {
  const now = room.created_at ?? Date.now();
  await db
    .insertInto('rooms')
    .values({ channel_id: null, owner_user_id: null, capacity: null, created_at: now, updated_at: now, summary: null, description: null, plan_id: null, plan_limits: null, image_id: null, updated_by: null, ...room })
    .execute();
}
