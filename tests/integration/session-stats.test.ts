/**
 * Session Stats from real live sessions: people join, wait, leave, come back
 * and chat through the room socket on a manual clock; then the overview, the
 * session page and the CSV files are read as an instructor and an
 * administrator would. The session runs in Paris from 23:30 on the Saturday
 * before the change to summer time to 04:00 the next morning: across midnight and across the change to summer
 * time (02:00 → 03:00), 3 h 30 min long.
 */
import { expect } from 'chai';
import { eventually } from '../support/manual-scheduler.ts';
import { LEVEL } from '../support/kaltura-seed.ts';
import type { RoomClient } from '../support/room-client.ts';
import { startStatsServer, statsChannel } from '../support/stats-scene.ts';
import { TEST_DATABASES } from '../support/test-databases.ts';
import type { TestAgent } from '../support/test-agent.ts';
import { signIn, type TestServer } from '../support/test-server.ts';
import type { ManualScheduler } from '../support/manual-scheduler.ts';

const MIN = 60_000;
/**
 * Next year's change to summer time in Paris (the last Sunday of March, 01:00 UTC): a date in the
 * future, as cookies the test agent keeps must not have expired by the wall clock.
 */
const YEAR = new Date().getUTCFullYear() + 1;
const CHANGE_DAY = 31 - new Date(Date.UTC(YEAR, 2, 31)).getUTCDay();
const SATURDAY = `${YEAR}-03-${String(CHANGE_DAY - 1).padStart(2, '0')}`;
const SUNDAY = `${YEAR}-03-${String(CHANGE_DAY).padStart(2, '0')}`;
/** 23:30 on the Saturday in Paris (+01:00); the session ends at 04:00 on the Sunday (+02:00). */
const T0 = Date.UTC(YEAR, 2, CHANGE_DAY - 1, 22, 30);
const END = T0 + 210 * MIN;
const PARIS = 'Europe/Paris';

