/**
 * The rooms backend's authorisation, from one table: each kind of person ×
 * each backend action, with the status it must get. "Course" below is one
 * active course; its instructor and student belong to it, the others do not.
 * 403: the role may never do this; 404: the person has no access to this course
 * (the service does not say whether it exists).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { backendPerson, createCourse } from '../support/courses.ts';
import { signIn, type TestServer } from '../support/test-server.ts';
import { changeLicences, startBillingServer } from '../support/billing.ts';
import type { TestAgent } from '../support/test-agent.ts';
import { seedRecording, type RecordingSeed } from '../support/recording-library-scene.ts';

const PEOPLE = ['administrator', 'MediaSpace admin', 'course instructor', 'other instructor', 'course student', 'other student', 'MediaSpace viewer'] as const;
type Person = (typeof PEOPLE)[number];

const ADMINS: Person[] = ['administrator', 'MediaSpace admin'];
const MANAGERS: Person[] = [...ADMINS, 'course instructor'];
const MEMBERS: Person[] = [...MANAGERS, 'course student'];
const INSTRUCTORS: Person[] = [...MANAGERS, 'other instructor'];

/** allowed → its status; a member of the course who may not → 403; anyone else → `outsider`. */
function rule(allowed: Person[], status: number, { members = 403, outsider = 403 }: { members?: number; outsider?: number } = {}) {
  return (person: Person) => (allowed.includes(person) ? status : MEMBERS.includes(person) ? members : outsider);
}

interface Context {
  courseId: string;
  unique: string;
  /** A live session that took place in the course. */
  sessionId: string;
  studentId: string;
  /** A new recording of that session (each action changes its own). */
  recording: (seed?: RecordingSeed) => Promise<string>;
}

/** Session Stats of the course: its managers see them, another instructor finds nothing (404), students may not look (403). */
const courseStats = (status: number) => (person: Person) => (MANAGERS.includes(person) ? status : person === 'other instructor' ? 404 : 403);

