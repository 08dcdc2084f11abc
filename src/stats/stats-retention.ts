/**
 * Retention of session statistics: when an administrator sets how long they
 * are kept, a job on the service's scheduler deletes what is older, every
 * hour: the attendance (and each person's figures kept from it), waiting-room visits, chat and Excused marks of sessions
 * that ended longer ago than that, and the sessions themselves unless a
 * recording still refers to one. Deleted in batches, so a first purge of years
 * of data never holds one long transaction. Without a setting, nothing goes.
 */
import { sql } from 'kysely';
import type { Db } from '../lib/db/database.ts';
import type { Scheduler, ScheduledTask } from '../lib/clock/scheduler.ts';
import type { Logger } from '../lib/logger/logger.ts';
import type { StatsSettingsStore } from './stats-settings.ts';

export const PURGE_EVERY_MS = 3600_000;
const BATCH = 500;
const DAY_MS = 86_400_000;

export interface RetentionDeps {
  db: Db;
  settings: StatsSettingsStore;
  scheduler: Scheduler;
  logger: Logger;
}

export class StatsRetention {
  readonly #deps: RetentionDeps;
  #next: ScheduledTask | null = null;
  #stopped = false;

  constructor(deps: RetentionDeps) {
    this.#deps = deps;
  }

  /** Purges now and then every hour, until stopped. */
  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  stop(): void {
    this.#stopped = true;
    this.#next?.cancel();
    this.#next = null;
  }

  /** Deletes what the setting no longer keeps; answers how many sessions' statistics went. */
  async purge(): Promise<number> {
    const { settings } = await this.#deps.settings.current();
    if (settings.retentionDays === null) return 0;
    const cutoff = this.#deps.scheduler.now() - settings.retentionDays * DAY_MS;
    let purged = 0;
    for (;;) {
      const ids = await this.#endedBefore(cutoff);
      if (ids.length === 0) break;
      await this.#deleteSessions(ids);
      purged += ids.length;
    }
    await this.#deps.db.deleteFrom('waiting_room_visits').where('live_session_id', 'is', null).where('arrived_at', '<', cutoff).execute();
    return purged;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#next = this.#deps.scheduler.schedule(delayMs, () => {
      this.purge()
        .then((count) => count > 0 && this.#deps.logger.info({ sessions: count }, 'purged session statistics past their retention'))
        .catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'purging session statistics failed'))
        .finally(() => this.#schedule(PURGE_EVERY_MS));
    });
  }

  /** Sessions past the cutoff that still hold statistics (attendance, chat, visits or marks), or that are themselves to go. */
  async #endedBefore(cutoff: number): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`
      select ls.id from live_sessions ls
      where ls.ended_at is not null and ls.ended_at < ${cutoff}
        and (not exists (select 1 from recordings r where r.live_session_id = ls.id)
          or exists (select 1 from attendance a where a.live_session_id = ls.id)
          or exists (select 1 from chat_messages m where m.live_session_id = ls.id)
          or exists (select 1 from live_session_people p where p.live_session_id = ls.id))
      limit ${BATCH}`.execute(this.#deps.db);
    return rows.map((row) => row.id);
  }

  async #deleteSessions(ids: string[]): Promise<void> {
    await this.#deps.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('attendance').where('live_session_id', 'in', ids).execute();
      await trx.deleteFrom('chat_messages').where('live_session_id', 'in', ids).execute();
      await trx.deleteFrom('waiting_room_visits').where('live_session_id', 'in', ids).execute();
      await trx.deleteFrom('attendance_excusals').where('live_session_id', 'in', ids).execute();
      await trx.deleteFrom('live_session_people').where('live_session_id', 'in', ids).execute();
      // A session with a recording stays (the recording is the course's), emptied of its statistics.
      await trx
        .deleteFrom('live_sessions')
        .where('id', 'in', ids)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('recordings').select('recordings.id').whereRef('recordings.live_session_id', '=', 'live_sessions.id'))))
        .execute();
    });
  }
}
