import { expect } from 'chai';
import { Sfu } from '../../src/media/embedded/sfu.ts';
import type { ForwardingCaps } from '../../src/media/embedded/sfu-protocol.ts';
import type { MediaEndpoint, ReceivingOffer, ReceivingStream } from '../../src/media/media-server.ts';
import { TaggedPublisher, TaggedReceiver } from '../support/receiving-peers.ts';

const ROOM = 'room';
const at = (name: string): MediaEndpoint => ({ roomId: ROOM, connectionId: name, display: name });
const viewer = at('viewer');

/** The offer's m-line sections, in order. */
const sections = (sdp: string) => sdp.split(/(?=^m=)/m).slice(1);
const sectionOf = (sdp: string, mid: string) => sections(sdp).find((section) => new RegExp(`^a=mid:${mid}\\r?$`, 'm').test(section))!;
const ufrag = (sdp: string) => /^a=ice-ufrag:(\S+)/m.exec(sdp)![1];
const midsOf = (streams: ReceivingStream[], key: string) => streams.filter((stream) => stream.key === key).map(({ mid }) => mid);
/** What each mid of `key` should receive: the publisher's tag. */
const tagsOf = (streams: ReceivingStream[], key: string, tag: number) => Object.fromEntries(midsOf(streams, key).map((mid) => [mid, tag]));

/**
 * The embedded SFU's one receiving connection per room connection, driven directly (in this thread) with werift
 * peers standing in for the browsers: what its offers carry, the media on each m-line, and the forwarding caps.
 */