const ACTIONS: Record<string, { expected: (person: Person) => number; run: (agent: TestAgent, context: Context) => Promise<number> }> = {
  'list courses': { expected: () => 200, run: async (agent) => (await agent.get('/backend/courses')).status },
  'view the course': { expected: rule(MEMBERS, 200, { outsider: 404 }), run: async (agent, { courseId }) => (await agent.get(`/backend/courses/${courseId}`, { accept: 'application/json' })).status },
  'open the new-course form': { expected: rule(ADMINS, 200), run: async (agent) => (await agent.get('/backend/courses/new')).status },
  'open the course edit form': { expected: rule(MANAGERS, 200, { outsider: 404 }), run: async (agent, { courseId }) => (await agent.get(`/backend/courses/${courseId}/edit`)).status },
  'open the course delete page': { expected: rule(ADMINS, 200), run: async (agent, { courseId }) => (await agent.get(`/backend/courses/${courseId}/delete`)).status },
  'enter the course room': { expected: rule(MEMBERS, 303, { outsider: 404 }), run: async (agent, { courseId }) => (await agent.post(`/backend/courses/${courseId}/enter`)).status },
  // With billing on, licences follow the subscription: administrators buy them on the Plans page.
  'set licences by hand': { expected: rule(ADMINS, 409), run: async (agent) => (await agent.post('/backend/courses/licences', { 'licences[smart_15]': '3' })).status },
  'open plans': { expected: rule(ADMINS, 200), run: async (agent) => (await agent.get('/backend/plans')).status },
  'preview a licence change': { expected: rule(ADMINS, 200), run: async (agent) => (await agent.post('/backend/plans/preview', { kind: 'add', planId: 'smart_25', quantity: '1' })).status },
  'confirm a licence change': {
    expected: rule(ADMINS, 400),
    run: async (agent) => (await agent.post('/backend/plans/change', { kind: 'add', planId: 'smart_25', quantity: '1' })).status,
  },
  'open billing': { expected: rule(ADMINS, 200), run: async (agent) => (await agent.get('/backend/billing')).status },
  'save the billing address': {
    expected: rule(ADMINS, 303),
    run: async (agent) => (await agent.post('/backend/billing/contact', { name: 'School', email: '', line1: '1 Main St', line2: '', postalCode: '10001', city: 'New York', country: 'US', purchaseOrder: '' })).status,
  },
  'start adding a card': { expected: rule(ADMINS, 303), run: async (agent) => (await agent.post('/backend/billing/card')).status },
  'pay an invoice': { expected: rule(ADMINS, 404), run: async (agent) => (await agent.post('/backend/billing/invoices/in_nothing/pay')).status },
  'remove a card': { expected: rule(ADMINS, 404), run: async (agent) => (await agent.post('/backend/billing/cards/pm_nothing/remove')).status },
  'open the end-of-subscription confirmation': { expected: rule(ADMINS, 200), run: async (agent) => (await agent.get('/backend/billing/end')).status },
  'keep the subscription': { expected: rule(ADMINS, 303), run: async (agent) => (await agent.post('/backend/billing/resume')).status },
  'add a tax id': { expected: rule(ADMINS, 400), run: async (agent) => (await agent.post('/backend/billing/tax-ids', { type: 'eu_vat', value: 'XX1' })).status },
  'remove a tax id': { expected: rule(ADMINS, 404), run: async (agent) => (await agent.post('/backend/billing/tax-ids/txi_nothing/remove')).status },
  'add an invoice contact': { expected: rule(ADMINS, 400), run: async (agent) => (await agent.post('/backend/billing/contacts', { contactEmail: 'not-an-address' })).status },
  'remove an invoice contact': { expected: rule(ADMINS, 404), run: async (agent) => (await agent.post(`/backend/billing/contacts/${randomUUID()}/remove`)).status },
  'list users': { expected: rule(ADMINS, 200), run: async (agent) => (await agent.get('/backend/users')).status },
  'open the invite form': { expected: rule(ADMINS, 200), run: async (agent) => (await agent.get('/backend/users/invite')).status },
  'open the files overview': { expected: rule(INSTRUCTORS, 200), run: async (agent) => (await agent.get('/backend/files')).status },
  'browse the course files': { expected: rule(MEMBERS, 200, { outsider: 404 }), run: async (agent, { courseId }) => (await agent.get(`/backend/courses/${courseId}/files`)).status },
  'create a folder in the course': {
    expected: rule(MANAGERS, 201, { outsider: 404 }),
    run: async (agent, { courseId, unique }) => (await agent.post(`/backend/courses/${courseId}/folders`, { name: `Folder ${unique}` }, { accept: 'application/json' })).status,
  },
  'open the profile': { expected: () => 200, run: async (agent) => (await agent.get('/backend/profile')).status },
  'open branding': { expected: rule(ADMINS, 200), run: async (agent) => (await agent.get('/backend/branding')).status },
  'open session stats': { expected: rule(INSTRUCTORS, 200), run: async (agent) => (await agent.get('/backend/stats')).status },
  'download the sessions CSV': { expected: rule(INSTRUCTORS, 200), run: async (agent) => (await agent.get('/backend/stats/sessions.csv')).status },
  'download every attendance interval': { expected: rule(INSTRUCTORS, 200), run: async (agent) => (await agent.get('/backend/stats/attendance.csv')).status },
  'view a session of the course': { expected: courseStats(200), run: async (agent, { sessionId }) => (await agent.get(`/backend/stats/sessions/${sessionId}`)).status },
  'download a session\'s attendance': { expected: courseStats(200), run: async (agent, { sessionId }) => (await agent.get(`/backend/stats/sessions/${sessionId}/attendance.csv`)).status },
  'download a session\'s intervals': { expected: courseStats(200), run: async (agent, { sessionId }) => (await agent.get(`/backend/stats/sessions/${sessionId}/intervals.csv`)).status },
  'excuse a student': {
    expected: courseStats(303),
    run: async (agent, { sessionId, studentId }) => (await agent.post(`/backend/stats/sessions/${sessionId}/excusals`, { userId: studentId, excused: 'yes', reason: 'Matrix' })).status,
  },
  'open the course report': { expected: courseStats(200), run: async (agent, { courseId }) => (await agent.get(`/backend/stats/courses/${courseId}`)).status },
  'download the course report': { expected: courseStats(200), run: async (agent, { courseId }) => (await agent.get(`/backend/stats/courses/${courseId}/report.csv`)).status },
  'open session stats settings': { expected: rule(ADMINS, 200), run: async (agent) => (await agent.get('/backend/stats/settings')).status },
  'play a recording of the course (a range)': { expected: courseStats(206), run: async (agent, { recording }) => (await agent.getBytes(`/backend/recordings/${await recording({ withFile: true })}/video`, { range: 'bytes=0-9' })).status },
  'download a recording of the course': { expected: courseStats(200), run: async (agent, { recording }) => (await agent.getBytes(`/backend/recordings/${await recording({ withFile: true })}/download`)).status },
  'rename a recording of the course': { expected: courseStats(303), run: async (agent, { recording }) => (await agent.post(`/backend/recordings/${await recording()}/rename`, { title: 'Matrix', version: '1' })).status },
  'open a recording\'s delete page': { expected: courseStats(200), run: async (agent, { recording }) => (await agent.get(`/backend/recordings/${await recording()}/delete`)).status },
  'delete a recording of the course': { expected: courseStats(303), run: async (agent, { recording }) => (await agent.post(`/backend/recordings/${await recording({ withFile: true })}/delete`, { version: '1' })).status },
  'retry a failed recording': {
    expected: rule(ADMINS, 303),
    run: async (agent, { recording }) => (await agent.post(`/backend/recordings/${await recording({ state: 'failed', jobs: [{ kind: 'process', state: 'failed' }] })}/retry`, { version: '1', kind: 'process' })).status,
  },
  'release an over-quota recording': { expected: rule(ADMINS, 303), run: async (agent, { recording }) => (await agent.post(`/backend/recordings/${await recording({ state: 'over_quota' })}/release`, { version: '1' })).status },
  'open the course\'s recording hours': { expected: rule(ADMINS, 200), run: async (agent, { courseId }) => (await agent.get(`/backend/courses/${courseId}/recording-hours`)).status },
  'add recording hours to the course': { expected: rule(ADMINS, 303), run: async (agent, { courseId }) => (await agent.post(`/backend/courses/${courseId}/recording-hours`, { hours: '1', note: 'Matrix' })).status },
};

