import { expect } from 'chai';
import sinon from 'sinon';
import { pino } from 'pino';
import { FeedRegistry, feedKey, type Feed } from '../../../src/media/feed-registry.ts';
import { MediaSubscriptions } from '../../../src/media/media-subscriptions.ts';
import { MediaServerError, type MediaServer, type ReceivedFeed, type ReceivingOffer } from '../../../src/media/media-server.ts';
import type { MediaConnection } from '../../../src/media/media-signalling.ts';

const ROOM = 'room-1';

/** A media server whose receiving changes are recorded and answered by the test, one at a time. */
function fakeServer() {
  const changes: Array<{ add: string[]; remove: string[]; settle(outcome: ReceivingOffer | Error): void }> = [];
  const server = {
    updateReceiving: sinon.spy((_endpoint: unknown, change: { add: ReceivedFeed[]; remove: string[] }) =>
      new Promise<ReceivingOffer>((resolve, reject) => {
        changes.push({ add: change.add.map((feed) => feed.key), remove: change.remove, settle: (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)) });
      })),
    answerReceiving: sinon.stub().resolves(),
    restartReceiving: sinon.stub().resolves({ offerSdp: 'restarted', streams: [] }),
    closeReceiving: sinon.stub().resolves(),
    receiveVideo: sinon.stub().resolves(),
    chooseLayer: sinon.stub().resolves(),
  };
  return { server: server as unknown as MediaServer, calls: server, changes };
}

/** An offer carrying `keys` (an audio and a video m-line each). */
function offerOf(keys: string[]): ReceivingOffer {
  return { offerSdp: `offer for ${keys.join(',')}`, streams: keys.flatMap((key, index) => [{ mid: `${index * 2}`, kind: 'audio' as const, key }, { mid: `${index * 2 + 1}`, kind: 'video' as const, key }]) };
}

function setup() {
  const fake = fakeServer();
  const feeds = new FeedRegistry();
  const replies: Array<Record<string, any>> = [];
  const connection = { id: 'c1', participantId: 'viewer', actor: { roomId: ROOM }, reply: (message: Record<string, unknown>) => replies.push(message) } as unknown as MediaConnection;
  const subscriptions = new MediaSubscriptions({
    server: fake.server,
    feeds,
    logger: pino({ level: 'silent' }),
    requireLive: async () => undefined,
    endpointOf: () => ({ roomId: ROOM, connectionId: 'c1', display: 'viewer' }),
  });
  const publish = (participantId: string) => feeds.set(ROOM, feedKey(participantId, 'camera'), { participantId, source: 'camera', feedId: `feed-${participantId}`, flowing: true } as Feed);
  const offers = () => replies.filter((reply) => reply.type === 'media.offer');
  return { ...fake, feeds, subscriptions, connection, publish, offers };
}

