import { expect } from 'chai';
import { createAccountStore } from '../../src/users/account-store.ts';
import { channelScene, eachTestServer } from '../support/channel-scene.ts';
import { backendPerson, createCourse } from '../support/courses.ts';
import { LEVEL } from '../support/kaltura-seed.ts';
import { RoomClient } from '../support/room-client.ts';
import type { TestAgent } from '../support/test-agent.ts';
import { signIn } from '../support/test-server.ts';

/** A room pass is worth no more than what granted it: the module session, the channel membership, its time. */
describe('room pass lifetime', () => {
  const test = eachTestServer({ session: { roomPassHours: 2 } });
  const track = test.track;

  /** The room page refuses the pass (401 or 403) with this code, and a new socket is refused too. */
  async function refused(agent: TestAgent, roomId: string, status: number, code: string): Promise<void> {
    const page = await agent.get(`/rooms/${roomId}`, { accept: 'application/json' });
    expect(page.status, page.text).to.equal(status);
    expect(page.json().error.code).to.equal(code);
    await RoomClient.open(agent, roomId).then(
      () => expect.fail('a socket opened on an ended pass'),
      (error: Error) => expect(error.message).to.match(/40[13]/),
    );
  }

  it('ends at sign-out: the open socket closes with 4005 at once and the page refuses; the same person elsewhere stays', async () => {
    const scene = await channelScene(test.server);
    const pia = await scene.member('Pia');
    const here = track(await pia.enter());
    await here.next('welcome');
    const roomId = here.received[0]!.room.id;
    // Pia in another browser: another module session, another pass.
    const otherBrowser = await signIn(test.server, pia.user.id);
    await otherBrowser.get(`/channels/${scene.channel.id}/meeting`);
    const launch = (await otherBrowser.post(`/channels/${scene.channel.id}/meeting/join`, {}, { accept: 'application/json' })).json();
    const there = track(await RoomClient.launch(otherBrowser, launch.launchUrl));
    await there.next('welcome');

    expect((await pia.agent.post('/sign-out')).status).to.equal(303);
    expect(await here.closed).to.deep.equal({ code: 4005, reason: 'signed out' });
    await refused(pia.agent, roomId, 401, 'ROOM_PASS_ENDED');
    expect(there.socket.readyState).to.equal(there.socket.OPEN);
    expect((await otherBrowser.get(`/rooms/${roomId}`, { accept: 'application/json' })).status).to.equal(200);
  });

  it('follows its module session when a relaunch from MediaSpace rotates the session id: the open socket stays and the page still opens', async () => {
    const scene = await channelScene(test.server);
    const pia = await scene.member('Pia');
    const room = track(await pia.enter());
    await room.next('welcome');
    const roomId = room.received[0]!.room.id;

    // Pia opens another channel page in MediaSpace: the same browser launches again, with a new KS.
    const ks = await test.server.kaltura.userKs(pia.user.id);
    expect((await pia.agent.get(`/launch?ks=${encodeURIComponent(ks)}&returnTo=%2F`)).status).to.equal(303);
    // Past the once-a-minute check of open sockets, which also asks whether the pass's session lives.
    await test.scheduler.advance(61_000);
    expect(room.socket.readyState).to.equal(room.socket.OPEN);
    expect((await pia.agent.get(`/rooms/${roomId}`, { accept: 'application/json' })).status).to.equal(200);
    // The rotated session still ends the pass at sign-out.
    expect((await pia.agent.post('/sign-out')).status).to.equal(303);
    expect((await room.closed).code).to.equal(4005);
  });

  it('ends when a backend account is deactivated: its open socket closes with 4005 and the page refuses', async () => {
    const admin = await backendPerson(test.server, 'administrator');
    const teacher = await backendPerson(test.server, 'instructor', 'Theo');
    const courseId = await createCourse(admin.agent, { membersShown: '1', member: `instructor:${teacher.id}` });
    const entered = await teacher.agent.post(`/backend/courses/${courseId}/enter`, {}, { accept: 'application/json' });
    const room = track(await RoomClient.launch(teacher.agent, entered.json().launchUrl));
    await room.next('welcome');

    const { version } = (await createAccountStore(test.server.db).findById(teacher.id))!;
    expect((await admin.agent.postJson(`/backend/users/${teacher.id}/deactivate`, { version })).status).to.equal(200);
    expect((await room.closed).code).to.equal(4005);
    await refused(teacher.agent, courseId, 401, 'ROOM_PASS_ENDED');
  });

  it('ends when Kaltura no longer lists the person in the channel: re-checked within a minute, the socket closes with 4006', async () => {
    const scene = await channelScene(test.server);
    const pia = await scene.member('Pia');
    const room = track(await pia.enter());
    await room.next('welcome');
    const roomId = room.received[0]!.room.id;

    await test.server.kaltura.removeMember(scene.channel.id, pia.user.id);
    await test.scheduler.advance(30_000);
    expect(room.socket.readyState, 'not yet: the last check is recent').to.equal(room.socket.OPEN);
    await test.scheduler.advance(31_000);
    expect(await room.closed).to.deep.equal({ code: 4006, reason: 'no longer a member of the channel' });
    await refused(pia.agent, roomId, 403, 'NOT_A_CHANNEL_MEMBER');
  });

  it('re-checks the membership when the page is loaded a minute after the last check, and a demoted instructor is put out too', async () => {
    const scene = await channelScene(test.server);
    const ines = track(await scene.instructor());
    await ines.next('welcome');
    const roomId = ines.received[0]!.room.id;
    await ines.close();
    await test.server.kaltura.setMemberLevel(scene.channel.id, scene.manager.id, LEVEL.member);
    await test.scheduler.advance(61_000);
    await refused(scene.managerAgent, roomId, 403, 'NOT_A_CHANNEL_MEMBER');
  });

  it('lasts roomPassHours at most: the socket closes with 4007 when its time is up and the page refuses', async () => {
    const scene = await channelScene(test.server);
    const pia = await scene.member('Pia', LEVEL.member, { ksExpiry: 6 * 3600 });
    const room = track(await pia.enter());
    await room.next('welcome');
    const roomId = room.received[0]!.room.id;
    const cookie = pia.agent.cookie('lr_room', `/rooms/${roomId}`);
    expect(cookie).to.be.a('string');

    // In the room all along: the checks of the open socket keep the module session from going idle.
    for (let minutes = 0; minutes < 115; minutes += 5) await test.scheduler.advance(5 * 60_000);
    await test.scheduler.advance(5 * 60_000 - 1000);
    expect(room.socket.readyState).to.equal(room.socket.OPEN);
    await test.scheduler.advance(1000);
    expect(await room.closed).to.deep.equal({ code: 4007, reason: 'the room pass expired' });
    await refused(pia.agent, roomId, 401, 'ROOM_PASS_EXPIRED');
  });

  it('never outlasts the module session that launched it', async () => {
    const scene = await channelScene(test.server);
    // A KS that Kaltura honours for ten minutes: the module session ends with it, and so does the pass.
    const { agent: shortLived } = await scene.member('Pia', LEVEL.member, { ksExpiry: 600 });
    const launch = (await shortLived.post(`/channels/${scene.channel.id}/meeting/join`, {}, { accept: 'application/json' })).json();
    const launched = await shortLived.get(launch.launchUrl);
    const expires = Date.parse(/Expires=([^;]+)/.exec(launched.headers.getSetCookie().find((c) => c.startsWith('lr_room='))!)![1]!);
    expect(expires).to.be.at.most(test.scheduler.now() + 600_000);
    const room = track(await RoomClient.open(shortLived, launch.roomId));
    await room.next('welcome');
    await test.scheduler.advance(600_000);
    expect((await room.closed).code).to.equal(4007);
  });
});