for (const database of TEST_DATABASES) describe(`Session Stats on ${database}`, () => {
  let server: TestServer;
  let scheduler: ManualScheduler;
  let instructor: TestAgent;
  let admin: TestAgent;
  let sessionId: string;
  let roomId: string;
  const ids: Record<string, string> = {};
  const open: RoomClient[] = [];

  async function at(minutes: number) {
    await scheduler.advance(T0 + minutes * MIN - scheduler.now());
  }

  before(async function () {
    this.timeout(60_000);
    ({ server, scheduler } = await startStatsServer(T0 - 5 * MIN, {}, database));
    const scene = await statsChannel(server);
    const people = Object.fromEntries(
      await Promise.all(
        ([['pia', 'Pia Élodie'], ['lou', 'Lou Late'], ['lea', 'Léa Early'], ['ned', 'Ned Edge'], ['tim', 'Tim Half'], ['uma', 'Uma Under'], ['gus', '+Gus Guest'], ['abe', 'Abe Absent'], ['max', 'Max Waiting']] as const).map(async ([key, name]) => [key, await scene.person(name, LEVEL.member)] as const),
      ),
    );
    for (const [key, person] of Object.entries(people)) ids[key] = `mediaspace:${person.user.id}`;
    const track = (client: RoomClient) => (open.push(client), client);

    // Before the start: Pia waits five minutes; Max waits and gives up.
    const pia = track(await people.pia!.enter());
    await pia.next('welcome');
    const max = await people.max!.enter();
    await max.next('welcome');
    await max.close();
    await eventually(async () => expect((await server.db.selectFrom('waiting_room_visits').selectAll().where('left_at', 'is not', null).execute()).length).to.equal(1));
    await people.abe!.enrol();

    await at(0);
    await scene.start();
    await pia.next('session.started');
    const ines = track(await scene.instructor());
    await ines.next('welcome');
    const inside: Record<string, RoomClient> = { pia };
    for (const key of ['lea', 'tim', 'uma', 'gus'] as const) {
      inside[key] = track(await people[key]!.enter());
      await inside[key]!.next('welcome');
    }
    const leaves = async (key: string) => {
      const participantId = inside[key]!.received[0]!.you.participantId;
      await inside[key]!.close();
      await ines.next('presence.left', (message) => message.participantId === participantId);
    };

    await at(10);
    inside.ned = track(await people.ned!.enter());
    await inside.ned.next('welcome');
    await at(11);
    inside.lou = track(await people.lou!.enter());
    await inside.lou.next('welcome');

    inside.pia!.send({ type: 'chat.send', text: 'Bonjour à tous' });
    await ines.next('chat.message');
    inside.gus!.send({ type: 'chat.send', text: 'buy cheap watches' });
    const spam = (await ines.next('chat.message')).message;
    ines.send({ type: 'chat.delete', messageId: spam.id });
    await ines.next('chat.deleted');

    // Pia drops out for two minutes (past the grace period): two intervals.
    await at(30);
    await leaves('pia');
    await at(32);
    inside.pia = track(await people.pia!.enter());
    await inside.pia.next('welcome');
    // Lou reconnects within the grace period: still one interval.
    await at(60);
    await leaves('lou');
    await scheduler.advance(10_000);
    inside.lou = track(await people.lou!.enter());
    await inside.lou.next('welcome');

    await at(49);
    await leaves('uma');
    await at(50);
    await leaves('tim');
    await at(155);
    inside.tim = track(await people.tim!.enter());
    inside.uma = track(await people.uma!.enter());
    await Promise.all([inside.tim.next('welcome'), inside.uma.next('welcome')]);
    await at(199);
    await leaves('lea');
    await at(200);
    await leaves('ned');
    // Gus leaves the course before the end: he attended as a guest (enrolment as at the session).
    await server.db.deleteFrom('course_members').where('user_id', '=', ids.gus!).execute();
    await at(210);
    ines.send({ type: 'session.end' });
    await ines.next('session.ended');

    sessionId = (await server.db.selectFrom('live_sessions').select('id').executeTakeFirstOrThrow()).id;
    roomId = await scene.roomId();
    instructor = await scene.viewer();
    const adminUser = await server.kaltura.createUser({ role: 'adminRole', name: 'Ada Admin' });
    admin = await signIn(server, adminUser.id, { ksExpiry: 7 * 86_400 });
    await admin.get('/backend/courses');
  });
  after(async () => {
    for (const client of open) client.socket.terminate();
    await server.stop();
  });

  describe('overview', () => {
    it('lists the session with its course, instructor, students, duration, start, end and no recording, in the viewer\'s zone', async () => {
      const overview = (await instructor.get(`/backend/stats?tz=${PARIS}&from=${SATURDAY}&to=${SUNDAY}`, { accept: 'application/json' })).json();
      expect(overview.totals).to.deep.equal({ sessions: 1, taughtMs: 210 * MIN, students: 7, attendanceRate: 6 / 8 });
      expect(overview.sessions).to.have.length(1);
      expect(overview.sessions[0]).to.include({ id: sessionId, students: 7, recordings: 0, live: false, durationMs: 210 * MIN, startedAt: T0, endedAt: END });
      expect(overview.sessions[0].instructors).to.deep.equal(['Ines Instructor']);

      const page = (await instructor.get(`/backend/stats?tz=${PARIS}&from=${SATURDAY}&to=${SUNDAY}`)).text;
      const row = page.slice(page.indexOf(`data-session-id="${sessionId}"`));
      expect(row).to.contain(`data-col="start"><time datetime="${SATURDAY}T23:30:00+01:00">${SATURDAY} 23:30<`);
      expect(row).to.contain(`data-col="end"><time datetime="${SUNDAY}T04:00:00+02:00">${SUNDAY} 04:00<`);
      expect(row).to.match(/data-col="duration">3:30:00/);
      expect(row).to.match(/data-col="recording">No</);
      expect(page).to.match(/data-total="hours">3.5</).and.match(/data-total="rate">75 %</);
    });

    it('counts a day in the viewer\'s zone: the session started on the Saturday in Paris and on the Sunday in Tokyo', async () => {
      const count = async (zone: string, from: string, to: string) => (await instructor.get(`/backend/stats?tz=${zone}&from=${from}&to=${to}`, { accept: 'application/json' })).json().totals.sessions;
      expect(await count(PARIS, `${SUNDAY}`, `${SUNDAY}`)).to.equal(0);
      expect(await count(PARIS, `${SATURDAY}`, `${SATURDAY}`)).to.equal(1);
      expect(await count('Asia/Tokyo', `${SUNDAY}`, `${SUNDAY}`)).to.equal(1);
      expect(await count('UTC', `${SATURDAY}`, `${SATURDAY}`)).to.equal(1);
    });

    it('shows an empty range as empty, with zero totals', async () => {
      const response = await instructor.get(`/backend/stats?tz=${PARIS}&from=2025-01-01&to=2025-01-31`);
      expect(response.status).to.equal(200);
      expect(response.text).to.contain('data-empty').and.contain('No sessions took place in this range.');
      expect(response.text).to.match(/data-total="sessions">0</);
    });

    it('remembers the browser\'s time zone on the profile', async () => {
      await instructor.get('/backend/stats?tz=America/New_York');
      const overview = (await instructor.get(`/backend/stats?from=${SATURDAY}&to=${SATURDAY}`, { accept: 'application/json' })).json();
      expect(overview.zone).to.equal('America/New_York');
      expect(overview.totals.sessions).to.equal(1);
    });
  });

  describe('one session', () => {
    it('gives every person their times, total, intervals, waiting time and roster status at each threshold\'s edge', async () => {
      const detail = (await instructor.get(`/backend/stats/sessions/${sessionId}`, { accept: 'application/json' })).json();
      const person = (key: string) => detail.people.find((entry: { userId: string }) => entry.userId === ids[key]);
      expect(detail.people[0]).to.include({ name: 'Ines Instructor', role: 'instructor', status: 'instructor', email: 'ines@school.test' });
      expect(person('pia')).to.include({ status: 'present', firstEntry: T0, lastExit: END, totalMs: 208 * MIN, waitingMs: 5 * MIN });
      expect(person('pia').intervals.map((interval: { joinedAt: number; leftAt: number }) => [interval.joinedAt, interval.leftAt])).to.deep.equal([[T0, T0 + 30 * MIN], [T0 + 32 * MIN, END]]);
      expect(person('lou')).to.include({ status: 'late', firstEntry: T0 + 11 * MIN });
      expect(person('lou').intervals, 'a reconnect within the grace period').to.have.length(1);
      expect(person('ned')).to.include({ status: 'present', firstEntry: T0 + 10 * MIN, lastExit: END - 10 * MIN });
      expect(person('lea')).to.include({ status: 'leftEarly', lastExit: END - 11 * MIN });
      expect(person('tim')).to.include({ status: 'present', totalMs: 105 * MIN });
      expect(person('uma')).to.include({ status: 'absent', totalMs: 104 * MIN });
      expect(person('gus')).to.include({ status: 'guest', role: 'participant', enrolled: false });
      expect(person('abe')).to.include({ status: 'absent', role: 'student', totalMs: 0, firstEntry: null });
      expect(detail.recordings).to.deep.equal([]);
    });

    it('shows the page: expandable intervals, waiting time, the timeline and an empty recordings list', async () => {
      const page = (await instructor.get(`/backend/stats/sessions/${sessionId}?tz=${PARIS}`)).text;
      const pia = page.slice(page.indexOf(`data-user-id="${ids.pia}"`), page.indexOf(`data-user-id="${ids.pia}"`) + 3000);
      expect(pia).to.contain('<details data-intervals>').and.contain('3:28:00').and.contain('2 intervals');
      expect(pia).to.contain(`${SATURDAY} 23:30 – ${SUNDAY} 00:00 (0:30:00)`);
      expect(pia).to.match(/data-col="waiting">0:05:00</);
      expect(page).to.match(/<svg class="stats-timeline" data-timeline/).and.contain('<rect class="bar"').and.contain('<path class="count"');
      expect(page).to.contain('No recordings were made in this session.');
    });

    it('shows a deleted message to administrators as deleted, with who deleted it, and hides its text from instructors', async () => {
      const asInstructor = (await instructor.get(`/backend/stats/sessions/${sessionId}`, { accept: 'application/json' })).json().chat;
      expect(asInstructor.map((message: { name: string; text: string | null }) => [message.name, message.text])).to.deep.equal([['Pia Élodie', 'Bonjour à tous'], ['+Gus Guest', null]]);
      const page = (await instructor.get(`/backend/stats/sessions/${sessionId}`)).text;
      expect(page).not.to.contain('buy cheap watches');
      expect(page).to.contain('Message deleted by a moderator.');

      const asAdmin = (await admin.get(`/backend/stats/sessions/${sessionId}`, { accept: 'application/json' })).json().chat;
      expect(asAdmin[1]).to.include({ text: 'buy cheap watches', deletedBy: 'Ines Instructor' });
      expect((await admin.get(`/backend/stats/sessions/${sessionId}`)).text).to.contain('<del>buy cheap watches</del>').and.contain('deleted by Ines Instructor');
    });

    it('marks a person excused with a reason, keeps every change with who and when, and withdraws it', async () => {
      const page = await instructor.get(`/backend/stats/sessions/${sessionId}`);
      expect(page.status).to.equal(200);
      const missing = await instructor.post(`/backend/stats/sessions/${sessionId}/excusals`, { userId: ids.max!, excused: 'yes', reason: ' ' }, { accept: 'application/json' });
      expect(missing.status).to.equal(400);
      expect(missing.json().error.message).to.contain('Say why the student is excused.');
      const stranger = await instructor.post(`/backend/stats/sessions/${sessionId}/excusals`, { userId: 'mediaspace:nobody', excused: 'yes', reason: 'x' }, { accept: 'application/json' });
      expect(stranger.status).to.equal(404);

      const saved = await instructor.post(`/backend/stats/sessions/${sessionId}/excusals`, { userId: ids.max!, excused: 'yes', reason: 'Doctor\'s note' });
      expect(saved.status).to.equal(303);
      let max = (await instructor.get(`/backend/stats/sessions/${sessionId}`, { accept: 'application/json' })).json().people.find((entry: { userId: string }) => entry.userId === ids.max);
      expect(max.status).to.equal('excused');
      expect(max.excuse).to.include({ reason: 'Doctor\'s note', changedByName: 'Ines Instructor', changedAt: scheduler.now() });

      await instructor.post(`/backend/stats/sessions/${sessionId}/excusals`, { userId: ids.max!, excused: 'no' });
      const detail = (await instructor.get(`/backend/stats/sessions/${sessionId}`, { accept: 'application/json' })).json();
      max = detail.people.find((entry: { userId: string }) => entry.userId === ids.max);
      expect(max.status).to.equal('absent');
      expect(detail.excusalHistory.filter((change: { userId: string }) => change.userId === ids.max).map((change: { excused: boolean; changedByName: string }) => [change.excused, change.changedByName])).to.deep.equal([
        [true, 'Ines Instructor'],
        [false, 'Ines Instructor'],
      ]);
      expect((await instructor.get(`/backend/stats/sessions/${sessionId}`)).text).to.contain('withdrew the excuse of Max Waiting');
    });
  });

  describe('CSV files', () => {
    /** The file's rows as cells (no cell of these files holds a comma or a line break, except where quoted). */
    function rowsOf(bytes: Buffer): string[][] {
      const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
      return text.trim().split('\n').map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((match) => match[1]!.replace(/^"|"$/g, '').replace(/""/g, '"')).slice(0, -1));
    }

    it('writes a session\'s attendance: a BOM, the viewer\'s header, times with their offset and in UTC, durations in seconds and h:mm:ss, formulas neutralised', async () => {
      const file = await instructor.getBytes(`/backend/stats/sessions/${sessionId}/attendance.csv?tz=${PARIS}`);
      expect(file.status).to.equal(200);
      expect(file.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
      expect(file.headers.get('content-disposition')).to.equal(`attachment; filename="session-${SATURDAY}-attendance.csv"`);
      expect([...file.bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
      const [header, ...rows] = rowsOf(file.bytes);
      expect(header).to.deep.equal([
        'Name', 'Email', 'Role', 'Status', 'Excuse', 'Time entered', 'Time entered (UTC)', 'Time exited', 'Time exited (UTC)',
        'Duration (seconds)', 'Duration (h:mm:ss)', 'Waiting room (seconds)', 'Waiting room (h:mm:ss)', 'Intervals',
      ]);
      const pia = rows.find((row) => row[0] === 'Pia Élodie')!;
      expect(pia.slice(2)).to.deep.equal([
        'Participant', 'Present', '', `${SATURDAY}T23:30:00+01:00`, `${SATURDAY}T22:30:00Z`, `${SUNDAY}T04:00:00+02:00`, `${SUNDAY}T02:00:00Z`, '12480', '3:28:00', '300', '0:05:00', '2',
      ]);
      expect(rows.find((row) => row[0] === 'Abe Absent')!.slice(3, 11)).to.deep.equal(['Absent', '', '', '', '', '', '0', '0:00:00']);
      expect(rows.map((row) => row[0]), 'a name that starts a formula').to.include("'+Gus Guest").and.not.include('+Gus Guest');
      expect(rows.find((row) => row[0] === 'Lou Late')![3]).to.equal('Late');
    });

    it('writes the header and the words in French for a French viewer', async () => {
      const file = await instructor.request('GET', `/backend/stats/sessions/${sessionId}/attendance.csv?tz=${PARIS}`, { accept: 'text/csv', headers: { 'accept-language': 'fr' } });
      const [header, ...rows] = rowsOf(Buffer.from(file.text));
      expect(header!.slice(0, 4)).to.deep.equal(['Nom', 'E-mail', 'Rôle', 'Statut']);
      expect(header).to.include('Durée (secondes)');
      expect(rows.find((row) => row[0] === 'Lou Late')![3]).to.equal('En retard');
    });

    it('writes one row per interval in a second file', async () => {
      const [header, ...rows] = rowsOf((await instructor.getBytes(`/backend/stats/sessions/${sessionId}/intervals.csv?tz=${PARIS}`)).bytes);
      expect(header).to.deep.equal(['Name', 'Email', 'Role', 'Time entered', 'Time entered (UTC)', 'Time exited', 'Time exited (UTC)', 'Duration (seconds)', 'Duration (h:mm:ss)']);
      expect(rows.filter((row) => row[0] === 'Pia Élodie').map((row) => [row[3], row[5], row[7], row[8]])).to.deep.equal([
        [`${SATURDAY}T23:30:00+01:00`, `${SUNDAY}T00:00:00+01:00`, '1800', '0:30:00'],
        [`${SUNDAY}T00:02:00+01:00`, `${SUNDAY}T04:00:00+02:00`, '10680', '2:58:00'],
      ]);
    });

    it('writes the range\'s overview and every interval of the range', async () => {
      const [header, ...rows] = rowsOf((await instructor.getBytes(`/backend/stats/sessions.csv?tz=${PARIS}&from=${SATURDAY}&to=${SUNDAY}`)).bytes);
      expect(header).to.deep.equal(['Course', 'Instructors', 'Students', 'Start', 'Start (UTC)', 'End', 'End (UTC)', 'Duration (seconds)', 'Duration (h:mm:ss)', 'Live', 'Recording']);
      expect(rows).to.have.length(1);
      expect(rows[0]!.slice(1)).to.deep.equal(['Ines Instructor', '7', `${SATURDAY}T23:30:00+01:00`, `${SATURDAY}T22:30:00Z`, `${SUNDAY}T04:00:00+02:00`, `${SUNDAY}T02:00:00Z`, '12600', '3:30:00', 'No', 'No']);
      const intervals = rowsOf((await instructor.getBytes(`/backend/stats/attendance.csv?tz=${PARIS}&from=${SATURDAY}&to=${SUNDAY}`)).bytes);
      const stored = await server.db.selectFrom('attendance').select('id').execute();
      expect(intervals).to.have.length(stored.length + 1);
    });

    it('refuses a file for a bad range with the same message as the page', async () => {
      const response = await instructor.get(`/backend/stats/sessions.csv?from=${SUNDAY}&to=${SATURDAY}`);
      expect(response.status).to.equal(400);
      expect(response.text).to.contain('swap the dates');
    });
  });

  describe('course report', () => {
    it('grids every enrolled student against the range\'s sessions: status, minutes, sessions attended and rate', async () => {
      const report = (await instructor.get(`/backend/stats/courses/${roomId}?tz=${PARIS}&from=${SATURDAY}&to=${SUNDAY}`, { accept: 'application/json' })).json();
      expect(report.sessions.map((session: { id: string }) => session.id)).to.deep.equal([sessionId]);
      const row = (key: string) => report.students.find((student: { userId: string }) => student.userId === ids[key]);
      expect(report.students.map((student: { userId: string }) => student.userId)).not.to.include(ids.gus);
      expect(row('pia')).to.deep.include({ cells: [{ status: 'present', minutes: 208 }], attended: 1, rate: 1 });
      expect(row('lou').cells).to.deep.equal([{ status: 'late', minutes: 199 }]);
      expect(row('lea').cells).to.deep.equal([{ status: 'leftEarly', minutes: 199 }]);
      expect(row('uma')).to.deep.include({ cells: [{ status: 'absent', minutes: 104 }], attended: 0, rate: 0 });
      expect(row('abe')).to.deep.include({ cells: [{ status: 'absent', minutes: 0 }], attended: 0, rate: 0 });

      const page = (await instructor.get(`/backend/stats/courses/${roomId}?tz=${PARIS}&from=${SATURDAY}&to=${SUNDAY}`)).text;
      const pia = page.slice(page.indexOf(`data-user-id="${ids.pia}"`));
      expect(pia).to.match(/data-status="present"><span class="status status--present">Present<\/span> <span class="muted small">208 min/);
      expect(pia).to.match(/data-col="attended">1 \/ 1</).and.match(/data-col="rate">100 %</);
    });

    it('writes the grid as CSV, a status and a minutes column per session', async () => {
      const file = (await instructor.getBytes(`/backend/stats/courses/${roomId}/report.csv?tz=${PARIS}&from=${SATURDAY}&to=${SUNDAY}`)).bytes.toString('utf8').replace(/^\uFEFF/, '');
      const [header, ...rows] = file.trim().split('\n');
      expect(header).to.equal(`Name,Email,${SATURDAY}T23:30:00+01:00 status,${SATURDAY}T23:30:00+01:00 minutes,Sessions attended,Attendance rate (%)`);
      expect(rows.find((line) => line.startsWith('Pia Élodie'))).to.match(/,Present,208,1,100$/);
      expect(rows.find((line) => line.startsWith('Uma Under'))).to.match(/,Absent,104,0,0$/);
    });
  });

  describe('students', () => {
    it('see nothing unless the setting is on, then only the sessions they attended and their own row', async () => {
      const pia = await signIn(server, ids.pia!.slice('mediaspace:'.length), { ksExpiry: 7 * 86_400 });
      const abe = await signIn(server, ids.abe!.slice('mediaspace:'.length), { ksExpiry: 7 * 86_400 });
      expect((await pia.get('/backend/stats')).status).to.equal(403);
      expect((await pia.get(`/backend/stats/sessions/${sessionId}`)).status).to.equal(403);
      await setStudentsSeeOwn(true);
      try {
        const overview = (await pia.get(`/backend/stats?from=${SATURDAY}&to=${SUNDAY}&tz=${PARIS}`, { accept: 'application/json' })).json();
        expect(overview.sessions.map((session: { id: string }) => session.id)).to.deep.equal([sessionId]);
        const detail = (await pia.get(`/backend/stats/sessions/${sessionId}`, { accept: 'application/json' })).json();
        expect(detail.people.map((person: { userId: string }) => person.userId)).to.deep.equal([ids.pia]);
        expect(detail.chat).to.deep.equal([]);
        const file = (await pia.getBytes(`/backend/stats/attendance.csv?from=${SATURDAY}&to=${SUNDAY}&tz=${PARIS}`)).bytes.toString('utf8');
        expect(file.trim().split('\n')).to.have.length(3);
        expect((await pia.get(`/backend/stats/courses/${roomId}`)).status).to.equal(403);
        expect((await pia.post(`/backend/stats/sessions/${sessionId}/excusals`, { userId: ids.pia!, excused: 'yes', reason: 'me' })).status).to.equal(403);
        expect((await abe.get(`/backend/stats/sessions/${sessionId}`)).status, 'a session they did not attend').to.equal(404);
        expect((await abe.get(`/backend/stats?from=${SATURDAY}&to=${SUNDAY}&tz=${PARIS}`, { accept: 'application/json' })).json().sessions).to.deep.equal([]);
      } finally {
        await setStudentsSeeOwn(false);
      }
    });

    it('have a Session Stats menu entry, leading to their own rows, only while the setting is on', async () => {
      const pia = await signIn(server, ids.pia!.slice('mediaspace:'.length), { ksExpiry: 7 * 86_400 });
      const menu = async () => (await pia.get('/backend/profile')).text;
      expect(await menu()).to.contain('data-nav="profile"').and.not.contain('data-nav="sessionStats"');
      await setStudentsSeeOwn(true);
      try {
        const page = await menu();
        expect(page).to.contain('<a href="/backend/stats" data-nav="sessionStats" >Session Stats</a>');
        const stats = await pia.get(`/backend/stats?from=${SATURDAY}&to=${SUNDAY}&tz=${PARIS}`);
        expect(stats.status).to.equal(200);
        expect(stats.text).to.contain('data-nav="sessionStats" aria-current="page"').and.contain(`/backend/stats/sessions/${sessionId}`);
        const own = await pia.get(`/backend/stats/sessions/${sessionId}`);
        expect(own.text).to.contain(`data-user-id="${ids.pia}"`).and.not.contain(`data-user-id="${ids.lou}"`);
      } finally {
        await setStudentsSeeOwn(false);
      }
      expect(await menu()).not.to.contain('data-nav="sessionStats"');
    });

    async function setStudentsSeeOwn(on: boolean) {
      const { version, settings } = (await admin.get('/backend/stats/settings', { accept: 'application/json' })).json();
      await admin.get('/backend/stats/settings');
      const form: Record<string, string> = { version: String(version), lateAfterMinutes: String(settings.lateAfterMinutes), leftEarlyMinutes: String(settings.leftEarlyMinutes), presentPercent: String(settings.presentPercent), termStart: '', termEnd: '', retentionDays: '' };
      if (on) form.studentsSeeOwnAttendance = 'on';
      expect((await admin.post('/backend/stats/settings', form)).status).to.equal(303);
    }
  });

  describe('bad input', () => {
    const cases: Array<[string, string, number, string]> = [
      ['a malformed date', '/backend/stats?from=2026-13-01&to=2026-03-29', 400, 'not a date'],
      ['a reversed range', '/backend/stats?from=2026-03-29&to=2026-03-01', 400, 'swap the dates'],
      ['a range too long', '/backend/stats?from=2020-01-01&to=2026-03-01', 400, 'too long'],
      ['an unknown quick range', '/backend/stats?range=fortnight', 400, 'Choose a range'],
      ['a page that is no number', '/backend/stats?page=two', 400, 'whole numbers'],
      ['an unknown time zone', '/backend/stats?tz=Mars/Olympus', 400, 'time zone'],
      ['the term before one is set', '/backend/stats?range=term', 400, 'No term is set'],
      ['an unknown course', '/backend/stats?course=00000000-0000-4000-8000-000000000000', 404, 'no such course'],
      ['an unknown session', '/backend/stats/sessions/00000000-0000-4000-8000-000000000000', 404, 'no such session'],
      ['a session id that is no id', '/backend/stats/sessions/nope', 404, 'no such session'],
      ['an unknown session\'s file', '/backend/stats/sessions/00000000-0000-4000-8000-000000000000/attendance.csv', 404, 'no such session'],
    ];
    for (const [name, path, status, words] of cases) {
      it(`answers ${name} with ${status} and a message that says so`, async () => {
        const page = await instructor.get(path);
        expect(page.status).to.equal(status);
        expect(page.text).to.contain(words).and.not.match(/\.ts:\d+/);
        // The page names no field by its key (`to`, `tz`): people read sentences, not the form's field names.
        expect(page.text).not.to.match(/<li><strong>\w+<\/strong>:/);
        const json = await instructor.get(path, { accept: 'application/json' });
        expect(json.status).to.equal(status);
        expect(json.json().error.message).to.contain(words);
      });
    }

    it('says it in French for a French browser', async () => {
      const page = await instructor.get('/backend/stats?from=2026-03-29&to=2026-03-01', { headers: { 'accept-language': 'fr' } });
      expect(page.status).to.equal(400);
      expect(page.text).to.contain('inversez les dates');
    });
  });
});