/** Lets settled promises and the work they schedule (setImmediate) run, a few rounds deep. */
async function turn(): Promise<void> {
  for (let round = 0; round < 4; round += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('MediaSubscriptions: one receiving connection per room connection', () => {
  it('gathers the subscribes of one moment into one change, and makes no other until the browser answers', async () => {
    const { subscriptions, connection, publish, changes, offers, calls } = setup();
    ['a', 'b', 'c'].forEach(publish);
    const asked = ['a', 'b'].map((id) => subscriptions.subscribe(connection, id, 'camera', true));
    await turn();
    expect(changes.map(({ add, remove }) => ({ add, remove }))).to.deep.equal([{ add: ['a/camera', 'b/camera'], remove: [] }]);
    const later = subscriptions.subscribe(connection, 'c', 'camera', true);
    changes[0]!.settle(offerOf(['a/camera', 'b/camera']));
    await Promise.all(asked);
    await turn();
    expect(offers()).to.have.length(1);
    expect(offers()[0]!.streams).to.deep.include({ mid: '3', kind: 'video', participantId: 'b', source: 'camera' });
    // The offer is out: c waits for the browser's answer.
    expect(changes).to.have.length(1);
    await subscriptions.answer(connection, 'answer');
    expect(calls.answerReceiving.calledOnce).to.equal(true);
    await turn();
    expect(changes[1]).to.deep.include({ add: ['c/camera'], remove: [] });
    changes[1]!.settle(offerOf(['a/camera', 'b/camera', 'c/camera']));
    await later;
    await subscriptions.answer(connection, 'answer');
    await subscriptions.answer(connection, 'again').then(() => expect.fail('an answer without an offer was taken'), (error: { code: string }) => expect(error.code).to.equal('NO_OFFER'));
  });

  it('tries each feed of a refused change again on its own, and refuses only the one that fails alone', async () => {
    const { subscriptions, connection, publish, changes } = setup();
    ['a', 'b'].forEach(publish);
    const a = subscriptions.subscribe(connection, 'a', 'camera', true);
    const b = subscriptions.subscribe(connection, 'b', 'camera', true);
    await turn();
    changes[0]!.settle(new MediaServerError('refused', 'no such feed'));
    await turn();
    await turn();
    expect(changes[1]!.add).to.deep.equal(['a/camera']);
    changes[1]!.settle(new MediaServerError('refused', 'no such feed'));
    await a.then(() => expect.fail('a refused feed was taken'), (error: Error) => expect(error).to.be.instanceOf(MediaServerError));
    await turn();
    expect(changes[2]!.add).to.deep.equal(['b/camera']);
    changes[2]!.settle(offerOf(['b/camera']));
    await b;
  });

  it('takes an unsubscribed feed out in the next change, and one never offered out of the queue', async () => {
    const { subscriptions, connection, publish, changes } = setup();
    ['a', 'b'].forEach(publish);
    const a = subscriptions.subscribe(connection, 'a', 'camera', true);
    await turn();
    const b = subscriptions.subscribe(connection, 'b', 'camera', true);
    await subscriptions.unsubscribe(connection, 'b', 'camera');
    await b;
    changes[0]!.settle(offerOf(['a/camera']));
    await a;
    await subscriptions.unsubscribe(connection, 'a', 'camera');
    await subscriptions.unsubscribe(connection, 'never', 'camera');
    await subscriptions.answer(connection, 'answer');
    await turn();
    expect(changes.map(({ add, remove }) => ({ add, remove }))).to.deep.equal([{ add: ['a/camera'], remove: [] }, { add: [], remove: ['a/camera'] }]);
  });

  it('applies audio-only and a layer asked for before the media server carried the feed', async () => {
    const { subscriptions, connection, publish, changes, calls } = setup();
    publish('a');
    const a = subscriptions.subscribe(connection, 'a', 'camera', false);
    await subscriptions.layer(connection, 'a', 'camera', 'low');
    expect(calls.chooseLayer.called).to.equal(false);
    await turn();
    changes[0]!.settle(offerOf(['a/camera']));
    await a;
    expect(calls.receiveVideo.calledWith(sinon.match.any, 'a/camera', false)).to.equal(true);
    expect(calls.chooseLayer.calledWith(sinon.match.any, 'a/camera', 'low')).to.equal(true);
  });

  it('offers everything anew on a fresh connection after a reset, and drops an offer made for the old one', async () => {
    const { subscriptions, connection, publish, changes, offers, calls } = setup();
    ['a', 'b'].forEach(publish);
    const a = subscriptions.subscribe(connection, 'a', 'camera', true);
    await turn();
    changes[0]!.settle(offerOf(['a/camera']));
    await a;
    await subscriptions.answer(connection, 'answer');
    const b = subscriptions.subscribe(connection, 'b', 'camera', true);
    await turn();
    // The browser gives up its connection while the change is being made: that offer is for a connection that is gone.
    await subscriptions.reset(connection);
    changes[1]!.settle(offerOf(['a/camera', 'b/camera']));
    await turn();
    await turn();
    expect(calls.closeReceiving.calledOnce).to.equal(true);
    expect(changes[2]).to.deep.include({ add: ['a/camera', 'b/camera'], remove: [] });
    changes[2]!.settle(offerOf(['a/camera', 'b/camera']));
    await b;
    expect(offers().map((offer) => offer.sdp)).to.deep.equal(['offer for a/camera', 'offer for a/camera,b/camera']);
  });

  it('takes no offence at an answer that crossed a reset: the connection it answered is gone', async () => {
    const { subscriptions, connection, publish, changes, calls } = setup();
    publish('a');
    const a = subscriptions.subscribe(connection, 'a', 'camera', true);
    await turn();
    changes[0]!.settle(offerOf(['a/camera']));
    await a;
    let refuse: (error: Error) => void = () => undefined;
    calls.answerReceiving.returns(new Promise((_resolve, reject) => (refuse = reject)));
    const answered = subscriptions.answer(connection, 'answer');
    await subscriptions.reset(connection);
    refuse(new MediaServerError('refused', 'no such handle'));
    await answered;
  });

  it('restarts ICE only on a connection that receives something', async () => {
    const { subscriptions, connection, publish, changes, offers } = setup();
    await subscriptions.restart(connection).then(() => expect.fail('restarted nothing'), (error: { code: string }) => expect(error.code).to.equal('NOT_SUBSCRIBED'));
    publish('a');
    const a = subscriptions.subscribe(connection, 'a', 'camera', true);
    await turn();
    changes[0]!.settle(offerOf(['a/camera']));
    await a;
    await subscriptions.answer(connection, 'answer');
    await subscriptions.restart(connection);
    await turn();
    await turn();
    expect(offers().at(-1)).to.include({ sdp: 'restarted', restart: true });
  });
});