describe('authorization matrix: backend person × backend action', () => {
  let server: TestServer;
  let courseId: string;
  let studentId: string;
  let teacherPerson: { id: string; name: string };
  const sessionId = randomUUID();
  const agents = new Map<Person, TestAgent>();

  before(async () => {
    server = await startBillingServer();
    const admin = await backendPerson(server, 'administrator');
    const teacher = await backendPerson(server, 'instructor');
    const student = await backendPerson(server, 'student');
    expect((await changeLicences(admin.agent, { kind: 'add', planId: 'smart_15', quantity: '3' })).status).to.equal(303);
    courseId = await createCourse(admin.agent, { name: 'Matrix course', plan: 'smart_15', membersShown: '1', member: [`instructor:${teacher.id}`, `student:${student.id}`] });
    studentId = student.id;
    teacherPerson = teacher;
    await server.db.insertInto('live_sessions').values({ id: sessionId, room_id: courseId, started_by: teacher.id, started_at: Date.now() - 3600_000, ended_at: Date.now() - 600_000, ended_by: teacher.id, end_reason: 'ended-by-instructor' }).execute();

    agents.set('administrator', admin.agent);
    agents.set('course instructor', teacher.agent);
    agents.set('course student', student.agent);
    agents.set('other instructor', (await backendPerson(server, 'instructor')).agent);
    agents.set('other student', (await backendPerson(server, 'student')).agent);
    for (const [person, role] of [['MediaSpace admin', 'adminRole'], ['MediaSpace viewer', 'viewerRole']] as const) {
      const agent = await signIn(server, (await server.kaltura.createUser({ role })).id);
      await agent.get('/backend/courses');
      agents.set(person, agent);
    }
  });
  after(() => server.stop());

  for (const person of PEOPLE) {
    for (const [action, { expected, run }] of Object.entries(ACTIONS)) {
      const status = expected(person);
      it(`${person} · ${action} → ${status}`, async () => {
        const recording = (seed?: RecordingSeed) => seedRecording(server, { roomId: courseId, sessionId, recordedBy: teacherPerson }, seed);
        expect(await run(agents.get(person)!, { courseId, unique: `${person} ${action}`, sessionId, studentId, recording })).to.equal(status);
      });
    }
  }
});
