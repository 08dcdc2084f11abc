/**
 * A room connection's receiving connection on Janus: one VideoRoom
 * subscriber handle (a multistream subscription, one peer connection) for
 * every feed the connection receives. Feeds are added and removed with
 * VideoRoom's `update`, each feed's streams tagged with its key
 * (`crossrefid`, which Janus keeps in its list of streams, also on an m-line
 * it uses again), so the key → mid map is read back from Janus after every
 * change rather than guessed. Senders who leave do not renegotiate it by
 * themselves (`autoupdate: false`): the caller keeps to one offer at a time.
 */
import { JanusError, type JanusHandle } from './janus-client.ts';
import { MediaServerError, type ReceivedFeed, type ReceivingOffer } from '../media-server.ts';

/** VideoRoom's "maximum number of publishers reached". */
const PUBLISHERS_FULL = 432;

/** A stream as Janus lists those of a subscriber handle. */
interface JanusSubscriberStream {
  type?: string;
  mid?: string;
  active?: boolean;
  crossrefid?: string;
}

type Mids = { audio?: string; video?: string };

interface JanusReply {
  data: Record<string, unknown>;
  jsep?: { sdp: string };
}

export class JanusReceiving {
  readonly handle: JanusHandle;
  /** Each carried feed's m-lines, by key, as Janus last listed them. */
  #mids = new Map<string, Mids>();

  private constructor(handle: JanusHandle) {
    this.handle = handle;
  }

  /** Joins the room as a subscriber to the first feeds; the handle is detached again if Janus refuses. */
  static async start(handle: JanusHandle, room: number, add: ReceivedFeed[]): Promise<{ receiving: JanusReceiving; offer: ReceivingOffer }> {
    if (add.length === 0) throw new MediaServerError('refused', 'nothing to receive');
    const receiving = new JanusReceiving(handle);
    try {
      const joined = await handle.message({ request: 'join', ptype: 'subscriber', room, autoupdate: false, streams: streamsOf(add) });
      return { receiving, offer: receiving.#offer(joined) };
    } catch (error) {
      void handle.detach();
      throw asMediaServerError(error);
    }
  }

  async update(change: { add: ReceivedFeed[]; remove: string[] }): Promise<ReceivingOffer> {
    const subscribe = streamsOf(change.add);
    const unsubscribe = change.remove.flatMap((key) => Object.values(this.#mids.get(key) ?? {}).map((mid) => ({ sub_mid: mid })));
    try {
      const updated = await this.handle.message({ request: 'update', ...(subscribe.length > 0 && { subscribe }), ...(unsubscribe.length > 0 && { unsubscribe }) });
      // Janus makes no offer when the SDP would not change (streams of a sender who left are inactive already): one is asked for.
      return this.#offer(updated.jsep ? updated : await this.handle.message({ request: 'configure', update: true }));
    } catch (error) {
      throw asMediaServerError(error);
    }
  }

  async answer(answerSdp: string): Promise<void> {
    await this.handle.message({ request: 'start' }, { type: 'answer', sdp: answerSdp }).catch((error: unknown) => {
      throw asMediaServerError(error);
    });
  }

  async restart(): Promise<ReceivingOffer> {
    try {
      return this.#offer(await this.handle.message({ request: 'configure', restart: true }));
    } catch (error) {
      throw asMediaServerError(error);
    }
  }

  /** A feed's video: its simulcast layer or whether it is relayed (no renegotiation either way); a feed without video has nothing to change. */
  async configureVideo(key: string, settings: { substream: number } | { send: boolean }): Promise<void> {
    const mids = this.#mids.get(key);
    if (!mids) throw new MediaServerError('refused', 'no such feed on the receiving connection');
    if (mids.video === undefined) return;
    await this.handle.message({ request: 'configure', streams: [{ mid: mids.video, ...settings }] }).catch((error: unknown) => {
      throw asMediaServerError(error);
    });
  }

  /** Janus's offer and its streams; an ICE restart's reply lists no streams: they are the same as before. */
  #offer(reply: JanusReply): ReceivingOffer {
    if (!reply.jsep) throw new MediaServerError('refused', 'Janus sent no offer for the receiving connection');
    if (Array.isArray(reply.data.streams)) this.#mids = midsByKey(reply.data.streams as JanusSubscriberStream[]);
    const streams = [...this.#mids].flatMap(([key, mids]) => (['audio', 'video'] as const).flatMap((kind) => (mids[kind] === undefined ? [] : [{ mid: mids[kind], kind, key }])));
    return { offerSdp: reply.jsep.sdp, streams };
  }
}

function streamsOf(add: ReceivedFeed[]): Array<{ feed: number; crossrefid: string }> {
  return add.map((feed) => ({ feed: Number(feed.feedId), crossrefid: feed.key }));
}

/** Active m-lines by key (inactive ones, of feeds removed or of senders who left, are left out). */
function midsByKey(streams: JanusSubscriberStream[]): Map<string, Mids> {
  const byKey = new Map<string, Mids>();
  for (const stream of streams) {
    if (stream.active === false || typeof stream.crossrefid !== 'string' || typeof stream.mid !== 'string') continue;
    if (stream.type !== 'audio' && stream.type !== 'video') continue;
    byKey.set(stream.crossrefid, { ...byKey.get(stream.crossrefid), [stream.type]: stream.mid });
  }
  return byKey;
}

export function asMediaServerError(error: unknown): MediaServerError {
  if (error instanceof MediaServerError) return error;
  if (error instanceof JanusError) return new MediaServerError(error.code === PUBLISHERS_FULL ? 'full' : 'refused', error.message, { cause: error });
  return new MediaServerError('unavailable', (error as Error)?.message ?? 'Janus failed', { cause: error });
}
