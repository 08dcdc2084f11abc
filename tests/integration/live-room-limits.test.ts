import { expect } from 'chai';
import { channelScene, eachTestServer } from '../support/channel-scene.ts';
import { eventually } from '../support/manual-scheduler.ts';
import { RoomClient } from '../support/room-client.ts';

describe('live room limits', () => {
  const test = eachTestServer({ liveRoom: { actionRatePerSecond: 2, actionBurst: 6 } });
  const track = test.track;

  /**
   * Everything `from` sent before this has been handled, and what it caused has reached every client
   * listed: chat goes through the same room queue, and each socket delivers in order.
   */
  async function flushed(from: RoomClient, marker: string, ...others: RoomClient[]): Promise<void> {
    from.send({ type: 'chat.send', text: marker });
    await Promise.all([from, ...others].map((client) => client.next('chat.message', (m) => m.message.text === marker)));
  }

  describe('state-changing messages', () => {
    it('throttles a burst of hand and camera toggles: the others see a bounded number of changes, the sender is told and stays connected', async () => {
      const scene = await channelScene(test.server);
      await scene.startFromMediaSpace();
      const pia = track(await scene.participant('Pia'));
      const paul = track(await scene.participant('Paul'));
      await Promise.all([pia.next('welcome'), paul.next('welcome')]);

      for (let i = 0; i < 300; i++) {
        pia.send({ type: i % 2 === 0 ? 'hand.raise' : 'hand.lower' });
        pia.send({ type: i % 2 === 0 ? 'camera.start' : 'camera.stop' });
      }
      await flushed(pia, 'after the burst', paul);
      const broadcasts = paul.unread('hand.raised').length + paul.unread('hand.lowered').length + paul.unread('camera.changed').length;
      expect(broadcasts).to.be.at.most(6);
      expect(paul.unread('camera.changed'), 'camera toggles count too').to.not.be.empty;
      const refused = pia.unread('error');
      expect(refused).to.have.length(600 - 6);
      expect(refused[0]).to.include({ code: 'RATE_LIMITED' });
      expect(refused[0]!.message).to.contain('too quickly');

      // The allowance comes back with time, at the configured rate.
      await test.scheduler.advance(1000);
      pia.send({ type: 'hand.raise' });
      pia.send({ type: 'hand.lower' });
      pia.send({ type: 'hand.raise' });
      await flushed(pia, 'a second later', paul);
      expect(pia.unread('error')).to.have.length(600 - 6 + 1);
    });

    it('counts several tabs of one person against one allowance, and instructors\' moderation too', async () => {
      const scene = await channelScene(test.server);
      await scene.startFromMediaSpace();
      const ines = track(await scene.instructor());
      const pia = await scene.member('Pia');
      const [tab1, tab2] = [track(await pia.enter()), track(await pia.enter())];
      await Promise.all([ines.next('welcome'), tab1.next('welcome'), tab2.next('welcome')]);
      for (let i = 0; i < 10; i++) (i % 2 === 0 ? tab1 : tab2).send({ type: 'hand.raise' });
      for (let i = 0; i < 10; i++) ines.send({ type: 'session.start' });
      await flushed(tab1, 'tabs done', tab2, ines);
      await flushed(ines, 'instructor done', tab1);
      expect(tab1.unread('error').length + tab2.unread('error').length).to.equal(4);
      expect(ines.unread('error').filter((m) => m.code === 'RATE_LIMITED')).to.have.length(4);
    });
  });

  describe('connections per person', () => {
    it('keeps at most 5 sockets of one person in a room: each newer one closes their oldest with 4004', async () => {
      const scene = await channelScene(test.server);
      await scene.startFromMediaSpace();
      const ines = track(await scene.instructor());
      await ines.next('welcome');
      const pia = await scene.member('Pia');
      const first = track(await pia.enter());
      await first.next('welcome');
      const roomId = first.received[0]!.room.id;
      // The same pass, again and again, as a script would.
      const more: RoomClient[] = [];
      for (let i = 0; i < 20; i++) {
        const client = track(await RoomClient.open(pia.agent, roomId));
        await client.next('welcome');
        more.push(client);
      }
      const all = [first, ...more];
      const closes = await Promise.all(all.slice(0, 16).map((client) => client.closed));
      expect(closes.every((close) => close.code === 4004)).to.equal(true);
      expect(closes[0]!.reason).to.contain('too many tabs');
      for (const client of all.slice(16)) expect(client.socket.readyState).to.equal(client.socket.OPEN);
      await eventually(() => expect(test.server.roomConnections()).to.equal(1 + 5));
      // Pia is still one person in the room, present once.
      expect(ines.unread('presence.left')).to.have.length(0);
      all[20]!.send({ type: 'chat.send', text: 'still here' });
      expect((await ines.next('chat.message')).message.name).to.equal('Pia');
    });
  });
});
