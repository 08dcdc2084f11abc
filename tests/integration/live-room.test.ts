import { rmSync } from 'node:fs';
import { expect } from 'chai';
import WebSocket from 'ws';
import { LEVEL } from '../support/kaltura-seed.ts';
import { eventually, ManualScheduler } from '../support/manual-scheduler.ts';
import { channelScene } from '../support/channel-scene.ts';
import { RoomClient } from '../support/room-client.ts';
import { mediaSpaceUserKey } from '../../src/identity/user-keys.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

async function roomRows(server: TestServer, table: 'attendance' | 'chat_messages' | 'live_sessions') {
  return server.db.selectFrom(table).selectAll().execute();
}

describe('live room', () => {
  let server: TestServer;
  let scheduler: ManualScheduler;
  const clients: RoomClient[] = [];
  const track = (client: RoomClient) => (clients.push(client), client);

  beforeEach(async () => {
    scheduler = new ManualScheduler();
    server = await startTestServer({ scheduler, config: { liveRoom: { chatRatePerSecond: 5, chatBurst: 10, defaultCapacity: 300 } } });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.terminate();
    await server.stop();
  });

  describe('waiting room', () => {
    it('holds participants until an instructor starts, then admits them without a reload', async () => {
      const scene = await channelScene(server);
      const pia = track(await scene.participant('Pia'));
      const welcome = await pia.next('welcome');
      expect(welcome).to.deep.include({ phase: 'waiting', session: null, waitingCount: 1, participants: [], chat: [] });
      expect(welcome.you).to.include({ name: 'Pia', role: 'participant' });

      const ines = track(await scene.instructor());
      const instructorView = await ines.next('welcome');
      expect(instructorView.phase).to.equal('waiting');
      expect(instructorView.waiting.map((p: { name: string }) => p.name)).to.deep.equal(['Pia']);

      const paul = track(await scene.participant('Paul'));
      expect((await paul.next('welcome')).waitingCount).to.equal(2);
      expect((await pia.next('waiting.changed', (m) => m.waitingCount === 2)).waiting).to.deep.equal([]);
      expect((await ines.next('waiting.changed', (m) => m.waitingCount === 2)).waiting.map((p: { name: string }) => p.name)).to.have.members(['Pia', 'Paul']);

      ines.send({ type: 'session.start' });
      const started = await pia.next('session.started');
      expect(started.participants.map((p: { name: string }) => p.name)).to.have.members(['Ines Instructor', 'Pia', 'Paul']);
      await paul.next('session.started');
      expect(await roomRows(server, 'live_sessions')).to.have.length(1);
    });

    it('treats Start Meeting in MediaSpace and the room\'s Start as one operation', async () => {
      const scene = await channelScene(server);
      const pia = track(await scene.participant());
      await pia.next('welcome');
      await scene.startFromMediaSpace();
      const started = await pia.next('session.started');
      expect(started.session.id).to.be.a('string');
      const ines = track(await scene.instructor());
      expect((await ines.next('welcome')).session.id).to.equal(started.session.id);
      ines.send({ type: 'session.start' });
      await eventually(async () => expect(await roomRows(server, 'live_sessions')).to.have.length(1));
      expect((await scene.managerAgent.get(`/channels/${scene.channel.id}/meeting`, { accept: 'application/json' })).json()).to.include({ live: true });
    });
  });

  describe('chat', () => {
    it('broadcasts messages, sends this session\'s history on entry, and lets instructors delete for everyone', async () => {
      const scene = await channelScene(server);
      await scene.startFromMediaSpace();
      const ines = track(await scene.instructor());
      const pia = track(await scene.participant('Pia'));
      await ines.next('welcome');
      await pia.next('welcome');

      pia.send({ type: 'chat.send', text: '  Hello, see https://example.org/notes  ' });
      const atInstructor = await ines.next('chat.message');
      expect(atInstructor.message).to.include({ name: 'Pia', role: 'participant', text: 'Hello, see https://example.org/notes' });
      await pia.next('chat.message');
      ines.send({ type: 'chat.send', text: '<b>not bold</b>' });
      const raw = (await pia.next('chat.message')).message;
      expect(raw.text).to.equal('<b>not bold</b>');

      const late = track(await scene.participant('Lou'));
      const history = (await late.next('welcome')).chat;
      expect(history.map((m: { text: string }) => m.text)).to.deep.equal(['Hello, see https://example.org/notes', '<b>not bold</b>']);

      ines.send({ type: 'chat.delete', messageId: atInstructor.message.id });
      expect((await late.next('chat.deleted')).messageId).to.equal(atInstructor.message.id);
      const again = track(await scene.participant('Max'));
      expect((await again.next('welcome')).chat.map((m: { text: string }) => m.text)).to.deep.equal(['<b>not bold</b>']);
      const rows = await roomRows(server, 'chat_messages');
      expect(rows).to.have.length(2);
      expect(rows.find((row) => row.id === atInstructor.message.id)?.deleted_by).to.equal(mediaSpaceUserKey(scene.manager.id));
    });

    it('refuses chat before the session is live, and messages over 2,000 characters', async () => {
      const scene = await channelScene(server);
      const pia = track(await scene.participant());
      await pia.next('welcome');
      pia.send({ type: 'chat.send', text: 'anyone?', ref: 'c1' });
      expect(await pia.next('error')).to.include({ code: 'NOT_LIVE', ref: 'c1' });
      await scene.startFromMediaSpace();
      await pia.next('session.started');
      pia.send({ type: 'chat.send', text: 'x'.repeat(2001) });
      expect((await pia.next('error')).code).to.equal('INVALID_MESSAGE');
      pia.send({ type: 'chat.send', text: 'y'.repeat(2000) });
      expect((await pia.next('chat.message')).message.text).to.have.length(2000);
    });

    it('limits each person to a burst of 10 and 5 messages a second, telling the sender', async () => {
      const scene = await channelScene(server);
      await scene.startFromMediaSpace();
      const pia = track(await scene.participant());
      await pia.next('welcome');
      for (let i = 0; i < 11; i++) pia.send({ type: 'chat.send', text: `m${i}` });
      const refused = await pia.next('error');
      expect(refused.code).to.equal('RATE_LIMITED');
      expect(refused.message).to.contain('too quickly');
      await eventually(async () => expect(await roomRows(server, 'chat_messages')).to.have.length(10));
      await scheduler.advance(1000);
      pia.send({ type: 'chat.send', text: 'after a second' });
      expect((await pia.next('chat.message', (m) => m.message.text === 'after a second')).message.text).to.equal('after a second');
    });
  });

  describe('permissions', () => {
    it('refuses a participant who tries to end the session, remove someone, start, or delete others\' messages', async () => {
      const scene = await channelScene(server);
      await scene.startFromMediaSpace();
      const ines = track(await scene.instructor());
      const pia = track(await scene.participant('Pia'));
      const paul = track(await scene.participant('Paul'));
      await Promise.all([ines.next('welcome'), pia.next('welcome'), paul.next('welcome')]);
      ines.send({ type: 'chat.send', text: 'instructor note' });
      const note = (await pia.next('chat.message')).message;
      const inesId = ines.received[0]!.you.participantId;

      const attempts: Array<[Record<string, unknown>, string]> = [
        [{ type: 'session.end' }, 'end the session'],
        [{ type: 'participant.remove', participantId: inesId }, 'remove participants'],
        [{ type: 'session.start' }, 'start the session'],
        [{ type: 'chat.delete', messageId: note.id }, "delete other people's messages"],
        [{ type: 'hand.lower', participantId: inesId }, "lower other people's hands"],
        [{ type: 'participant.allow', participantId: 'someone' }, 'let removed people back in'],
      ];
      for (const [message, what] of attempts) {
        paul.send(message);
        const refused = await paul.next('error');
        expect(refused.code, JSON.stringify(message)).to.equal('NOT_ALLOWED');
        expect(refused.message).to.contain(what);
      }
      expect((await roomRows(server, 'live_sessions'))[0]!.ended_at).to.equal(null);
      expect((await roomRows(server, 'chat_messages'))[0]!.deleted_at).to.equal(null);
    });
  });

  describe('bad messages', () => {
    it('answers malformed, unknown, invalid and binary messages with an error and keeps the connection', async () => {
      const scene = await channelScene(server);
      await scene.startFromMediaSpace();
      const pia = track(await scene.participant());
      await pia.next('welcome');
      const cases: Array<[string | Buffer, string, boolean?]> = [
        ['{not json', 'BAD_JSON'],
        [JSON.stringify({ v: 1, type: 'teleport' }), 'UNKNOWN_TYPE'],
        [JSON.stringify({ type: 'chat.send', text: 'no version' }), 'INVALID_MESSAGE'],
        [JSON.stringify({ v: 2, type: 'chat.send', text: 'future' }), 'INVALID_MESSAGE'],
        [JSON.stringify({ v: 1, type: 'chat.delete', messageId: '../../etc' }), 'INVALID_MESSAGE'],
        [JSON.stringify([1, 2, 3]), 'UNKNOWN_TYPE'],
        [Buffer.from([1, 2, 3]), 'BINARY_NOT_ACCEPTED', true],
      ];
      for (const [data, code, binary] of cases) {
        pia.sendRaw(data, { binary });
        expect((await pia.next('error')).code, String(data)).to.equal(code);
      }
      pia.send({ type: 'chat.send', text: 'still here' });
      expect((await pia.next('chat.message')).message.text).to.equal('still here');
    });

    it('closes with 1009 a frame over the size limit, and the server keeps serving', async () => {
      const scene = await channelScene(server);
      const pia = track(await scene.participant());
      await pia.next('welcome');
      pia.sendRaw(JSON.stringify({ v: 1, type: 'chat.send', text: 'z'.repeat(20_000) }));
      expect((await pia.closed).code).to.equal(1009);
      const again = track(await scene.participant('Again'));
      expect((await again.next('welcome')).type).to.equal('welcome');
    });
  });

  describe('who may connect', () => {
    it('refuses a socket without a room pass, with another room\'s pass, or from a foreign page', async () => {
      const scene = await channelScene(server);
      const pia = await scene.member('Pia');
      const client = track(await pia.enter());
      await client.next('welcome');
      const roomId = (client.received[0]!.room as { id: string }).id;
      const pass = pia.agent.cookie('lr_room', `/rooms/${roomId}`)!;

      await RoomClient.open(server.agent(), roomId).then(() => expect.fail('opened without a pass'), (error: Error) => expect(error.message).to.contain('401'));
      const other = await channelScene(server);
      const otherRoom = (await (await other.participant()).next('welcome')).room.id;
      await RoomClient.open(server.agent(), otherRoom, { cookie: pass }).then(() => expect.fail('opened with another room\'s pass'), (error: Error) => expect(error.message).to.contain('401'));
      await RoomClient.open(pia.agent, roomId, { origin: 'https://evil.example' }).then(() => expect.fail('opened from a foreign origin'), (error: Error) => expect(error.message).to.contain('403'));
    });
  });

  describe('presence and attendance', () => {
    it('counts several tabs of one person once', async () => {
      const scene = await channelScene(server);
      await scene.startFromMediaSpace();
      const ines = track(await scene.instructor());
      await ines.next('welcome');
      const pia = await scene.member('Pia');
      const tab1 = track(await pia.enter());
      await tab1.next('welcome');
      await ines.next('presence.joined');
      const tab2 = track(await pia.enter());
      await tab2.next('welcome');
      await tab1.close();
      tab2.send({ type: 'chat.send', text: 'still one of me' });
      await ines.next('chat.message');
      expect(ines.unread('presence.joined')).to.have.length(0);
      expect(ines.unread('presence.left')).to.have.length(0);
      expect((await roomRows(server, 'attendance')).filter((row) => row.user_name === 'Pia')).to.have.length(1);
    });

    it('continues the same attendance interval after a reconnect within 30 s, and starts a new one after', async () => {
      const scene = await channelScene(server);
      await scene.startFromMediaSpace();
      const pia = await scene.member('Pia');
      const first = track(await pia.enter());
      await first.next('welcome');
      const joinedAt = scheduler.now();
      await scheduler.advance(5_000);
      await first.close();
      const leftAt = scheduler.now();
      await scheduler.advance(20_000);
      const back = track(await RoomClient.open(pia.agent, first.received[0]!.room.id));
      await back.next('welcome');
      await scheduler.advance(60_000);
      let rows = (await roomRows(server, 'attendance')).filter((row) => row.user_name === 'Pia');
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({ joined_at: joinedAt, left_at: null });

      await back.close();
      const secondLeave = scheduler.now();
      await scheduler.advance(31_000);
      rows = await eventually(async () => {
        const found = (await roomRows(server, 'attendance')).filter((row) => row.user_name === 'Pia');
        expect(found[0]!.left_at).to.equal(secondLeave);
        return found;
      });
      expect(leftAt).to.be.below(secondLeave);
      const third = track(await RoomClient.open(pia.agent, first.received[0]!.room.id));
      await third.next('welcome');
      await eventually(async () => expect((await roomRows(server, 'attendance')).filter((row) => row.user_name === 'Pia')).to.have.length(2));
    });

    it('records name, email and room role, and closes everyone\'s interval when the session ends', async () => {
      const scene = await channelScene(server);
      await scene.startFromMediaSpace();
      const ines = track(await scene.instructor());
      const pia = track(await scene.participant('Pia'));
      await Promise.all([ines.next('welcome'), pia.next('welcome')]);
      await scheduler.advance(90_000);
      ines.send({ type: 'session.end' });
      const ended = await pia.next('session.ended');
      expect(ended.reason).to.equal('ended-by-instructor');
      await ines.next('session.ended');
      const rows = await roomRows(server, 'attendance');
      expect(rows.map((row) => [row.user_name, row.role, row.left_at])).to.have.deep.members([
        ['Ines Instructor', 'instructor', ended.endedAt],
        ['Pia', 'participant', ended.endedAt],
      ]);
      expect(rows.every((row) => row.user_email?.endsWith('@test.example'))).to.equal(true);
      expect((await roomRows(server, 'live_sessions'))[0]).to.include({ ended_at: ended.endedAt, end_reason: 'ended-by-instructor' });
    });
  });

  describe('instructor grace', () => {
    it('keeps the session live for 10 minutes after the last instructor leaves, then ends it', async () => {
      const scene = await channelScene(server);
      await scene.startFromMediaSpace();
      const ines = track(await scene.instructor());
      const pia = track(await scene.participant());
      await Promise.all([ines.next('welcome'), pia.next('welcome')]);
      await ines.close();
      await pia.next('presence.left');
      await scheduler.advance(9 * 60_000);
      expect(pia.unread('session.ended')).to.have.length(0);
      await scheduler.advance(61_000);
      expect((await pia.next('session.ended')).reason).to.equal('no-instructor');
    });

    it('says on the channel card that no instructor is in the live meeting and when it ends, instead of "live now"', async () => {
      const scene = await channelScene(server);
      await scene.startFromMediaSpace();
      const ines = track(await scene.instructor());
      await ines.next('welcome');
      const card = async () => scene.managerAgent.get(`/channels/${scene.channel.id}/meeting`);
      const json = async () => (await scene.managerAgent.get(`/channels/${scene.channel.id}/meeting`, { accept: 'application/json' })).json();
      expect(await json()).to.include({ live: true, endsInMinutes: null });
      expect((await card()).text).to.contain('Meeting live now').and.not.contain('No instructor');

      await ines.close();
      await eventually(async () => expect(await json()).to.include({ live: true, endsInMinutes: 10 }));
      await scheduler.advance(2 * 60_000 + 1_000);
      expect(await json()).to.include({ endsInMinutes: 8 });
      const page = (await card()).text;
      expect(page).to.contain('Live, no instructor: ends in 8 min').and.not.contain('Meeting live now');
      // One clear action while it is live: Join, not Start and Join.
      expect(page).to.contain('data-action="join"').and.not.contain('data-action="start"');

      const back = track(await scene.instructor());
      await back.next('welcome');
      expect(await json()).to.include({ endsInMinutes: null });
    });

    it('lets the session go on when an instructor comes back within the grace period', async () => {
      const scene = await channelScene(server);
      await scene.startFromMediaSpace();
      const ines = track(await scene.instructor());
      const pia = track(await scene.participant());
      await Promise.all([ines.next('welcome'), pia.next('welcome')]);
      await ines.close();
      await scheduler.advance(5 * 60_000);
      const back = track(await RoomClient.open(scene.managerAgent, ines.received[0]!.room.id));
      await back.next('welcome');
      await scheduler.advance(20 * 60_000);
      expect(pia.unread('session.ended')).to.have.length(0);
      expect((await roomRows(server, 'live_sessions'))[0]!.ended_at).to.equal(null);
    });
  });

  describe('hands and removal', () => {
    it('shows raised hands in order, and lets the instructor lower any hand', async () => {
      const scene = await channelScene(server);
      await scene.startFromMediaSpace();
      const ines = track(await scene.instructor());
      const pia = track(await scene.participant('Pia'));
      const paul = track(await scene.participant('Paul'));
      await Promise.all([ines.next('welcome'), pia.next('welcome'), paul.next('welcome')]);
      pia.send({ type: 'hand.raise' });
      await ines.next('hand.raised', (m) => m.hand.name === 'Pia');
      await scheduler.advance(1000);
      paul.send({ type: 'hand.raise' });
      await ines.next('hand.raised', (m) => m.hand.name === 'Paul');
      const late = track(await scene.instructor());
      expect((await late.next('welcome')).hands.map((hand: { name: string }) => hand.name)).to.deep.equal(['Pia', 'Paul']);
      ines.send({ type: 'hand.lower', participantId: pia.received[0]!.you.participantId });
      expect((await paul.next('hand.lowered')).participantId).to.equal(pia.received[0]!.you.participantId);
      paul.send({ type: 'hand.lower' });
      await pia.next('hand.lowered', (m) => m.participantId === paul.received[0]!.you.participantId);
    });

    it('removes a participant, refuses their new launches until the instructor allows them back', async () => {
      const scene = await channelScene(server);
      await scene.startFromMediaSpace();
      const ines = track(await scene.instructor());
      const pia = await scene.member('Pia');
      const piaClient = track(await pia.enter());
      await Promise.all([ines.next('welcome'), piaClient.next('welcome')]);
      const piaId = piaClient.received[0]!.you.participantId;

      ines.send({ type: 'participant.remove', participantId: piaId });
      expect((await piaClient.next('removed')).message).to.contain('removed you');
      expect((await piaClient.closed).code).to.equal(4001);
      await ines.next('presence.left', (m) => m.participantId === piaId);
      expect((await ines.next('removals.changed')).removed.map((person: { name: string }) => person.name)).to.deep.equal(['Pia']);
      const coInstructor = track(await scene.instructor());
      expect((await coInstructor.next('welcome')).removed.map((person: { participantId: string }) => person.participantId)).to.deep.equal([piaId]);

      const relaunch = await pia.agent.post(`/channels/${scene.channel.id}/meeting/join`, {}, { accept: 'application/json' });
      const refused = await pia.agent.get(relaunch.json().launchUrl);
      expect(refused.status).to.equal(403);
      expect(refused.text).to.contain('removed you');
      // Her channel card says so instead of offering a Join that would be refused.
      const card = await pia.agent.get(`/channels/${scene.channel.id}/meeting`);
      expect(card.text).to.contain('An instructor removed you from this meeting.').and.not.contain('data-action="join"');
      expect((await pia.agent.get(`/channels/${scene.channel.id}/meeting`, { accept: 'application/json' })).json()).to.deep.include({ removed: true, actions: [] });
      // Refused inside MediaSpace's frame, it is a short message, not a page with a second header.
      const inFrame = await pia.agent.post(`/channels/${scene.channel.id}/meeting/join`, {}, { accept: 'application/json' });
      const framed = await pia.agent.get(inFrame.json().launchUrl, { headers: { 'Sec-Fetch-Dest': 'iframe' } });
      expect(framed.text).to.contain('data-framed-error="403"').and.contain('removed you').and.not.contain('site-header');
      const sneaky = await RoomClient.open(pia.agent, piaClient.received[0]!.room.id);
      expect((await sneaky.next('removed')).type).to.equal('removed');
      expect((await sneaky.closed).code).to.equal(4001);

      ines.send({ type: 'participant.remove', participantId: ines.received[0]!.you.participantId });
      expect((await ines.next('error')).message).to.contain('Instructors cannot be removed');

      ines.send({ type: 'participant.allow', participantId: piaId });
      expect((await coInstructor.next('removals.changed')).removed).to.deep.equal([]);
      await eventually(async () => {
        const again = await pia.agent.post(`/channels/${scene.channel.id}/meeting/join`, {}, { accept: 'application/json' });
        expect((await pia.agent.get(again.json().launchUrl)).status).to.equal(303);
      });
      expect((await pia.agent.get(`/channels/${scene.channel.id}/meeting`, { accept: 'application/json' })).json()).to.deep.include({ removed: false, actions: ['join'] });
    });
  });

  describe('participant ids', () => {
    it('never shows anyone a key that signing in uses: people, hands, chat, cameras and removals carry opaque ids that moderation maps back', async () => {
      const scene = await channelScene(server);
      await scene.startFromMediaSpace();
      const ines = track(await scene.instructor());
      const pia = await scene.member('Pia');
      const piaClient = track(await pia.enter());
      const paul = await scene.member('Paul');
      const paulClient = track(await paul.enter());
      await Promise.all([ines.next('welcome'), piaClient.next('welcome'), paulClient.next('welcome')]);
      piaClient.send({ type: 'hand.raise' });
      piaClient.send({ type: 'chat.send', text: 'hello' });
      await ines.next('chat.message');
      const piaId = piaClient.received[0]!.you.participantId;
      expect(piaId).to.match(/^p_[\w-]{22}$/);
      ines.send({ type: 'participant.remove', participantId: (await ines.next('hand.raised')).hand.participantId });
      await piaClient.closed;
      const late = track(await scene.instructor());
      const welcome = await late.next('welcome');
      expect(welcome.removed.map((person: { participantId: string }) => person.participantId)).to.deep.equal([piaId]);
      expect(welcome.chat[0].participantId).to.equal(piaId);

      const everything = JSON.stringify([ines, piaClient, paulClient, late].flatMap((client) => client.received));
      for (const key of [pia.user.id, paul.user.id, scene.manager.id]) expect(everything).to.not.contain(`"${key}"`);
      expect(everything).to.not.match(/"userId"/);
    });

    it('keeps a person\'s id across reconnects, and gives them another in another room', async () => {
      const scene = await channelScene(server);
      const pia = await scene.member('Pia');
      const first = track(await pia.enter());
      const id = (await first.next('welcome')).you.participantId;
      await first.close();
      const again = track(await RoomClient.open(pia.agent, first.received[0]!.room.id));
      expect((await again.next('welcome')).you.participantId).to.equal(id);
      const other = await channelScene(server);
      await server.kaltura.addMember(other.channel.id, pia.user.id, LEVEL.member);
      await pia.agent.get(`/channels/${other.channel.id}/meeting`);
      const join = (await pia.agent.post(`/channels/${other.channel.id}/meeting/join`, {}, { accept: 'application/json' })).json();
      const elsewhere = track(await RoomClient.launch(pia.agent, join.launchUrl));
      expect((await elsewhere.next('welcome')).you.participantId).to.be.a('string').and.not.equal(id);
    });
  });

  describe('capacity', () => {
    it('shows "room is full" to the next person over the limit, and never locks instructors out', async () => {
      await server.stop();
      server = await startTestServer({ scheduler, config: { liveRoom: { defaultCapacity: 2 } } });
      const scene = await channelScene(server);
      const first = track(await scene.participant('One'));
      const second = track(await scene.participant('Two'));
      await Promise.all([first.next('welcome'), second.next('welcome')]);
      const third = track(await scene.participant('Three'));
      const full = await third.next('error');
      expect(full.code).to.equal('ROOM_FULL');
      expect(full.message).to.contain('room is full');
      expect((await third.closed).code).to.equal(4003);
      const ines = track(await scene.instructor());
      expect((await ines.next('welcome')).waitingCount).to.equal(2);
    });
  });

  describe('restart during a live session', () => {
    it('loses nothing: reconnecting clients resume their interval, those who never come back leave at their last heartbeat', async () => {
      const scene = await channelScene(server);
      await scene.startFromMediaSpace();
      const ines = track(await scene.instructor());
      const pia = await scene.member('Pia');
      const piaClient = track(await pia.enter());
      const paul = track(await scene.participant('Paul'));
      await Promise.all([ines.next('welcome'), piaClient.next('welcome'), paul.next('welcome')]);
      piaClient.send({ type: 'chat.send', text: 'before the restart' });
      await ines.next('chat.message');
      const roomId = ines.received[0]!.room.id;
      const dataDir = server.dataDir;
      const port = Number(new URL(server.url).port);

      await server.close();
      await Promise.all([ines.closed, piaClient.closed, paul.closed]);
      const restarted = await startTestServer({ scheduler, dataDir, config: { http: { port } } });
      server = { ...restarted, stop: async () => (await restarted.stop(), rmSync(dataDir, { recursive: true, force: true })) };
      // The built-in emulator forgets what was seeded when the service restarts (Kaltura would not), and the room re-checks Pia's membership.
      const channelAgain = await server.kaltura.createChannel(scene.channel.name);
      expect(channelAgain.id, 'the emulator numbers channels the same way again').to.equal(scene.channel.id);
      await server.kaltura.createUser({ id: pia.user.id, name: 'Pia', role: 'viewerRole' });
      await server.kaltura.addMember(scene.channel.id, pia.user.id, LEVEL.member);
      const piaBack = track(await RoomClient.open(pia.agent, roomId));
      const welcome = await piaBack.next('welcome');
      expect(welcome.phase).to.equal('live');
      expect(welcome.chat.map((m: { text: string }) => m.text)).to.deep.equal(['before the restart']);
      await scheduler.advance(31_000);

      const rows = await eventually(async () => {
        const found = await roomRows(server, 'attendance');
        expect(found.filter((row) => row.left_at !== null)).to.have.length(2);
        return found;
      });
      expect(rows).to.have.length(3);
      expect(rows.find((row) => row.user_name === 'Pia')!.left_at).to.equal(null);
      expect(rows.find((row) => row.user_name === 'Paul')!.left_at).to.equal(rows.find((row) => row.user_name === 'Paul')!.last_seen_at);
    });
  });
});

describe('live room page', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('serves the room shell with the room name and its socket address, and no socket without a pass', async () => {
    const scene = await channelScene(server);
    const url = await scene.startFromMediaSpace();
    const page = await scene.managerAgent.follow(await scene.managerAgent.get(url));
    expect(page.text).to.contain(scene.channel.name).and.contain('data-room-socket').and.contain('/assets/live-room/room.js');
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/rooms/${url.split('/')[2]}/ws`);
    const refused = await new Promise<number>((resolve) => socket.once('unexpected-response', (_req, res) => resolve(res.statusCode!)));
    expect(refused).to.equal(401);
  });
});