describe('media: the embedded SFU\'s receiving connection', function () {
  this.timeout(40_000);
  let sfu: Sfu;
  let closing: Array<{ close(): Promise<void> }> = [];
  const keep = <T extends { close(): Promise<void> }>(made: T): T => (closing.push(made), made);
  const forwarded = async () => (await sfu.stats()).forwardedStreams;

  async function open(caps: ForwardingCaps = { streamsPerRoom: 100, streamsPerServer: 100 }): Promise<void> {
    sfu = new Sfu({ caps, portRange: null, stunServer: null, extraHostAddresses: [] }, { flowing: () => undefined });
    await sfu.openRoom(ROOM, { publishers: 10 });
  }

  /** Publishers (each on its own room connection) sending their tags from the start. */
  async function publishers(...tags: number[]): Promise<TaggedPublisher[]> {
    return Promise.all(tags.map(async (tag) => {
      const publisher = keep(await TaggedPublisher.publish(sfu, at(`sender-${tag}`), tag));
      publisher.start();
      return publisher;
    }));
  }

  /** Answers an offer on the receiver, and gives the answer to the SFU. */
  async function answer(receiver: TaggedReceiver, offer: ReceivingOffer, endpoint = viewer): Promise<void> {
    await sfu.answerReceiving(endpoint, await receiver.answer(offer.offerSdp));
  }

  /** A viewer receiving the feeds named, its connection up. */
  async function receiving(feeds: Record<string, TaggedPublisher>, endpoint = viewer) {
    const receiver = keep(new TaggedReceiver());
    const offer = await sfu.updateReceiving(endpoint, { add: Object.entries(feeds).map(([key, { feedId }]) => ({ key, feedId })), remove: [] });
    await answer(receiver, offer, endpoint);
    await receiver.connected();
    return { receiver, offer };
  }

  afterEach(async () => {
    await sfu.closeRoom(ROOM);
    await Promise.all(closing.splice(0).map((made) => made.close()));
  });

  it('offers two feeds added in one change as four m-lines naming their keys, and forwards each feed on its own', async () => {
    await open();
    const [ada, bo] = await publishers(1, 2);
    const { receiver, offer } = await receiving({ ada: ada!, bo: bo! });

    expect(sections(offer.offerSdp)).to.have.length(4);
    expect(offer.streams.map(({ kind, key }) => `${key}:${kind}`)).to.have.members(['ada:audio', 'ada:video', 'bo:audio', 'bo:video']);
    for (const { mid, kind } of offer.streams) expect(sectionOf(offer.offerSdp, mid)).to.match(new RegExp(`^m=${kind} 9 [^]*^a=sendonly`, 'm'));
    await receiver.receives({ ...tagsOf(offer.streams, 'ada', 1), ...tagsOf(offer.streams, 'bo', 2) });
    expect(await forwarded()).to.equal(4);
    await sfu.closeRoom(ROOM);
    expect(await sfu.stats()).to.include({ forwardedStreams: 0, publishers: 0, rooms: 0 });
  });

  it('turns a removed feed\'s m-lines inactive, lists it no more, and gives its m-lines to a feed added later', async () => {
    await open();
    const [ada, bo, cy] = await publishers(1, 2, 3);
    const { receiver, offer: first } = await receiving({ ada: ada!, bo: bo! });

    const removed = await sfu.updateReceiving(viewer, { add: [], remove: ['bo'] });
    expect(removed.streams.map(({ key }) => key)).to.deep.equal(['ada', 'ada']);
    for (const mid of midsOf(first.streams, 'bo')) expect(sectionOf(removed.offerSdp, mid)).to.match(/^m=\w+ 9 [^]*^a=inactive/m);
    expect(await forwarded()).to.equal(2);
    await answer(receiver, removed);

    const added = await sfu.updateReceiving(viewer, { add: [{ key: 'cy', feedId: cy!.feedId }], remove: [] });
    expect(sections(added.offerSdp)).to.have.length(4);
    expect(midsOf(added.streams, 'cy')).to.have.members(midsOf(first.streams, 'bo'));
    await answer(receiver, added);
    receiver.clear();
    await receiver.receives({ ...tagsOf(added.streams, 'ada', 1), ...tagsOf(added.streams, 'cy', 3) });
    expect(await forwarded()).to.equal(4);
  });

  it('keeps the m-lines of a feed published again under its key (removed and added in one change)', async () => {
    await open();
    const [ada] = await publishers(1);
    const { receiver, offer: first } = await receiving({ ada: ada! });
    await ada!.close();
    const again = keep(await TaggedPublisher.publish(sfu, at('sender-1'), 7));
    again.start();

    const replaced = await sfu.updateReceiving(viewer, { add: [{ key: 'ada', feedId: again.feedId }], remove: ['ada'] });
    expect(replaced.streams).to.deep.equal(first.streams);
    expect(sections(replaced.offerSdp)).to.have.length(2);
    await answer(receiver, replaced);
    await receiver.receives(tagsOf(replaced.streams, 'ada', 7));
    expect(await forwarded()).to.equal(2);
  });

  it('refuses a change over the caps, or naming a feed that is not there, and changes nothing', async () => {
    await open({ streamsPerRoom: 4, streamsPerServer: 100 });
    const [ada, bo, cy] = await publishers(1, 2, 3);
    const { receiver, offer } = await receiving({ ada: ada!, bo: bo! });
    const reason = (change: Parameters<Sfu['updateReceiving']>[1]) => sfu.updateReceiving(viewer, change).then(() => 'accepted', (error: { reason: string }) => error.reason);

    expect(await reason({ add: [{ key: 'cy', feedId: cy!.feedId }], remove: [] })).to.equal('busy');
    expect(await reason({ add: [{ key: 'cy', feedId: 'no-such-feed' }], remove: ['ada'] })).to.equal('refused');
    expect(await reason({ add: [{ key: 'ada', feedId: cy!.feedId }], remove: [] })).to.equal('refused');
    expect(await forwarded()).to.equal(4);
    await sfu.chooseLayer(viewer, 'ada', 'low');

    // Room for it once a feed goes: the same change with one removed is taken.
    const swapped = await sfu.updateReceiving(viewer, { add: [{ key: 'cy', feedId: cy!.feedId }], remove: ['ada'] });
    expect(sections(swapped.offerSdp)).to.have.length(6);
    expect(swapped.streams.map(({ key }) => key).sort()).to.deep.equal(['bo', 'bo', 'cy', 'cy']);
    await answer(receiver, swapped);
    receiver.clear();
    await receiver.receives({ ...tagsOf(swapped.streams, 'bo', 2), ...tagsOf(swapped.streams, 'cy', 3) });
    expect(midsOf(offer.streams, 'bo')).to.deep.equal(midsOf(swapped.streams, 'bo'));
  });

  it('restarts ICE with a new offer carrying the same streams', async () => {
    await open();
    const [ada] = await publishers(1);
    const { receiver, offer } = await receiving({ ada: ada! });

    const restarted = await sfu.restartReceiving(viewer);
    expect(ufrag(restarted.offerSdp)).to.not.equal(ufrag(offer.offerSdp));
    expect(restarted.streams).to.deep.equal(offer.streams);
    await answer(receiver, restarted);
    receiver.clear();
    await receiver.receives(tagsOf(restarted.streams, 'ada', 1));
  });

  it('gives every stream back when the receiving connection is closed, and makes a new one at the next change', async () => {
    await open();
    const [ada] = await publishers(1);
    await receiving({ ada: ada! });

    await sfu.closeReceiving(viewer);
    expect(await forwarded()).to.equal(0);
    const refused = await sfu.chooseLayer(viewer, 'ada', 'low').then(() => null, (error: { reason: string }) => error.reason);
    expect(refused).to.equal('refused');
    const { offer } = await receiving({ ada: ada! });
    expect(await forwarded()).to.equal(2);
    expect(sections(offer.offerSdp)).to.have.length(2);
  });

  it('gives back the streams of every receiver of a feed unpublished, drops it from their next offers, and takes its key removed', async () => {
    await open();
    const [ada, bo] = await publishers(1, 2);
    await receiving({ ada: ada!, bo: bo! });
    const other = at('other');
    const { receiver } = await receiving({ ada: ada! }, other);
    expect(await forwarded()).to.equal(6);

    await sfu.unpublish(at('sender-1'), 'camera');
    expect(await forwarded()).to.equal(2);
    const removed = await sfu.updateReceiving(viewer, { add: [], remove: ['ada'] });
    expect(removed.streams.map(({ key }) => key)).to.deep.equal(['bo', 'bo']);
    const unchanged = await sfu.updateReceiving(other, { add: [], remove: [] });
    expect(unchanged.streams).to.deep.equal([]);
    expect(sections(unchanged.offerSdp).every((section) => /^a=inactive/m.test(section))).to.equal(true);
    await answer(receiver, unchanged, other);
    expect(await forwarded()).to.equal(2);

    await sfu.leave(viewer);
    expect(await forwarded()).to.equal(0);
  });
});
