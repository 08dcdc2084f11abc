/**
 * A WebRTC peer for integration tests (werift, in Node): real SDP offers and
 * answers, and a publisher that completes ICE and DTLS with the media server
 * through the room socket, as a browser would. Janus subscribes people only
 * to feeds whose sender is connected.
 */
import { RTCPeerConnection } from 'werift';
import type { RoomClient } from './room-client.ts';
import { startTestServer, type TestServer, type TestServerOptions } from './test-server.ts';
import { backendPerson, createCourse, setLicences, type BackendPerson } from './courses.ts';

/** Generous: ICE and DTLS on a busy machine (tests run in parallel with builds) can take several seconds. */
const CONNECT_LIMIT_MS = 15_000;

export class MediaPeer {
  readonly pc = new RTCPeerConnection();

  /** An offer that sends what is asked (a sendonly section per kind). */
  static async offering(kinds: { audio?: boolean; video?: boolean }): Promise<MediaPeer> {
    const peer = new MediaPeer();
    if (kinds.audio) peer.pc.addTransceiver('audio', { direction: 'sendonly' });
    if (kinds.video) peer.pc.addTransceiver('video', { direction: 'sendonly' });
    await peer.pc.setLocalDescription(await peer.pc.createOffer());
    return peer;
  }

  get sdp(): string {
    return this.pc.localDescription!.sdp;
  }

  /** Publishes through the room and waits until the media server's end is connected. */
  async publish(room: RoomClient, source: 'camera' | 'screen' = 'camera'): Promise<void> {
    room.send({ type: 'media.publish', source, sdp: this.sdp, ref: `publish:${source}` });
    const answer = await room.next('media.answer', (message) => message.source === source);
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    await this.connected();
  }

  /** Answers a receiving connection's first offer as the browser would, with a new peer. */
  static async answering(offerSdp: string): Promise<MediaPeer> {
    const peer = new MediaPeer();
    await peer.answer(offerSdp);
    return peer;
  }

  /** Applies an offer (the first, or a later one on the same peer) and makes the answer, read back from `sdp`. */
  async answer(offerSdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
  }

  /**
   * Answers an offer of the room connection's receiving connection through the room, as the browser does: the first
   * offer with a new peer (`receiver` absent), every later one (a change, an ICE restart) with the same peer.
   */
  static async answerReceiving(room: RoomClient, offerSdp: string, receiver?: MediaPeer, ref?: string): Promise<MediaPeer> {
    const peer = receiver ?? new MediaPeer();
    await peer.answer(offerSdp);
    room.send({ type: 'media.answer', sdp: peer.sdp, ...(ref && { ref }) });
    return peer;
  }

  connected(): Promise<void> {
    return peerConnected(this.pc);
  }

  async close(): Promise<void> {
    await this.pc.close();
  }
}

/** Resolves once the peer connection is connected; fails after a while without. */
export function peerConnected(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pc.connectionState === 'connected') return resolve();
    const timer = setTimeout(() => reject(new Error(`the peer did not connect (state ${pc.connectionState})`)), CONNECT_LIMIT_MS);
    const subscription = pc.connectionStateChange.subscribe((state) => {
      if (state !== 'connected') return;
      clearTimeout(timer);
      subscription.unSubscribe();
      resolve();
    });
  });
}

const EVERYTHING = ['startSession', 'endSession', 'admitParticipants', 'removeParticipants', 'muteOthers', 'shareScreen', 'record', 'manageFiles', 'chat', 'camera', 'microphone', 'raiseHand', 'moderateChat', 'lowerHands'];
/** Contributors may send audio and video; members may only listen and chat. */
export const MEDIA_ROLE_MAPPING = [
  { channelLevel: 'manager', roomRole: 'instructor', permissions: EVERYTHING },
  { channelLevel: 'moderator', roomRole: 'instructor', permissions: EVERYTHING },
  { channelLevel: 'contributor', roomRole: 'participant', permissions: ['chat', 'camera', 'microphone', 'raiseHand'] },
  { channelLevel: 'member', roomRole: 'participant', permissions: ['chat', 'raiseHand'] },
];

export const NEEDS_JANUS = 'These tests need Janus (`apt-get install -y janus`; CI does this in .ci/run).';

