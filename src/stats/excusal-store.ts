import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { isUniqueViolation, type Db } from '../lib/db/database.ts';

/** One change of a person's Excused mark: kept, never overwritten, so the page shows who changed what and when. */
export interface ExcusalChange {
  liveSessionId: string;
  userId: string;
  excused: boolean;
  reason: string;
  changedBy: string;
  changedByName: string;
  changedAt: number;
}

export interface ExcusalStore {
  add(change: ExcusalChange): Promise<void>;
  /** Every change in the sessions, oldest first: the last one per person is their mark. */
  list(sessionIds: readonly string[]): Promise<ExcusalChange[]>;
}

export function createExcusalStore(db: Db): ExcusalStore {
  return {
    async add(change) {
      const insert = () =>
        db
          .insertInto('attendance_excusals')
          .values({
            id: randomUUID(),
            live_session_id: change.liveSessionId,
            sequence: sql<number>`(select coalesce(max(sequence), 0) + 1 from attendance_excusals where live_session_id = ${change.liveSessionId})`,
            user_id: change.userId,
            excused: change.excused ? 1 : 0,
            reason: change.reason,
            changed_by: change.changedBy,
            changed_by_name: change.changedByName,
            changed_at: change.changedAt,
          })
          .execute();
      // Two changes racing for the same place: the one refused by the unique index takes the next.
      await insert().catch((error: unknown) => (isUniqueViolation(error) ? insert() : Promise.reject(error)));
    },

    async list(sessionIds) {
      if (sessionIds.length === 0) return [];
      const rows = await db.selectFrom('attendance_excusals').selectAll().where('live_session_id', 'in', [...sessionIds]).orderBy('live_session_id').orderBy('sequence').execute();
      return rows.map((row) => ({
        liveSessionId: row.live_session_id,
        userId: row.user_id,
        excused: Number(row.excused) === 1,
        reason: row.reason,
        changedBy: row.changed_by,
        changedByName: row.changed_by_name,
        changedAt: Number(row.changed_at),
      }));
    },
  };
}

/** The mark in force per person of one session: the latest change, if it excuses. */
export function excusedNow(changes: readonly ExcusalChange[], sessionId: string): Map<string, ExcusalChange> {
  const latest = new Map<string, ExcusalChange>();
  for (const change of changes) if (change.liveSessionId === sessionId) latest.set(change.userId, change);
  for (const [userId, change] of latest) if (!change.excused) latest.delete(userId);
  return latest;
}
