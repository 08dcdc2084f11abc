/**
 * Makes real Janus recordings (.mjr) without browsers: a Janus of its own (Streaming plugin, HTTP API on
 * loopback) gets one RTP mountpoint per publisher, records it, and ffmpeg sends it test pictures and tones in
 * real time (VP8 and Opus, as browsers send). Files are named as the room names its publishers' recordings:
 * `<participant>-<camera|screen>-<start ms>-<audio|video>-<mindex>.mjr`, or Janus's own VideoRoom default
 * `videoroom-<room>-user-<feed>-<start µs>-<audio|video>-<mindex>.mjr` for a publisher with `janusDefaultName`.
 *
 * `npx tsx tests/support/janus-recordings.ts` writes the committed fixtures (tests/fixtures/recordings/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freeLoopbackPort } from '../../src/media/janus/janus-supervisor.ts';

export interface RecordedPublisher {
  participant: string;
  source: 'camera' | 'screen';
  /** Sends pictures (a camera or a screen). */
  video?: boolean;
  /** Sends a tone of this frequency for `voiceSeconds` (all along when not given), then silence. */
  voiceHz?: number;
  voiceSeconds?: number;
  /** Starts this long after the first publisher (someone who joined late). */
  delaySeconds?: number;
  /** Named as Janus's VideoRoom names recordings without a file name of ours. */
  janusDefaultName?: boolean;
}

export interface RecordingScenario {
  name: string;
  seconds: number;
  publishers: RecordedPublisher[];
}

export const FIXTURE_SCENARIOS: RecordingScenario[] = [
  { name: 'one-camera', seconds: 4, publishers: [{ participant: 'ada', source: 'camera', video: true, voiceHz: 440 }] },
  {
    name: 'two-cameras-one-voice',
    seconds: 4,
    publishers: [
      { participant: 'ada', source: 'camera', video: true, voiceHz: 440 },
      { participant: 'bob', source: 'camera', video: true, janusDefaultName: true },
      { participant: 'cy', source: 'camera', voiceHz: 660 },
    ],
  },
  {
    name: 'screen-and-camera',
    seconds: 4,
    publishers: [
      { participant: 'ada', source: 'camera', video: true, voiceHz: 440 },
      { participant: 'ada', source: 'screen', video: true },
    ],
  },
  {
    name: 'late-joiner',
    seconds: 4,
    publishers: [
      { participant: 'ada', source: 'camera', video: true, voiceHz: 440, voiceSeconds: 1 },
      { participant: 'bob', source: 'camera', video: true, voiceHz: 880, delaySeconds: 2 },
    ],
  },
];

export const FIXTURES_DIR = path.join(import.meta.dirname, '..', 'fixtures', 'recordings');

/** Records each scenario into `<outDir>/<scenario name>/`; all scenarios at once, in real time. */
export async function recordScenarios(outDir: string, scenarios: RecordingScenario[], janusExecutable = 'janus', ffmpegPath = 'ffmpeg'): Promise<void> {
  const janus = await startJanus(janusExecutable);
  try {
    const api = await JanusApi.open(janus.port);
    let mountpoint = 1;
    await Promise.all(
      scenarios.map(async (scenario) => {
        const folder = path.join(outDir, scenario.name);
        mkdirSync(folder, { recursive: true });
        await Promise.all(
          scenario.publishers.map(async (publisher, index) => {
            const ports = { audio: await freeUdpPort(), video: await freeUdpPort() };
            const id = mountpoint++;
            await sleep((publisher.delaySeconds ?? 0) * 1000);
            await recordPublisher(api, { id, ports, folder, publisher, index, seconds: scenario.seconds, ffmpegPath });
          }),
        );
      }),
    );
  } finally {
    await janus.stop();
  }
}

interface PublisherRun {
  id: number;
  ports: { audio: number; video: number };
  folder: string;
  publisher: RecordedPublisher;
  index: number;
  seconds: number;
  ffmpegPath: string;
}

async function recordPublisher(api: JanusApi, run: PublisherRun): Promise<void> {
  const { publisher, ports, id } = run;
  const media = [
    ...(publisher.voiceHz ? [{ type: 'audio', mid: 'a', port: ports.audio, pt: 111, codec: 'opus' }] : []),
    ...(publisher.video ? [{ type: 'video', mid: 'v', port: ports.video, pt: 96, codec: 'vp8' }] : []),
  ];
  await api.message({ request: 'create', type: 'rtp', id, media });
  const startedAt = Date.now();
  const base = publisher.janusDefaultName ? `videoroom-1234-user-${1000 + run.index}-${startedAt * 1000}` : `${publisher.participant}-${publisher.source}-${startedAt}`;
  // Janus adds .mjr; the Streaming plugin records audio and video as separate files, as the VideoRoom does.
  const files = media.map((stream, mindex) => ({ mid: stream.mid, filename: path.join(run.folder, `${base}-${stream.type}-${mindex}`) }));
  await api.message({ request: 'recording', action: 'start', id, media: files });
  await runFfmpeg(run.ffmpegPath, ffmpegArgs(run));
  await api.message({ request: 'recording', action: 'stop', id, media: files.map(({ mid }) => ({ mid })) });
  await api.message({ request: 'destroy', id });
}