/** A media server the room tests run against, configured on its own RTP port range. */
export interface MediaServerUnderTest {
  name: string;
  kind: 'janus' | 'embedded';
  media(rtpPortRange: string): Record<string, unknown>;
}

/** Janus (supervised by the service) and the embedded SFU: suites that hold for both run once for each. */
export const MEDIA_SERVERS_UNDER_TEST: MediaServerUnderTest[] = [
  { name: 'Janus', kind: 'janus', media: (rtpPortRange) => ({ server: 'janus', janusExecutable: 'janus', rtpPortRange }) },
  { name: 'the embedded SFU', kind: 'embedded', media: (rtpPortRange) => ({ server: 'embedded', rtpPortRange }) },
];

/** Fails, not skips, when the test server runs another media server than the one asked for. */
export function requireMediaServer(server: TestServer, kind: MediaServerUnderTest['kind']): void {
  if (server.media.server.kind === kind) return;
  throw new Error(kind === 'janus' ? NEEDS_JANUS : `The embedded SFU did not start (the service runs ${server.media.server.kind}).`);
}

export interface MediaSuite {
  readonly server: TestServer;
  /** Keeps a room client, closed after the test. */
  track<T extends RoomClient>(client: T): T;
  /** Keeps a peer, closed after the test. */
  peer(made: MediaPeer): MediaPeer;
}

/**
 * A describe block's test server with a Janus it supervises, or the embedded SFU (on its own RTP port range, so
 * suites never share ports), and room clients and peers closed after each test. Fails, not skips, without Janus.
 */
export function useMediaSuite(options: {
  rtpPortRange: string;
  settings?: TestServerOptions['settings'];
  scheduler?: TestServerOptions['scheduler'];
  mediaServer?: MediaServerUnderTest;
  media?: Record<string, unknown>;
  /** Other config sections (recordings...). */
  config?: Record<string, unknown>;
}): MediaSuite {
  const mediaServer = options.mediaServer ?? MEDIA_SERVERS_UNDER_TEST[0]!;
  let server: TestServer | undefined;
  const clients: RoomClient[] = [];
  const peers: MediaPeer[] = [];
  before(async function () {
    this.timeout(30_000);
    server = await startTestServer({
      ...(options.settings && { settings: options.settings }),
      ...(options.scheduler && { scheduler: options.scheduler }),
      config: { ...options.config, media: { ...mediaServer.media(options.rtpPortRange), ...options.media } },
    });
    requireMediaServer(server, mediaServer.kind);
  });
  after(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.terminate();
    await Promise.all(peers.splice(0).map((made) => made.close()));
  });
  return {
    get server() {
      if (!server) throw new Error('No test server: the suite has not started');
      return server;
    },
    track: (client) => (clients.push(client), client),
    peer: (made) => (peers.push(made), made),
  };
}

/**
 * A course on a plan with `places` webcam places (a custom plan; or a catalogue plan by its id, e.g. `smart_15`),
 * its people as backend accounts (`role:name`), and the launch address of each into its room (single use: ask
 * again for another).
 */
export async function courseWithWebcamPlaces(server: TestServer, places: number | string, people: Array<`${'instructor' | 'student'}:${string}`>) {
  const admin = await backendPerson(server, 'administrator');
  const plan = typeof places === 'string' ? places : 'smart_custom';
  await setLicences(admin.agent, { [plan]: 10 });
  const members = await Promise.all(people.map(async (spec) => {
    const [role, name] = spec.split(':') as ['instructor' | 'student', string];
    return { role, person: await backendPerson(server, role, name) };
  }));
  const custom: Record<string, string> = typeof places === 'number' ? { webcamUsers: String(places), virtualClassrooms: '1', cloudRecordingHours: '1', selfPacedCourses: '1' } : {};
  const id = await createCourse(admin.agent, { plan, ...custom, membersShown: '1', member: members.map(({ role, person }) => `${role}:${person.id}`) });
  const launchUrl = async (person: BackendPerson): Promise<string> => {
    const response = await person.agent.post(`/backend/courses/${id}/enter`, {}, { accept: 'application/json' });
    if (response.status !== 200) throw new Error(`entering the course answered ${response.status}`);
    return response.json().launchUrl as string;
  };
  return { id, people: members.map(({ person }) => person), launchUrl };
}
