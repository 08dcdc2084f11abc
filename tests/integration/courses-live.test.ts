import { expect } from 'chai';
import { createCourseMemberStore } from '../../src/courses/course-member-store.ts';
import { LEVEL } from '../support/kaltura-seed.ts';
import { eventually } from '../support/manual-scheduler.ts';
import { RoomClient } from '../support/room-client.ts';
import { backendPerson, courseAs, createCourse, editCourse, setLicences, type BackendPerson } from '../support/courses.ts';
import type { TestAgent } from '../support/test-agent.ts';
import { mediaSpaceUserKey } from '../../src/identity/user-keys.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';

/** Courses and the live room: inactive courses cannot go live, the webcam limit, and membership from MediaSpace. */
describe('courses in the live room', () => {
  let server: TestServer;
  let admin: BackendPerson;
  const clients: RoomClient[] = [];
  const track = (client: RoomClient) => (clients.push(client), client);

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    admin = await backendPerson(server, 'administrator');
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.socket.terminate();
  });

  /** Into the course's room from the backend, with a live socket. */
  async function enter(agent: TestAgent, courseId: string): Promise<RoomClient> {
    const response = await agent.post(`/backend/courses/${courseId}/enter`, {}, { accept: 'application/json' });
    expect(response.status, response.text).to.equal(200);
    const client = track(await RoomClient.launch(agent, response.json().launchUrl));
    await client.next('welcome');
    return client;
  }

  describe('an inactive course', () => {
    it('lets its instructor enter to prepare, but not start the session', async () => {
      const teacher = await backendPerson(server, 'instructor');
      const id = await createCourse(admin.agent, { plan: 'inactive', membersShown: '1', member: `instructor:${teacher.id}` });
      const room = await enter(teacher.agent, id);
      room.send({ type: 'session.start', ref: 'go' });
      const refused = await room.next('error');
      expect(refused).to.include({ code: 'COURSE_INACTIVE', ref: 'go' });
      expect(refused.message).to.contain('This course is inactive');
      expect(await server.db.selectFrom('live_sessions').selectAll().where('room_id', '=', id).execute()).to.deep.equal([]);

      await setLicences(admin.agent, { smart_15: 10 });
      expect((await editCourse(admin.agent, id, { plan: 'smart_15' })).status).to.equal(303);
      room.send({ type: 'session.start' });
      await room.next('session.started');
      expect((await courseAs(admin.agent, id)).json()).to.include({ live: true, active: true, endsInMinutes: null });
      const list = (await admin.agent.get('/backend/courses')).text;
      expect(list.slice(list.indexOf(`data-course-id="${id}"`)).slice(0, 1500)).to.contain('data-live="true"').and.contain('Live now');

      // A live course is neither made inactive nor deleted under its people.
      const deactivate = await editCourse(admin.agent, id, { plan: 'inactive' }, undefined, { accept: 'application/json' });
      expect(deactivate.status).to.equal(409);
      await admin.agent.get(`/backend/courses/${id}/delete`);
      const remove = await admin.agent.post(`/backend/courses/${id}/delete`, { confirm: 'delete' });
      expect(remove.status).to.equal(409);
      expect(remove.text).to.contain('The course&#39;s session is live now, so the course cannot be deleted.');
      expect(await server.db.selectFrom('rooms').select('version').where('id', '=', id).executeTakeFirstOrThrow()).to.deep.equal({ version: 2 });

      // Its instructor gone, the card says the session has no instructor and when it ends, not "Live now".
      room.socket.close();
      await eventually(async () => expect((await courseAs(admin.agent, id)).json()).to.include({ live: true, endsInMinutes: 10 }));
      const after = (await admin.agent.get('/backend/courses')).text;
      expect(after.slice(after.indexOf(`data-course-id="${id}"`)).slice(0, 1500)).to.contain('Live, no instructor: ends in 10 min').and.not.contain('Live now');
    });

    it('refuses Start Meeting in MediaSpace for a channel whose room an administrator set inactive; Join still works', async () => {
      const channel = await server.kaltura.createChannel('Inactive channel');
      const manager = await server.kaltura.createUser({ role: 'viewerRole', name: 'Manny Manager' });
      await server.kaltura.addMember(channel.id, manager.id, LEVEL.manager);
      const managerAgent = await signIn(server, manager.id);
      await managerAgent.get(`/channels/${channel.id}/meeting`);
      expect((await managerAgent.post(`/channels/${channel.id}/meeting/join`, {}, { accept: 'application/json' })).status).to.equal(200);
      const room = await server.db.selectFrom('rooms').selectAll().where('channel_id', '=', channel.id).executeTakeFirstOrThrow();

      expect((await editCourse(admin.agent, room.id, { plan: 'inactive' })).status).to.equal(303);
      // MediaSpace's buttons offer Join only (to prepare), at once: the remembered channel room was forgotten on the save.
      expect((await managerAgent.get(`/channels/${channel.id}/meeting`, { accept: 'application/json' })).json()).to.deep.include({ inactive: true, actions: ['join'] });
      expect((await managerAgent.get(`/channels/${channel.id}/meeting`)).text).to.contain('data-inactive="true"').and.not.contain('data-action="start"');
      const start = await managerAgent.post(`/channels/${channel.id}/meeting/start`, {}, { accept: 'application/json' });
      expect(start.status).to.equal(409);
      expect(start.json().error).to.include({ code: 'COURSE_INACTIVE' });
      expect(await server.db.selectFrom('live_sessions').selectAll().where('room_id', '=', room.id).execute()).to.deep.equal([]);
      const join = await managerAgent.post(`/channels/${channel.id}/meeting/join`, {}, { accept: 'application/json' });
      expect(join.status).to.equal(200);

      expect((await editCourse(admin.agent, room.id, { plan: '' })).status).to.equal(303);
      expect((await managerAgent.get(`/channels/${channel.id}/meeting`, { accept: 'application/json' })).json()).to.deep.include({ inactive: false, actions: ['start'] });
      expect((await managerAgent.post(`/channels/${channel.id}/meeting/start`, {}, { accept: 'application/json' })).status).to.equal(200);
    });
  });

  it('refuses a start in a room deleted while someone was in it preparing', async () => {
    const teacher = await backendPerson(server, 'instructor');
    const id = await createCourse(admin.agent, { membersShown: '1', member: `instructor:${teacher.id}` });
    const room = await enter(teacher.agent, id);
    await admin.agent.get(`/backend/courses/${id}/delete`);
    expect((await admin.agent.post(`/backend/courses/${id}/delete`, { confirm: 'delete' })).status).to.equal(303);
    room.send({ type: 'session.start', ref: 'gone' });
    expect(await room.next('error')).to.include({ code: 'ROOM_NOT_FOUND', ref: 'gone' });
    expect(await server.db.selectFrom('live_sessions').selectAll().where('room_id', '=', id).execute()).to.deep.equal([]);
  });

  it('makes a deleted channel room anew on the next Join, not the remembered one', async () => {
    const channel = await server.kaltura.createChannel('Deleted and back');
    const manager = await server.kaltura.createUser({ role: 'viewerRole' });
    await server.kaltura.addMember(channel.id, manager.id, LEVEL.manager);
    const agent = await signIn(server, manager.id);
    await agent.get(`/channels/${channel.id}/meeting`);
    const first = (await agent.post(`/channels/${channel.id}/meeting/join`, {}, { accept: 'application/json' })).json();
    // The channel's buttons remember its room.
    await agent.get(`/channels/${channel.id}/meeting`);
    await admin.agent.get(`/backend/courses/${first.roomId}/delete`);
    expect((await admin.agent.post(`/backend/courses/${first.roomId}/delete`, { confirm: 'delete' })).status).to.equal(303);
    const again = (await agent.post(`/channels/${channel.id}/meeting/join`, {}, { accept: 'application/json' })).json();
    expect(again.roomId).to.be.a('string').and.not.equal(first.roomId);
    expect((await agent.get(again.launchUrl)).status).to.equal(303);
  });

  describe('the webcam limit', () => {
    it('gives out as many webcam places per live session as the course\'s plan allows, and frees a place when its holder leaves', async () => {
      await setLicences(admin.agent, { smart_custom: 10 });
      const teacher = await backendPerson(server, 'instructor', 'Ines');
      const students = await Promise.all(['Pia', 'Paul'].map((name) => backendPerson(server, 'student', name)));
      const id = await createCourse(admin.agent, {
        plan: 'smart_custom',
        webcamUsers: '2',
        virtualClassrooms: '1',
        cloudRecordingHours: '1',
        selfPacedCourses: '1',
        membersShown: '1',
        member: [`instructor:${teacher.id}`, ...students.map((student) => `student:${student.id}`)],
      });
      const ines = await enter(teacher.agent, id);
      ines.send({ type: 'session.start' });
      await ines.next('session.started');
      const pia = await enter(students[0]!.agent, id);
      const paul = await enter(students[1]!.agent, id);

      const names = (message: { cameras: Array<{ name: string }> }) => message.cameras.map((camera) => camera.name).join(',');
      const cameras = (client: RoomClient, expected: string) => client.next('camera.changed', (message) => names(message as never) === expected);

      paul.send({ type: 'camera.start' });
      expect(await cameras(ines, 'Paul')).to.deep.include({ webcamLimit: 2 });
      ines.send({ type: 'camera.start' });
      await cameras(pia, 'Paul,Ines');

      pia.send({ type: 'camera.start', ref: 'cam' });
      const refused = await pia.next('error');
      expect(refused).to.include({ code: 'WEBCAM_LIMIT', ref: 'cam', message: 'All 2 webcam places of this session are taken. Try again when someone turns their camera off.' });

      // Paul leaves: his place is free again.
      await paul.close();
      await cameras(ines, 'Ines');
      pia.send({ type: 'camera.start' });
      await cameras(ines, 'Ines,Pia');
      const back = await enter(students[1]!.agent, id);
      const welcome = back.received.find((message) => message.type === 'welcome')!;
      expect(welcome.webcamLimit).to.equal(2);
      expect(names(welcome as never)).to.equal('Ines,Pia');

      ines.send({ type: 'camera.stop' });
      await cameras(pia, 'Pia');
      await cameras(back, 'Pia');
    });

    it('takes Smart_15\'s limit from the plan catalogue, and needs a live session and the camera permission', async () => {
      await setLicences(admin.agent, { smart_15: 10 });
      const teacher = await backendPerson(server, 'instructor');
      const id = await createCourse(admin.agent, { plan: 'smart_15', membersShown: '1', member: `instructor:${teacher.id}` });
      const room = await enter(teacher.agent, id);
      expect(room.received.find((message) => message.type === 'welcome')).to.deep.include({ webcamLimit: 15, cameras: [] });
      room.send({ type: 'camera.start', ref: 'early' });
      expect(await room.next('error')).to.include({ code: 'NOT_LIVE', ref: 'early' });
      room.send({ type: 'session.start' });
      await room.next('session.started');
      room.send({ type: 'camera.start' });
      expect(await room.next('camera.changed')).to.deep.include({ webcamLimit: 15 });
    });
  });

  describe('membership from MediaSpace', () => {
    it('makes a channel manager the instructor of their channel\'s course, and its members students', async () => {
      const channel = await server.kaltura.createChannel('Membership channel');
      const manager = await server.kaltura.createUser({ role: 'viewerRole', name: 'Mara Manager' });
      const member = await server.kaltura.createUser({ role: 'viewerRole', name: 'Mel Member' });
      await server.kaltura.addMember(channel.id, manager.id, LEVEL.manager);
      await server.kaltura.addMember(channel.id, member.id, LEVEL.contributor);
      const managerAgent = await signIn(server, manager.id);
      await managerAgent.get(`/channels/${channel.id}/meeting`);
      expect((await managerAgent.post(`/channels/${channel.id}/meeting/start`, {}, { accept: 'application/json' })).status).to.equal(200);
      const memberAgent = await signIn(server, member.id);
      await memberAgent.get(`/channels/${channel.id}/meeting`);
      expect((await memberAgent.post(`/channels/${channel.id}/meeting/join`, {}, { accept: 'application/json' })).status).to.equal(200);

      const room = await server.db.selectFrom('rooms').selectAll().where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
      const rows = await server.db.selectFrom('course_members').select(['user_id', 'role', 'source']).where('room_id', '=', room.id).orderBy('role').execute();
      expect(rows).to.deep.equal([
        { user_id: mediaSpaceUserKey(manager.id), role: 'instructor', source: 'mediaspace' },
        { user_id: mediaSpaceUserKey(member.id), role: 'student', source: 'mediaspace' },
      ]);

      const page = await managerAgent.get('/backend/courses');
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('data-backend-role="instructor"').and.contain('Membership channel');
      const seen = (await managerAgent.get('/backend/courses', { accept: 'application/json' })).json().courses;
      expect(seen.map((course: { id: string; kind: string; access: string }) => ({ id: course.id, kind: course.kind, access: course.access }))).to.deep.equal([{ id: room.id, kind: 'channel', access: 'manage' }]);
      const detail = (await courseAs(managerAgent, room.id)).json();
      expect(detail.members.map((entry: { userId: string; role: string }) => [entry.userId, entry.role])).to.deep.equal([[mediaSpaceUserKey(manager.id), 'instructor'], [mediaSpaceUserKey(member.id), 'student']]);
      // The channel's member attends its active course (a MediaSpace room outside the plans is active).
      expect((await courseAs(memberAgent, room.id)).json()).to.include({ access: 'attend' });
    });

    it('leaves a membership an administrator set in the backend as it is', async () => {
      const channel = await server.kaltura.createChannel('Admin decides');
      const moderator = await server.kaltura.createUser({ role: 'viewerRole' });
      await server.kaltura.addMember(channel.id, moderator.id, LEVEL.moderator);
      const agent = await signIn(server, moderator.id);
      await agent.get(`/channels/${channel.id}/meeting`);
      await agent.post(`/channels/${channel.id}/meeting/join`, {}, { accept: 'application/json' });
      const room = await server.db.selectFrom('rooms').selectAll().where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
      expect((await editCourse(admin.agent, room.id, { membersShown: '1', member: `student:${mediaSpaceUserKey(moderator.id)}` })).status).to.equal(303);
      const again = await signIn(server, moderator.id);
      await again.get(`/channels/${channel.id}/meeting`);
      await again.post(`/channels/${channel.id}/meeting/join`, {}, { accept: 'application/json' });
      expect(await server.db.selectFrom('course_members').select(['role', 'source']).where('room_id', '=', room.id).execute()).to.deep.equal([{ role: 'student', source: 'backend' }]);
      // Past the recorder's memory too: the store itself keeps the administrator's choice.
      await createCourseMemberStore(server.db).recordFromMediaSpace({ roomId: room.id, userId: mediaSpaceUserKey(moderator.id), role: 'instructor', addedAt: Date.now() });
      expect(await server.db.selectFrom('course_members').select(['role', 'source']).where('room_id', '=', room.id).execute()).to.deep.equal([{ role: 'student', source: 'backend' }]);
    });

    it('makes the owner of a new private room its instructor', async () => {
      const owner = await server.kaltura.createUser({ role: 'privateOnlyRole' });
      const agent = await signIn(server, owner.id);
      await agent.get('/my-rooms');
      await agent.post('/my-rooms', { name: 'My seminar' });
      const room = await server.db.selectFrom('rooms').selectAll().where('owner_user_id', '=', mediaSpaceUserKey(owner.id)).executeTakeFirstOrThrow();
      expect(await server.db.selectFrom('course_members').select(['user_id', 'role', 'source']).where('room_id', '=', room.id).execute()).to.deep.equal([{ user_id: mediaSpaceUserKey(owner.id), role: 'instructor', source: 'mediaspace' }]);
      await eventually(async () => expect((await agent.get('/backend/courses', { accept: 'application/json' })).json().courses.map((course: { id: string }) => course.id)).to.deep.equal([room.id]));
    });
  });
});
