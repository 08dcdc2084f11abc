/**
 * Recording hours: administrators add hours to a course (hours and a note,
 * kept with who and when, and shown), and the Plans page reads each course's
 * figures where the room does (src/recordings/recording-quota.ts): included,
 * added, recorded, left.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { changeLicences, startBillingServer } from '../../support/billing.ts';
import { backendPerson, createCourse, type BackendPerson } from '../../support/courses.ts';
import type { TestServer } from '../../support/test-server.ts';

describe('recordings library: hours added to a course, and the Plans page', function () {
  this.timeout(40_000);
  let server: TestServer;
  let admin: BackendPerson;
  let teacher: BackendPerson;
  let courseId: string;
  let otherId: string;

  before(async () => {
    server = await startBillingServer();
    admin = await backendPerson(server, 'administrator', 'Ada Admin');
    teacher = await backendPerson(server, 'instructor');
    expect((await changeLicences(admin.agent, { kind: 'add', planId: 'smart_15', quantity: '2' })).status).to.equal(303);
    courseId = await createCourse(admin.agent, { name: 'Hours course', plan: 'smart_15', membersShown: '1', member: [`instructor:${teacher.id}`] });
    otherId = await createCourse(admin.agent, { name: 'Other course', plan: 'smart_15' });
    // 1 h 30 min recorded in the course, across two recordings (one since deleted: the ledger keeps it).
    for (const seconds of [3600, 1800]) {
      await server.db.insertInto('recording_ledger').values({ id: randomUUID(), room_id: courseId, recording_id: randomUUID(), seconds, recorded_at: Date.now() }).execute();
    }
  });
  after(() => server.stop());

  const hoursOf = async (id: string) => (await admin.agent.get(`/backend/courses/${id}/recording-hours`, { accept: 'application/json' })).json();

  it('adds hours with a note, kept with who and when, and shows them', async () => {
    const before = Date.now();
    const response = await admin.agent.post(`/backend/courses/${courseId}/recording-hours`, { hours: '1.5', note: 'Exam revision week' });
    expect(response.status).to.equal(303);
    expect(response.location).to.equal(`/backend/courses/${courseId}/recording-hours?granted=1`);
    const [grant] = await server.db.selectFrom('recording_grants').selectAll().where('room_id', '=', courseId).execute();
    expect(grant).to.include({ seconds: 5400, note: 'Exam revision week', granted_by: admin.id, granted_by_name: 'Ada Admin' });
    expect(Number(grant!.granted_at)).to.be.within(before, Date.now());

    const page = (await admin.agent.follow(response)).text;
    expect(page).to.contain('The hours were added.');
    expect(page).to.match(/data-figure="included">2:00:00</).and.to.match(/data-figure="granted">1:30:00</).and.to.match(/data-figure="used">1:30:00</).and.to.match(/data-figure="left">2:00:00</);
    expect(page).to.contain('1:30:00 added by Ada Admin on').and.to.contain('Exam revision week');
    // When, in the viewer's time zone as Session Stats keeps it.
    expect(page).to.contain('Times in UTC');
    expect((await admin.agent.get(`/backend/courses/${courseId}/recording-hours?tz=Europe/Paris`)).text).to.contain('Times in Europe/Paris');
    expect(await hoursOf(courseId)).to.deep.include({ time: { includedSeconds: 7200, grantedSeconds: 5400, usedSeconds: 5400, leftSeconds: 7200 } });
  });

  it('refuses hours that are not a positive number up to 1000, saying so, in French too', async () => {
    for (const hours of ['0', '-2', 'abc', '1000.5', '']) {
      const response = await admin.agent.post(`/backend/courses/${otherId}/recording-hours`, { hours, note: '' }, { accept: 'application/json' });
      expect(response.status, hours).to.equal(400);
      expect(response.json().error.fields.hours).to.equal('A number of hours above 0, at most 1000 (for example 1.5).');
    }
    const french = await admin.agent.post(`/backend/courses/${otherId}/recording-hours`, { hours: '0' }, { accept: 'application/json', headers: { 'accept-language': 'fr' } });
    expect(french.json().error.fields.hours).to.contain('Un nombre d');
    const longNote = await admin.agent.post(`/backend/courses/${otherId}/recording-hours`, { hours: '1', note: 'n'.repeat(501) }, { accept: 'application/json' });
    expect(longNote.status).to.equal(400);
    expect(await server.db.selectFrom('recording_grants').select('id').where('room_id', '=', otherId).execute()).to.deep.equal([]);
  });

  it('is for administrators only, and an unknown course is not found', async () => {
    expect((await teacher.agent.get(`/backend/courses/${courseId}/recording-hours`)).status).to.equal(403);
    expect((await teacher.agent.post(`/backend/courses/${courseId}/recording-hours`, { hours: '5' })).status).to.equal(403);
    expect((await admin.agent.get(`/backend/courses/${randomUUID()}/recording-hours`)).status).to.equal(404);
    expect((await admin.agent.post(`/backend/courses/not-a-course/recording-hours`, { hours: '5' })).status).to.equal(404);
  });

  it('links the course page to its recording hours for administrators', async () => {
    expect((await admin.agent.get(`/backend/courses/${courseId}`)).text).to.contain(`href="/backend/courses/${courseId}/recording-hours"`);
    expect((await teacher.agent.get(`/backend/courses/${courseId}`)).text).not.to.contain('recording-hours');
  });

  it('shows the Plans page the same figures: included, added, recorded and left per course and in total', async () => {
    const plans = (await admin.agent.get('/backend/plans', { accept: 'application/json' })).json();
    const course = plans.recordingHours.courses.find((entry: any) => entry.id === courseId);
    expect(course).to.include({ included: 2, granted: 1.5, used: 1.5, left: 2 });
    expect(plans.recordingHours.courses.find((entry: any) => entry.id === otherId)).to.include({ included: 2, granted: 0, used: 0, left: 2 });
    expect(plans.recordingHours).to.include({ included: 4, granted: 1.5, used: 1.5, left: 4 });
    const page = (await admin.agent.get('/backend/plans')).text;
    expect(page).to.match(new RegExp(`data-recording-course="${courseId}">[\\s\\S]*?data-col="included">2 h \\+ 1.5 h<[\\s\\S]*?data-col="used">1.5 h<[\\s\\S]*?data-col="left">2 h<`));
  });
});