function ffmpegArgs({ publisher, ports, seconds }: PublisherRun): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin'];
  const outputs: string[] = [];
  let input = 0;
  if (publisher.video) {
    const picture = publisher.source === 'screen' ? 'testsrc2=size=1280x720:rate=5' : `testsrc=size=320x240:rate=15`;
    // Inputs of a fixed length (-t before -i): with endless ones and -t on each output, ffmpeg was seen never ending.
    args.push('-re', '-t', String(seconds), '-f', 'lavfi', '-i', picture);
    outputs.push('-map', `${input++}:v`, '-c:v', 'libvpx', '-b:v', publisher.source === 'screen' ? '150k' : '100k', '-deadline', 'realtime', '-cpu-used', '8', '-payload_type', '96', '-f', 'rtp', `rtp://127.0.0.1:${ports.video}`);
  }
  if (publisher.voiceHz) {
    const tone = `sine=frequency=${publisher.voiceHz}:sample_rate=48000${publisher.voiceSeconds ? `:duration=${publisher.voiceSeconds}` : ''}`;
    args.push('-re', '-t', String(seconds), '-f', 'lavfi', '-i', publisher.voiceSeconds ? `${tone},apad` : tone);
    outputs.push('-map', `${input++}:a`, '-c:a', 'libopus', '-b:a', '24k', '-payload_type', '111', '-f', 'rtp', `rtp://127.0.0.1:${ports.audio}`);
  }
  return [...args, ...outputs];
}

function runFfmpeg(ffmpegPath: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${errors.slice(-500)}`))));
  });
}

/** Janus's HTTP API: one session and one Streaming plugin handle. */
class JanusApi {
  static async open(port: number): Promise<JanusApi> {
    const base = `http://127.0.0.1:${port}/janus`;
    const session = await post(base, { janus: 'create' });
    const sessionUrl = `${base}/${session.data.id}`;
    const handle = await post(sessionUrl, { janus: 'attach', plugin: 'janus.plugin.streaming' });
    return new JanusApi(`${sessionUrl}/${handle.data.id}`);
  }

  readonly #url: string;
  private constructor(url: string) {
    this.#url = url;
  }

  async message(body: Record<string, unknown>): Promise<void> {
    const answer = await post(this.#url, { janus: 'message', body });
    const data = answer.plugindata?.data;
    if (answer.janus !== 'success' || data?.error) throw new Error(`Janus refused ${JSON.stringify(body)}: ${JSON.stringify(answer)}`);
  }
}

let transaction = 0;
async function post(url: string, body: Record<string, unknown>): Promise<{ janus: string; data: { id: number }; plugindata?: { data?: { error?: string } } }> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify({ ...body, transaction: `t${++transaction}` }) });
  return (await response.json()) as never;
}

interface RunningJanus {
  port: number;
  stop(): Promise<void>;
}

/** Only the Streaming plugin and the HTTP transport, on loopback, in a folder of its own. */
async function startJanus(executable: string): Promise<RunningJanus> {
  const folder = mkdtempSync(path.join(tmpdir(), 'janus-recordings-'));
  const port = await freeLoopbackPort();
  // Janus's own RTP ports (none used by the Streaming plugin's RTP mountpoints, which listen where they are told).
  const rtpBase = 20000 + Math.floor(Math.random() * 20000) * 2;
  const plugins = ['audiobridge', 'duktape', 'echotest', 'lua', 'nosip', 'recordplay', 'sip', 'textroom', 'videocall', 'videoroom', 'voicemail'];
  const transports = ['websockets', 'mqtt', 'nanomsg', 'pfunix', 'rabbitmq'];
  const so = (names: string[]) => JSON.stringify(names.map((name) => `libjanus_${name}.so`).join(','));
  writeFileSync(
    path.join(folder, 'janus.jcfg'),
    `general: {\n  configs_folder = ${JSON.stringify(folder)}\n  debug_level = 3\n  session_timeout = 0\n}\nmedia: {\n  rtp_port_range = "${rtpBase + 1000}-${rtpBase + 1100}"\n}\nnat: {\n  ice_ignore_list = "vmnet"\n}\nplugins: {\n  disable = ${so(plugins)}\n}\ntransports: {\n  disable = ${so(transports)}\n}\nloggers: {\n  disable = "libjanus_jsonlog.so"\n}\nevents: {\n  broadcast = false\n}\n`,
  );
  writeFileSync(path.join(folder, 'janus.transport.http.jcfg'), `general: {\n  json = "plain"\n  base_path = "/janus"\n  http = true\n  port = ${port}\n  ip = "127.0.0.1"\n  https = false\n}\nadmin: {\n  admin_http = false\n}\n`);
  writeFileSync(path.join(folder, 'janus.plugin.streaming.jcfg'), 'general: {\n}\n');
  const child = spawn(executable, ['-C', path.join(folder, 'janus.jcfg'), '-F', folder, '-o'], { stdio: 'ignore' });
  await waitForPort(port, child);
  return {
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`Janus exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`Janus did not open port ${port}`);
}

/** A UDP port nobody listens on now, as the system hands them out. */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = dgram.createSocket('udp4');
    probe.once('error', reject);
    probe.bind(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rewrites the committed fixtures: recorded into a temporary folder, then moved into place. */
async function writeFixtures(): Promise<void> {
  const staging = mkdtempSync(path.join(tmpdir(), 'recording-fixtures-'));
  await recordScenarios(staging, FIXTURE_SCENARIOS);
  rmSync(FIXTURES_DIR, { recursive: true, force: true });
  mkdirSync(path.dirname(FIXTURES_DIR), { recursive: true });
  renameSync(staging, FIXTURES_DIR);
  for (const scenario of readdirSync(FIXTURES_DIR)) console.log(scenario, readdirSync(path.join(FIXTURES_DIR, scenario)).join(' '));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFixtures().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
