/**
 * Session Stats keeps each ended session's figures when it ends, with the
 * course's enrolment as it was then. Two sessions a day apart: in the first,
 * Ann comes and Bob (enrolled) does not; between them Bob leaves the course and
 * Cy joins it; in the second, Ann and Cy come. A third session, imported
 * without figures, is counted the first time a report needs it.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { ManualScheduler } from '../support/manual-scheduler.ts';
import type { RoomClient } from '../support/room-client.ts';
import { startStatsServer, statsChannel } from '../support/stats-scene.ts';
import { TEST_DATABASES } from '../support/test-databases.ts';
import type { TestAgent } from '../support/test-agent.ts';
import { signIn, type TestServer } from '../support/test-server.ts';

const MIN = 60_000;
const DAY = 1440 * MIN;
/** 09:00 UTC on 12 January next year: in the future, as the agents' cookies must not have expired. */
const YEAR = new Date().getUTCFullYear() + 1;
const S = Date.UTC(YEAR, 0, 12, 9);
const FIRST_DAY = `${YEAR}-01-12`;
const SECOND_DAY = `${YEAR}-01-13`;
const THIRD_DAY = `${YEAR}-01-15`;

for (const database of TEST_DATABASES) describe(`Session Stats: figures kept when a session ends, enrolment as at the session, on ${database}`, () => {
  let server: TestServer;
  let scheduler: ManualScheduler;
  let viewer: TestAgent;
  let admin: TestAgent;
  let roomId: string;
  let firstId: string;
  let secondId: string;
  const ids: Record<string, string> = {};
  const open: RoomClient[] = [];
  let keptAtEnd: { people: Array<Record<string, unknown>>; summaries: Array<Record<string, unknown>> };

  async function runSession(attendees: Array<{ enter(): Promise<RoomClient> }>, instructor: () => Promise<RoomClient>, start: () => Promise<unknown>): Promise<string> {
    await start();
    const ines = await instructor();
    open.push(ines);
    await ines.next('welcome');
    for (const attendee of attendees) {
      const client = await attendee.enter();
      open.push(client);
      await client.next('welcome');
    }
    await scheduler.advance(60 * MIN);
    ines.send({ type: 'session.end' });
    await ines.next('session.ended');
    return (await server.db.selectFrom('live_sessions').select('id').orderBy('started_at', 'desc').executeTakeFirstOrThrow()).id;
  }

  before(async function () {
    this.timeout(60_000);
    ({ server, scheduler } = await startStatsServer(S, {}, database));
    const scene = await statsChannel(server);
    const ann = await scene.person('Ann Attends');
    const bob = await scene.person('Bob Absent');
    const cy = await scene.person('Cy Comes Later');
    for (const [key, person] of Object.entries({ ann, bob, cy })) ids[key] = `mediaspace:${person.user.id}`;
    const adminUser = await server.kaltura.createUser({ role: 'adminRole', name: 'Ada Admin' });
    await bob.enrol();

    firstId = await runSession([ann], scene.instructor, scene.start);
    // What the database holds the moment the session has ended, before any page has asked for anything.
    keptAtEnd = {
      people: await server.db.selectFrom('live_session_people').selectAll().where('live_session_id', '=', firstId).execute(),
      summaries: await server.db.selectFrom('live_session_summaries').selectAll().execute(),
    };

    // Between the sessions, Bob leaves the course and Cy joins it.
    await server.db.deleteFrom('course_members').where('user_id', '=', ids.bob!).execute();
    await cy.enrol();
    await scheduler.advance(DAY - 60 * MIN);
    secondId = await runSession([ann, cy], scene.instructor, scene.start);

    roomId = await scene.roomId();
    viewer = await scene.viewer();
    admin = await signIn(server, adminUser.id, { ksExpiry: 7 * 86_400 });
    await admin.get('/backend/courses');
  });
  after(async () => {
    for (const client of open) client.socket.terminate();
    await server.stop();
  });

  const json = async (agent: TestAgent, url: string) => {
    const response = await agent.get(url, { accept: 'application/json' });
    expect(response.status, response.text).to.equal(200);
    return response.json();
  };

  it('keeps each person\'s figures and the session\'s when the session ends, before any page reads them', () => {
    const person = (userId: string) => keptAtEnd.people.find((row) => row.user_id === userId);
    expect(person(ids.ann!)).to.deep.include({ role: 'participant', enrolled: 1, first_entry: S, last_exit: S + 60 * MIN, total_ms: 60 * MIN, intervals: 1, waiting_ms: 0 });
    expect(person(ids.bob!), 'an enrolled student who never came').to.deep.include({ role: 'student', enrolled: 1, first_entry: null, last_exit: null, total_ms: 0, intervals: 0, user_name: 'Bob Absent' });
    expect(person(ids.cy!), 'not enrolled yet').to.equal(undefined);
    expect(keptAtEnd.people.find((row) => row.role === 'instructor')).to.deep.include({ user_name: 'Ines Instructor', enrolled: 0, total_ms: 60 * MIN });
    expect(keptAtEnd.summaries).to.have.length(1);
    expect(keptAtEnd.summaries[0]).to.deep.include({ live_session_id: firstId, students: 1, enrolled: 2, enrolled_attended: 1, computed_at: S + 60 * MIN });
  });

  it('shows a session with its enrolment as it was, and says so: a student who left is still listed, one who joined later is not', async () => {
    const detail = await json(viewer, `/backend/stats/sessions/${firstId}?tz=UTC`);
    const person = (key: string) => detail.people.find((entry: { userId: string }) => entry.userId === ids[key]);
    expect(person('ann')).to.include({ status: 'present', enrolled: true });
    expect(person('bob')).to.include({ status: 'absent', enrolled: true, role: 'student' });
    expect(person('cy')).to.equal(undefined);
    expect((await viewer.get(`/backend/stats/sessions/${firstId}?tz=UTC`)).text).to.contain('Enrolment as at the session');
    expect((await viewer.get(`/backend/stats/sessions/${firstId}?tz=UTC`, { headers: { 'accept-language': 'fr' } })).text).to.contain('Inscriptions à la date de la session');
  });

  it('lets an instructor excuse a student who has left the course since, for a session they were enrolled in', async () => {
    await viewer.get(`/backend/stats/sessions/${firstId}`);
    const saved = await viewer.post(`/backend/stats/sessions/${firstId}/excusals`, { userId: ids.bob!, excused: 'yes', reason: 'Moved to another group' }, { accept: 'application/json' });
    expect(saved.status, saved.text).to.be.oneOf([200, 204, 303]);
    try {
      const bob = (await json(viewer, `/backend/stats/sessions/${firstId}`)).people.find((entry: { userId: string }) => entry.userId === ids.bob);
      expect(bob.status).to.equal('excused');
      const refused = await viewer.post(`/backend/stats/sessions/${firstId}/excusals`, { userId: ids.cy!, excused: 'yes', reason: 'Not there yet' }, { accept: 'application/json' });
      expect(refused.status, 'not enrolled as at that session').to.equal(404);
    } finally {
      await viewer.post(`/backend/stats/sessions/${firstId}/excusals`, { userId: ids.bob!, excused: 'no' }, { accept: 'application/json' });
    }
  });

  it('grids each student against the sessions they were enrolled in; the others are Not enrolled and left out of the rate', async () => {
    const report = await json(viewer, `/backend/stats/courses/${roomId}?tz=UTC&from=${FIRST_DAY}&to=${SECOND_DAY}`);
    expect(report.sessions.map((session: { id: string }) => session.id)).to.deep.equal([firstId, secondId]);
    const row = (key: string) => report.students.find((student: { userId: string }) => student.userId === ids[key]);
    expect(report.students.map((student: { name: string }) => student.name)).to.deep.equal(['Ann Attends', 'Bob Absent', 'Cy Comes Later']);
    expect(row('ann')).to.deep.include({ cells: [{ status: 'present', minutes: 60 }, { status: 'present', minutes: 60 }], attended: 2, rate: 1 });
    expect(row('bob')).to.deep.include({ cells: [{ status: 'absent', minutes: 0 }, { status: 'notEnrolled', minutes: 0 }], attended: 0, rate: 0 });
    expect(row('cy')).to.deep.include({ cells: [{ status: 'notEnrolled', minutes: 0 }, { status: 'present', minutes: 60 }], attended: 1, rate: 1 });

    const page = (await viewer.get(`/backend/stats/courses/${roomId}?tz=UTC&from=${FIRST_DAY}&to=${SECOND_DAY}`)).text;
    expect(page).to.contain('Enrolment as at each session');
    const cy = page.slice(page.indexOf(`data-user-id="${ids.cy}"`));
    expect(cy).to.match(/data-status="notEnrolled"><span class="status status--notEnrolled">Not enrolled<\/span> <span class="muted small">0 min/);
    const french = (await viewer.get(`/backend/stats/courses/${roomId}?tz=UTC&from=${FIRST_DAY}&to=${SECOND_DAY}`, { headers: { 'accept-language': 'fr' } })).text;
    expect(french).to.contain('Non inscrit');
    const file = (await viewer.getBytes(`/backend/stats/courses/${roomId}/report.csv?tz=UTC&from=${FIRST_DAY}&to=${SECOND_DAY}`)).bytes.toString('utf8');
    expect(file.split('\n').find((line) => line.startsWith('Cy Comes Later'))).to.match(/,Not enrolled,0,Present,60,1,100\r?$/);
  });

  it('keeps the overview\'s attendance rate as counted at each session\'s end', async () => {
    const overview = await json(admin, `/backend/stats?tz=UTC&from=${FIRST_DAY}&to=${SECOND_DAY}`);
    // First session: Ann of Ann and Bob; second: Ann and Cy of Ann and Cy.
    expect(overview.totals).to.deep.include({ sessions: 2, attendanceRate: 3 / 4 });
  });

  it('counts a session ended before figures were kept (an import) the first time a report needs it, with the enrolment as it is then', async () => {
    const id = randomUUID();
    const startedAt = S + 3 * DAY;
    await server.db.insertInto('live_sessions').values({ id, room_id: roomId, started_by: 'system', started_at: startedAt, ended_at: startedAt + 60 * MIN, ended_by: 'system', end_reason: 'ended-by-instructor' }).execute();
    await server.db
      .insertInto('attendance')
      .values({ id: randomUUID(), live_session_id: id, room_id: roomId, user_id: ids.ann!, user_name: 'Ann Attends', user_email: null, role: 'participant', joined_at: startedAt + 20 * MIN, left_at: startedAt + 60 * MIN, last_seen_at: startedAt + 60 * MIN })
      .execute();
    expect(await server.db.selectFrom('live_session_people').select('user_id').where('live_session_id', '=', id).execute()).to.deep.equal([]);

    const report = await json(viewer, `/backend/stats/courses/${roomId}?tz=UTC&from=${THIRD_DAY}&to=${THIRD_DAY}`);
    const row = (key: string) => report.students.find((student: { userId: string }) => student.userId === ids[key]);
    expect(row('ann').cells).to.deep.equal([{ status: 'late', minutes: 40 }]);
    expect(row('cy').cells).to.deep.equal([{ status: 'absent', minutes: 0 }]);
    expect(row('bob')).to.equal(undefined);
    const kept = await server.db.selectFrom('live_session_people').select(['user_id', 'enrolled']).where('live_session_id', '=', id).execute();
    expect(kept.map((person) => person.user_id).sort()).to.deep.equal([ids.ann, ids.cy].sort());
    expect(await server.db.selectFrom('live_session_summaries').select('enrolled').where('live_session_id', '=', id).executeTakeFirst()).to.deep.equal({ enrolled: 2 });
  });
});
