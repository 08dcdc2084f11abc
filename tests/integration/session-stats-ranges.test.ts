/**
 * Session Stats over time: a session longer than a day (driven through the
 * room socket, ended by itself after its instructor left), a session still
 * live, quick ranges, the term, paging, the course filter, and a day 25 hours
 * long (New York's change back to winter time).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { LEVEL } from '../support/kaltura-seed.ts';
import { eventually, type ManualScheduler } from '../support/manual-scheduler.ts';
import { startStatsServer, statsChannel } from '../support/stats-scene.ts';
import { TEST_DATABASES } from '../support/test-databases.ts';
import type { TestAgent } from '../support/test-agent.ts';
import { signIn, type TestServer } from '../support/test-server.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Noon UTC on 10 January next year: a date in the future (cookies the agent keeps must not have expired). */
const YEAR = new Date().getUTCFullYear() + 1;
const S = Date.UTC(YEAR, 0, 10, 12);

for (const database of TEST_DATABASES) describe(`Session Stats over time on ${database}`, () => {
  let server: TestServer;
  let scheduler: ManualScheduler;
  let viewer: TestAgent;
  let admin: TestAgent;
  let roomId: string;
  let otherRoomId: string;
  let longId: string;
  let liveId: string;

  before(async function () {
    this.timeout(60_000);
    ({ server, scheduler } = await startStatsServer(S, {}, database));
    const scene = await statsChannel(server);
    const pia = await scene.person('Pia Participant', LEVEL.member);
    // Everything that asks Kaltura with the test's own admin session, before the clock moves past it.
    const other = await statsChannel(server, 'Chemistry');
    await (await other.person('Cleo Chemist')).enrol();
    otherRoomId = await other.roomId();
    const adminUser = await server.kaltura.createUser({ role: 'adminRole', name: 'Ada Admin' });
    await scene.start();
    const ines = await scene.instructor();
    const piaRoom = await pia.enter();
    await Promise.all([ines.next('welcome'), piaRoom.next('welcome')]);
    await scheduler.advance(22 * HOUR);
    await piaRoom.close();
    await ines.next('presence.left');
    await scheduler.advance(HOUR);
    await ines.close();
    // The room has seen its instructor go (on its own queue, slower on PostgreSQL) before the clock moves on.
    const room = await scene.roomId();
    await eventually(() => expect(server.liveRooms.minutesLeftWithoutInstructor(room)).not.to.equal(null), 2000);
    // No instructor left: the session ends by itself after the instructor grace period (24 h here).
    await scheduler.advance(24 * HOUR);
    // Ended on the room's queue at the timer's time: waited for before the clock moves again (PostgreSQL is slower).
    await eventually(async () => expect((await server.db.selectFrom('live_sessions').select('ended_at').executeTakeFirstOrThrow()).ended_at).not.to.equal(null), 2000);
    longId = (await server.db.selectFrom('live_sessions').select(['id', 'ended_at', 'end_reason']).executeTakeFirstOrThrow()).id;

    // A second session, still live: started 48 h after the first, 90 minutes ago.
    await scheduler.advance(HOUR);
    await scene.start();
    const again = await pia.enter();
    await again.next('welcome');
    await scheduler.advance(90 * MIN);
    liveId = (await server.db.selectFrom('live_sessions').select('id').where('ended_at', 'is', null).executeTakeFirstOrThrow()).id;
    roomId = await scene.roomId();

    viewer = await scene.viewer();
    admin = await signIn(server, adminUser.id, { ksExpiry: 7 * 86_400 });
    await admin.get('/backend/courses');
  });
  after(() => server.stop());

  async function overview(agent: TestAgent, query: string) {
    const response = await agent.get(`/backend/stats?${query}`, { accept: 'application/json' });
    expect(response.status, response.text).to.equal(200);
    return response.json();
  }

  async function seed(room: string, startedAt: number, minutes = 60) {
    const id = randomUUID();
    await server.db.insertInto('live_sessions').values({ id, room_id: room, started_by: 'system', started_at: startedAt, ended_at: startedAt + minutes * MIN, ended_by: 'system', end_reason: 'ended-by-instructor' }).execute();
    return id;
  }

  it('gives a session longer than a day its whole duration, never wrapped at 24 hours', async () => {
    const long = (await overview(viewer, `tz=UTC&from=${YEAR}-01-10&to=${YEAR}-01-10`)).sessions[0];
    expect(long).to.include({ id: longId, durationMs: 47 * HOUR, live: false });
    const detail = (await viewer.get(`/backend/stats/sessions/${longId}`, { accept: 'application/json' })).json();
    expect(detail.people.map((person: { name: string; totalMs: number }) => [person.name, person.totalMs])).to.deep.equal([['Ines Instructor', 23 * HOUR], ['Pia Participant', 22 * HOUR]]);
    const file = (await viewer.getBytes(`/backend/stats/sessions.csv?tz=UTC&from=${YEAR}-01-10&to=${YEAR}-01-10`)).bytes.toString('utf8');
    expect(file).to.contain(`${YEAR}-01-10T12:00:00+00:00,${YEAR}-01-10T12:00:00Z,${YEAR}-01-12T11:00:00+00:00,${YEAR}-01-12T11:00:00Z,169200,47:00:00,No,No`);
    expect((await viewer.get(`/backend/stats/sessions/${longId}`)).text).to.contain('lasted 47:00:00');
  });

  it('shows a session still running as live, with its duration so far, in Today\'s range', async () => {
    const today = await overview(viewer, 'tz=UTC&range=today');
    expect(today.range).to.include({ quick: 'today', fromDate: `${YEAR}-01-12`, toDate: `${YEAR}-01-12` });
    expect(today.sessions.map((session: { id: string }) => session.id)).to.deep.equal([liveId]);
    expect(today.sessions[0]).to.include({ live: true, endedAt: null, durationMs: 90 * MIN });
    const page = (await viewer.get('/backend/stats?tz=UTC&range=today')).text;
    expect(page).to.contain('data-live').and.match(/data-col="duration">1:30:00 <span class="muted small">so far/);
    const detail = (await viewer.get(`/backend/stats/sessions/${liveId}`)).text;
    expect(detail).to.contain('1:30:00 so far').and.contain('still inside');
    const file = (await viewer.getBytes('/backend/stats/sessions.csv?tz=UTC&range=today')).bytes.toString('utf8');
    expect(file).to.contain(`,,5400,1:30:00,Yes,No`);
  });

  it('offers the last 7 and 30 days with today, newest first', async () => {
    const week = await overview(viewer, 'tz=UTC&range=7d');
    expect(week.range).to.include({ fromDate: `${YEAR}-01-06`, toDate: `${YEAR}-01-12` });
    expect(week.sessions.map((session: { id: string }) => session.id)).to.deep.equal([liveId, longId]);
    expect(week.totals).to.include({ sessions: 2, taughtMs: 47 * HOUR + 90 * MIN, students: 1 });
    const month = await overview(viewer, 'tz=UTC&range=30d');
    expect(month.range).to.include({ fromDate: `${YEAR - 1}-12-14`, toDate: `${YEAR}-01-12` });
  });

  it('pages a range 25 sessions at a time', async () => {
    for (let day = 0; day < 30; day++) await seed(roomId, Date.UTC(YEAR - 1, 10, 1 + day, 9));
    const first = await overview(viewer, `tz=UTC&from=${YEAR - 1}-11-01&to=${YEAR - 1}-11-30`);
    expect(first).to.include({ page: 1, pages: 2 });
    expect(first.totals.sessions).to.equal(30);
    expect(first.sessions).to.have.length(25);
    expect(first.sessions[0].startedAt).to.equal(Date.UTC(YEAR - 1, 10, 30, 9));
    const second = await overview(viewer, `tz=UTC&from=${YEAR - 1}-11-01&to=${YEAR - 1}-11-30&page=2`);
    expect(second.sessions.map((session: { startedAt: number }) => session.startedAt)).to.deep.equal([5, 4, 3, 2, 1].map((day) => Date.UTC(YEAR - 1, 10, day, 9)));
    const page = (await viewer.get(`/backend/stats?tz=UTC&from=${YEAR - 1}-11-01&to=${YEAR - 1}-11-30`)).text;
    expect(page).to.contain('rel="next"').and.contain('Page 1 of 2');
    expect((await viewer.get(`/backend/stats?tz=UTC&from=${YEAR - 1}-11-01&to=${YEAR - 1}-11-30&page=3`)).text).to.contain('There are no sessions on this page.');
  });

  it('counts New York\'s 25-hour day of the change back to winter time, and nothing after it', async () => {
    // The first Sunday of November: 00:00 EDT is 04:00 UTC, the next midnight (EST) 05:00 UTC.
    const sunday = 1 + ((7 - new Date(Date.UTC(YEAR - 1, 10, 1)).getUTCDay()) % 7);
    const dayStart = Date.UTC(YEAR - 1, 10, sunday, 4);
    const room = otherRoomId;
    await seed(room, dayStart + 30 * MIN);
    await seed(room, dayStart + 24.5 * HOUR);
    await seed(room, dayStart + 25 * HOUR + 10 * MIN);
    const date = `${YEAR - 1}-11-${String(sunday).padStart(2, '0')}`;
    const day = await overview(admin, `tz=America/New_York&from=${date}&to=${date}&course=${room}`);
    expect(day.sessions.map((session: { startedAt: number }) => session.startedAt)).to.deep.equal([dayStart + 24.5 * HOUR, dayStart + 30 * MIN]);
    const page = (await admin.get(`/backend/stats?tz=America/New_York&from=${date}&to=${date}&course=${room}`)).text;
    expect(page).to.contain(`${date}T00:30:00-04:00`).and.contain(`${date}T23:30:00-05:00`);
  });

  it('asks for a shorter range when a course report would hold more than 200 sessions', async () => {
    for (let slot = 0; slot < 201; slot++) await seed(otherRoomId, Date.UTC(YEAR - 1, 5, 1) + slot * 2 * HOUR, 30);
    const response = await admin.get(`/backend/stats/courses/${otherRoomId}?tz=UTC&from=${YEAR - 1}-06-01&to=${YEAR - 1}-06-30`);
    expect(response.status).to.equal(400);
    expect(response.text).to.contain('This range holds 201 sessions; a report shows at most 200. Choose a shorter range.');
    const shorter = await admin.get(`/backend/stats/courses/${otherRoomId}?tz=UTC&from=${YEAR - 1}-06-01&to=${YEAR - 1}-06-02`, { accept: 'application/json' });
    expect(shorter.status).to.equal(200);
    expect(shorter.json().sessions).to.have.length(24);
  });

  it('filters by course, and finds no course of another instructor', async () => {
    const mine = await overview(viewer, `tz=UTC&from=${YEAR}-01-01&to=${YEAR}-01-31&course=${roomId}`);
    expect(mine.totals.sessions).to.equal(2);
    expect(mine.courses.map((course: { id: string }) => course.id)).to.deep.equal([roomId]);
    expect((await viewer.get(`/backend/stats?course=${otherRoomId}`)).status).to.equal(404);
    expect((await viewer.get(`/backend/stats/courses/${otherRoomId}`)).status).to.equal(404);
    const all = await overview(admin, `tz=UTC&from=${YEAR - 1}-01-01&to=${YEAR}-01-31`);
    expect(all.courses.map((course: { id: string }) => course.id)).to.have.members([roomId, otherRoomId]);
  });

  it('lets an administrator set the term, which This term then shows; refuses a term that ends before it starts', async () => {
    expect((await viewer.get('/backend/stats?range=term')).status).to.equal(400);
    await admin.get('/backend/stats/settings');
    const { version } = (await admin.get('/backend/stats/settings', { accept: 'application/json' })).json();
    const form = { version: String(version), lateAfterMinutes: '10', leftEarlyMinutes: '10', presentPercent: '50', termStart: `${YEAR}-01-05`, termEnd: `${YEAR}-01-02`, retentionDays: '' };
    const reversed = await admin.post('/backend/stats/settings', form);
    expect(reversed.status).to.equal(400);
    expect(reversed.text).to.contain('the last one on or after the first');
    const badNumber = await admin.post('/backend/stats/settings', { ...form, termEnd: `${YEAR}-01-20`, presentPercent: '150' });
    expect(badNumber.status).to.equal(400);
    expect(badNumber.text).to.contain('A whole number from 0 to 100.');
    expect((await admin.post('/backend/stats/settings', { ...form, termEnd: `${YEAR}-01-20` })).status).to.equal(303);
    const stale = await admin.post('/backend/stats/settings', { ...form, termEnd: `${YEAR}-01-20` });
    expect(stale.status).to.equal(409);
    const term = await overview(viewer, 'tz=UTC&range=term');
    expect(term.range).to.include({ quick: 'term', fromDate: `${YEAR}-01-05`, toDate: `${YEAR}-01-20` });
    expect(term.totals.sessions).to.equal(2);
  });
});
