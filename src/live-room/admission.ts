/**
 * How a room admits people. By default everyone waiting enters when the session
 * starts. With "instructors admit each person" on (a room setting, kept in the
 * database), a participant waits until an instructor admits them; admissions last
 * until the session ends. Admissions are kept in this process, like the room's
 * timers: several instances would keep them in the shared room state instead.
 */
import type { Db } from '../lib/db/database.ts';
import type { RoomRole } from '../rooms/room-permissions.ts';

export interface AdmissionStore {
  instructorsAdmit(roomId: string): Promise<boolean>;
  setInstructorsAdmit(roomId: string, on: boolean, by: string, now: number): Promise<void>;
}

export function createAdmissionStore(db: Db): AdmissionStore {
  return {
    async instructorsAdmit(roomId) {
      const row = await db.selectFrom('room_admission').select('instructors_admit').where('room_id', '=', roomId).executeTakeFirst();
      return row?.instructors_admit === 1;
    },
    async setInstructorsAdmit(roomId, on, by, now) {
      const values = { instructors_admit: on ? 1 : 0, updated_by: by, updated_at: now };
      await db
        .insertInto('room_admission')
        .values({ room_id: roomId, ...values })
        .onConflict((oc) => oc.column('room_id').doUpdateSet(values))
        .execute();
    },
  };
}

export class Admission {
  readonly #store: AdmissionStore;
  readonly #admitted = new Map<string, Set<string>>();

  constructor(store: AdmissionStore) {
    this.#store = store;
  }

  instructorsAdmit(roomId: string): Promise<boolean> {
    return this.#store.instructorsAdmit(roomId);
  }

  setInstructorsAdmit(roomId: string, on: boolean, by: string, now: number): Promise<void> {
    return this.#store.setInstructorsAdmit(roomId, on, by, now);
  }

  /** Whether this person waits for an instructor: never an instructor, never while the room lets everyone in. */
  async mustWait(roomId: string, person: { userId: string; role: RoomRole }): Promise<boolean> {
    if (person.role === 'instructor' || this.#admitted.get(roomId)?.has(person.userId)) return false;
    return this.instructorsAdmit(roomId);
  }

  admit(roomId: string, userId: string): void {
    let admitted = this.#admitted.get(roomId);
    if (!admitted) this.#admitted.set(roomId, (admitted = new Set()));
    admitted.add(userId);
  }

  /** The session ended: the next one admits afresh. */
  forget(roomId: string): void {
    this.#admitted.delete(roomId);
  }
}
