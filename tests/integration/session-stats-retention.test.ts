/**
 * Retention: an administrator sets how long session statistics are kept; the
 * hourly job on the service's clock deletes older sessions' attendance,
 * waiting-room visits, chat and Excused marks, and says what it keeps on the page.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { backendPerson, createCourse, setLicences, type BackendPerson } from '../support/courses.ts';
import { eventually, ManualScheduler } from '../support/manual-scheduler.ts';
import type { TestServer } from '../support/test-server.ts';
import { startTestServerOn, TEST_DATABASES } from '../support/test-databases.ts';
import { PURGE_EVERY_MS } from '../../src/stats/stats-retention.ts';

const DAY = 86_400_000;

for (const database of TEST_DATABASES) describe(`Session Stats retention on ${database}`, () => {
  let server: TestServer;
  let scheduler: ManualScheduler;
  let admin: BackendPerson;
  let courseId: string;

  beforeEach(async () => {
    scheduler = new ManualScheduler(Date.now());
    server = await startTestServerOn(database, { scheduler });
    admin = await backendPerson(server, 'administrator');
    await setLicences(admin.agent, { smart_15: 1 });
    courseId = await createCourse(admin.agent, { name: 'Kept course', plan: 'smart_15' });
  });
  afterEach(() => server.stop());

  /** A session that ended `daysAgo` days ago, with an interval (and its kept figures), a chat line, a waiting-room visit and an Excused mark. */
  async function sessionEnded(daysAgo: number, { recorded = false } = {}): Promise<string> {
    const id = randomUUID();
    const endedAt = scheduler.now() - daysAgo * DAY;
    const db = server.db;
    await db.insertInto('live_sessions').values({ id, room_id: courseId, started_by: admin.id, started_at: endedAt - 3600_000, ended_at: endedAt, ended_by: admin.id, end_reason: 'ended-by-instructor' }).execute();
    await db.insertInto('attendance').values({ id: randomUUID(), live_session_id: id, room_id: courseId, user_id: admin.id, user_name: 'Ada', user_email: null, role: 'instructor', joined_at: endedAt - 3600_000, left_at: endedAt, last_seen_at: endedAt }).execute();
    await db.insertInto('chat_messages').values({ id: randomUUID(), live_session_id: id, room_id: courseId, user_id: admin.id, user_name: 'Ada', role: 'instructor', text: 'hello', sent_at: endedAt - 60_000, deleted_at: null, deleted_by: null }).execute();
    await db.insertInto('waiting_room_visits').values({ id: randomUUID(), room_id: courseId, user_id: 'x', user_name: 'X', user_email: null, arrived_at: endedAt - 3700_000, live_session_id: id, admitted_at: endedAt - 3600_000, left_at: null }).execute();
    await db.insertInto('attendance_excusals').values({ id: randomUUID(), live_session_id: id, sequence: 1, user_id: 'x', excused: 1, reason: 'ill', changed_by: admin.id, changed_by_name: 'Ada', changed_at: endedAt }).execute();
    await db.insertInto('live_session_people').values({ live_session_id: id, user_id: admin.id, room_id: courseId, user_name: 'Ada', user_email: null, role: 'instructor', enrolled: 0, first_entry: endedAt - 3600_000, last_exit: endedAt, total_ms: 3600_000, intervals: 1, waiting_ms: 0 }).execute();
    await db.insertInto('live_session_summaries').values({ live_session_id: id, students: 0, enrolled: 0, enrolled_attended: 0, computed_at: endedAt }).execute();
    if (recorded) await db.insertInto('recordings').values({ id: randomUUID(), live_session_id: id, room_id: courseId, title: 'Recording', started_at: endedAt - 3600_000, ended_at: endedAt, storage_key: null, kaltura_entry_id: null, created_at: endedAt }).execute();
    return id;
  }

  async function rowsOf(sessionId: string) {
    const count = async (table: 'attendance' | 'chat_messages' | 'waiting_room_visits' | 'attendance_excusals' | 'live_session_people') =>
      (await server.db.selectFrom(table).select('live_session_id').where('live_session_id', '=', sessionId).execute()).length;
    return {
      session: (await server.db.selectFrom('live_sessions').select('id').where('id', '=', sessionId).execute()).length,
      attendance: await count('attendance'),
      chat: await count('chat_messages'),
      waiting: await count('waiting_room_visits'),
      excusals: await count('attendance_excusals'),
      people: await count('live_session_people'),
    };
  }

  async function keepFor(days: string) {
    await admin.agent.get('/backend/stats/settings');
    const { version } = (await admin.agent.get('/backend/stats/settings', { accept: 'application/json' })).json();
    const response = await admin.agent.post('/backend/stats/settings', { version: String(version), lateAfterMinutes: '10', leftEarlyMinutes: '10', presentPercent: '50', termStart: '', termEnd: '', retentionDays: days });
    expect(response.status, response.text.slice(0, 300)).to.equal(303);
  }

  it('keeps everything forever by default, and says so', async () => {
    const old = await sessionEnded(3650);
    expect((await admin.agent.get('/backend/stats')).text).to.contain('Session statistics are kept until an administrator sets a retention period.');
    await scheduler.advance(2 * PURGE_EVERY_MS);
    expect(await rowsOf(old)).to.deep.equal({ session: 1, attendance: 1, chat: 1, waiting: 1, excusals: 1, people: 1 });
  });

  it('deletes, within the hour, the statistics of sessions older than the setting, and keeps newer ones', async () => {
    const old = await sessionEnded(31);
    const recent = await sessionEnded(29);
    const recorded = await sessionEnded(40, { recorded: true });
    await keepFor('30');
    expect((await admin.agent.get('/backend/stats')).text).to.contain('Session statistics are kept for 30 days after a session, then deleted.');
    await scheduler.advance(PURGE_EVERY_MS);
    // The purge runs on its own after the clock's tick: waited for, as PostgreSQL takes longer than SQLite.
    await eventually(async () => expect(await rowsOf(old)).to.deep.equal({ session: 0, attendance: 0, chat: 0, waiting: 0, excusals: 0, people: 0 }), 2000);
    expect(await rowsOf(recent)).to.deep.equal({ session: 1, attendance: 1, chat: 1, waiting: 1, excusals: 1, people: 1 });
    expect(await rowsOf(recorded), 'a session with a recording stays, without its statistics').to.deep.equal({ session: 1, attendance: 0, chat: 0, waiting: 0, excusals: 0, people: 0 });

    // Two days later the recent one is past the setting too.
    await scheduler.advance(2 * DAY);
    await eventually(async () => expect((await rowsOf(recent)).session).to.equal(0), 2000);
  });

  it('refuses a retention that is not a whole number of days, changing nothing', async () => {
    await admin.agent.get('/backend/stats/settings');
    const response = await admin.agent.post('/backend/stats/settings', { version: '0', lateAfterMinutes: '10', leftEarlyMinutes: '10', presentPercent: '50', termStart: '', termEnd: '', retentionDays: '0.5' });
    expect(response.status).to.equal(400);
    expect(response.text).to.contain('A whole number from 1 to 36500.');
    expect((await admin.agent.get('/backend/stats/settings', { accept: 'application/json' })).json().settings.retentionDays).to.equal(null);
  });
});
