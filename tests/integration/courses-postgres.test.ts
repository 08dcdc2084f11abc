/**
 * Courses on PostgreSQL, where two requests really do run at once: the last
 * licence goes to exactly one of several activations racing for it. Runs
 * when TEST_DATABASE_URL is set (.ci/run sets it up).
 */
import { expect } from 'chai';
import { backendPerson, courseAs, createCourse, editCourse, pngPicture, setLicences, type BackendPerson } from '../support/courses.ts';
import { skipWithoutPostgres, startTestServerOn } from '../support/test-databases.ts';
import type { TestServer } from '../support/test-server.ts';

describe('courses on PostgreSQL', function () {
  let server: TestServer;
  let admin: BackendPerson;

  before(async function () {
    skipWithoutPostgres(this);
    server = await startTestServerOn('PostgreSQL');
    admin = await backendPerson(server, 'administrator');
  });

  after(async () => {
    await server?.stop();
  });

  it('gives the last licence to exactly one of concurrent activations, round after round', async () => {
    for (let round = 1; round <= 4; round++) {
      await setLicences(admin.agent, { smart_15: round });
      const racers = await Promise.all([1, 2, 3].map((n) => createCourse(admin.agent, { name: `Round ${round} racer ${n}` })));
      const answers = await Promise.all(racers.map((id) => editCourse(admin.agent, id, { plan: 'smart_15' }, undefined, { accept: 'application/json' })));
      expect(answers.map((answer) => answer.status).sort(), `round ${round}`).to.deep.equal([200, 409, 409]);
      const refusal = answers.find((answer) => answer.status === 409)!.json().error.message;
      expect(refusal).to.match(round === 1 ? /^The only Smart_15 licence is in use \(1 of 1\)/ : new RegExp(`^All ${round} Smart_15 licences are in use \\(${round} of ${round}\\)`));
      const active = await server.db.selectFrom('rooms').select('id').where('plan_id', '=', 'smart_15').execute();
      expect(active).to.have.length(round);
    }
  });

  it('makes, changes and deletes a course with its picture and members', async () => {
    const teacher = await backendPerson(server, 'instructor');
    const id = await createCourse(admin.agent, { name: 'Pg course', membersShown: '1', member: `instructor:${teacher.id}` }, await pngPicture());
    expect((await editCourse(teacher.agent, id, { summary: 'Changed on PostgreSQL' })).status).to.equal(303);
    expect((await courseAs(teacher.agent, id)).json()).to.include({ summary: 'Changed on PostgreSQL', version: 2, access: 'manage' });
    await admin.agent.get(`/backend/courses/${id}/delete`);
    expect((await admin.agent.post(`/backend/courses/${id}/delete`, { confirm: 'delete' })).status).to.equal(303);
    expect(await server.db.selectFrom('course_members').selectAll().where('room_id', '=', id).execute()).to.deep.equal([]);
    expect((await courseAs(admin.agent, id)).status).to.equal(404);
  });
});
