import { expect } from 'chai';
import sinon from 'sinon';
import { createCachedRoomStore, ROOM_BY_CHANNEL_TTL_MS } from '../../../src/rooms/cached-room-store.ts';
import type { Room, RoomStore } from '../../../src/rooms/room-store.ts';

const AT = Date.parse('2026-03-02T09:00:00Z');

function channelRoom(overrides: Partial<Room> = {}): Room {
  return { id: 'room-7', kind: 'channel', name: 'Physics 101', channelId: 7, ownerUserId: null, capacity: null, createdAt: AT, updatedAt: AT, planId: null, planLimits: null, ...overrides };
}

function fakeStore(existing: Room | null = channelRoom()) {
  return {
    findById: sinon.stub().resolves(existing),
    findByChannel: sinon.stub().resolves(existing),
    ensureChannelRoom: sinon.stub().callsFake(async (channelId: number, name: string) => channelRoom({ channelId, name })),
    createPrivateRoom: sinon.stub().resolves(channelRoom({ kind: 'private', channelId: null, ownerUserId: 'u1' })),
    listPrivateRooms: sinon.stub().resolves([]),
    countPrivateRooms: sinon.stub().resolves(0),
  } satisfies RoomStore;
}

function storeOnClock(inner: RoomStore) {
  let clock = AT;
  const store = createCachedRoomStore(inner, { maxEntries: 100, now: () => clock });
  return { store, advance: (ms: number) => void (clock += ms) };
}

describe('createCachedRoomStore', () => {
  afterEach(() => sinon.restore());

  describe('#findByChannel', () => {
    it('reads the channel room once, and again once its lifetime has passed', async () => {
      const inner = fakeStore();
      const { store, advance } = storeOnClock(inner);
      await store.findByChannel(7);
      advance(ROOM_BY_CHANNEL_TTL_MS);
      expect(await store.findByChannel(7)).to.deep.equal(channelRoom());
      expect(inner.findByChannel.callCount).to.equal(1);
      advance(1);
      await store.findByChannel(7);
      expect(inner.findByChannel.callCount).to.equal(2);
    });
  });

  describe('#ensureChannelRoom', () => {
    it('answers the remembered room without a write when the channel keeps its name (every join after the first)', async () => {
      const inner = fakeStore();
      const { store } = storeOnClock(inner);
      expect(await store.ensureChannelRoom(7, 'Physics 101', AT)).to.deep.equal(channelRoom());
      expect(await store.ensureChannelRoom(7, 'Physics 101', AT)).to.deep.equal(channelRoom());
      expect(inner.ensureChannelRoom.callCount).to.equal(0);
      expect(inner.findByChannel.callCount).to.equal(1);
    });

    it('makes the first room through the store and forgets the remembered "no room yet"', async () => {
      const inner = fakeStore(null);
      const { store } = storeOnClock(inner);
      expect(await store.findByChannel(7)).to.equal(null);
      await store.ensureChannelRoom(7, 'Physics 101', AT);
      inner.findByChannel.resolves(channelRoom());
      expect(await store.findByChannel(7)).to.deep.equal(channelRoom());
      expect(inner.ensureChannelRoom.calledOnceWith(7, 'Physics 101', AT)).to.equal(true);
    });

    it('lets a renamed channel rename its room, and the new name is seen at once', async () => {
      const inner = fakeStore();
      const { store } = storeOnClock(inner);
      await store.findByChannel(7);
      expect((await store.ensureChannelRoom(7, 'Physics 102', AT)).name).to.equal('Physics 102');
      inner.findByChannel.resolves(channelRoom({ name: 'Physics 102' }));
      expect((await store.findByChannel(7))?.name).to.equal('Physics 102');
    });
  });
});
