/**
 * Runs Janus as a child process of the service when no Janus servers are
 * configured: writes its configuration into the data folder (API on loopback
 * only, a secret and an admin key made for this data folder, the VideoRoom
 * plugin and the WebSocket transport and nothing else, an RTP port range, ICE
 * settings), starts it, and starts it again if it dies. Its life is tied to the
 * service's: stopped with SIGTERM then SIGKILL after a grace period, and, where
 * `setpriv` exists, killed by the kernel if the service dies without stopping it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../../lib/logger/logger.ts';
import { randomSecret, readOrCreateSecretFile } from '../../lib/secrets/local-secrets.ts';

export interface JanusSupervisorOptions {
  executable: string;
  dataDir: string;
  rtpPortRange: string;
  /** The address people reach this machine at, when it is behind a 1:1 NAT. */
  publicIp: string | null;
  stunServer: string | null;
  logger: Logger;
  /** How long Janus gets to stop after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  /** The API's loopback port; a free one when not given. */
  port?: number;
}

export interface SupervisedJanus {
  url: string;
  apiSecret: string;
  adminKey: string;
  /** The current process id (tests kill it to see the restart). */
  pid(): number | undefined;
  stop(): Promise<void>;
}

/** Janus plugins and transports the service does not use: not loaded, so they open no ports. */
const UNUSED_PLUGINS = ['audiobridge', 'duktape', 'echotest', 'lua', 'nosip', 'recordplay', 'sip', 'streaming', 'textroom', 'videocall', 'voicemail'];
const UNUSED_TRANSPORTS = ['http', 'mqtt', 'nanomsg', 'pfunix', 'rabbitmq'];
const RESTART_DELAYS_MS = [200, 1000, 2000, 5000];

/** Answers null when the executable cannot be run (not installed): the caller chooses another media server. */
export async function startSupervisedJanus(options: JanusSupervisorOptions): Promise<SupervisedJanus | null> {
  const { logger } = options;
  const folder = path.join(options.dataDir, 'janus');
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const apiSecret = readOrCreateSecretFile(options.dataDir, 'janus-api-secret', randomSecret);
  const adminKey = readOrCreateSecretFile(options.dataDir, 'janus-admin-key', randomSecret);
  const port = options.port ?? (await freeLoopbackPort());
  writeJanusConfig(folder, { ...options, apiSecret, adminKey, port });

  let child: ChildProcess | null = null;
  let stopping = false;
  let failures = 0;
  const args = ['-C', path.join(folder, 'janus.jcfg'), '-F', folder, '-o'];

  if (!(await canRun(options.executable))) return null;
  const tie = await canRun('setpriv');
  const run = () => {
    const started = spawnTiedToUs(options.executable, args, tie);
    child = started;
    const since = Date.now();
    started.once('error', (error) => logger.error({ err: error }, 'Janus could not be started'));
    started.stdout?.on('data', (chunk: Buffer) => logJanus(logger, chunk));
    started.stderr?.on('data', (chunk: Buffer) => logJanus(logger, chunk));
    started.once('exit', (code, signal) => {
      if (stopping || child !== started) return;
      child = null;
      // A Janus that stayed up for a while starts again at once; one that keeps dying, less and less often.
      failures = Date.now() - since > 30_000 ? 0 : failures + 1;
      const delay = RESTART_DELAYS_MS[Math.min(failures, RESTART_DELAYS_MS.length - 1)]!;
      logger.error({ code, signal, restartInMs: delay }, 'Janus stopped; starting it again');
      setTimeout(() => {
        if (!stopping) run();
      }, delay).unref();
    });
  };

  run();
  try {
    await waitUntilListening(port, 15_000);
  } catch (error) {
    stopping = true;
    if (child) await stopProcess(child, options.stopGraceMs ?? 3000);
    throw error;
  }
  return {
    url: `ws://127.0.0.1:${port}`,
    apiSecret,
    adminKey,
    pid: () => (child as ChildProcess | null)?.pid,
    async stop() {
      stopping = true;
      const running = child as ChildProcess | null;
      child = null;
      if (running) await stopProcess(running, options.stopGraceMs ?? 3000);
    },
  };
}

interface JanusConfigValues {
  apiSecret: string;
  adminKey: string;
  port: number;
  rtpPortRange: string;
  publicIp: string | null;
  stunServer: string | null;
}

/** Janus's configuration files (libconfig syntax), written fresh on every start. */
export function writeJanusConfig(folder: string, values: JanusConfigValues): void {
  const quoted = (value: string) => JSON.stringify(value);
  const so = (names: string[]) => quoted(names.map((name) => `libjanus_${name}.so`).join(','));
  const [stunHost, stunPort] = values.stunServer ? values.stunServer.split(':') : [];
  const files: Record<string, string> = {
    'janus.jcfg': `general: {
  configs_folder = ${quoted(folder)}
  debug_level = 3
  server_name = "live-rooms"
  api_secret = ${quoted(values.apiSecret)}
  session_timeout = 60
}
media: {
  rtp_port_range = ${quoted(values.rtpPortRange)}
}
nat: {
  nice_debug = false
  ice_ignore_list = "vmnet"
${values.publicIp ? `  nat_1_1_mapping = ${quoted(values.publicIp)}\n  keep_private_host = true\n` : ''}${stunHost ? `  stun_server = ${quoted(stunHost)}\n  stun_port = ${Number(stunPort)}\n` : ''}}
plugins: {
  disable = ${so(UNUSED_PLUGINS)}
}
transports: {
  disable = ${so(UNUSED_TRANSPORTS)}
}
loggers: {
  disable = "libjanus_jsonlog.so"
}
events: {
  broadcast = false
}
`,
    'janus.transport.websockets.jcfg': `general: {
  json = "plain"
  ws = true
  ws_port = ${values.port}
  ws_ip = "127.0.0.1"
  wss = false
}
admin: {
  admin_ws = false
}
`,
    'janus.plugin.videoroom.jcfg': `general: {
  admin_key = ${quoted(values.adminKey)}
  lock_rtp_forward = true
}
`,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(folder, name), text, { mode: 0o600 });
}

/** With `setpriv --pdeathsig`, the kernel ends Janus when the service dies, so no orphan keeps its ports. */
function spawnTiedToUs(executable: string, args: string[], tie: boolean): ChildProcess {
  const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
  return tie ? spawn('setpriv', ['--pdeathsig', 'SIGTERM', '--', executable, ...args], { stdio }) : spawn(executable, args, { stdio });
}

/** Whether the executable is there to run (it is run once with --help, which both janus and setpriv answer at once). */
function canRun(executable: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = spawn(executable, ['--help'], { stdio: 'ignore' });
    probe.once('error', () => resolve(false));
    probe.once('spawn', () => {
      probe.kill();
      resolve(true);
    });
  });
}

/** Janus opens its API a moment after it starts; the service waits for it before placing rooms on it. */
async function waitUntilListening(port: number, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`Janus did not open its API on port ${port} within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function logJanus(logger: Logger, chunk: Buffer): void {
  for (const line of chunk.toString('utf8').split('\n')) {
    if (line.includes('[ERR]')) logger.warn({ janus: line.trim() }, 'Janus');
    else if (line.trim()) logger.debug({ janus: line.trim() }, 'Janus');
  }
}
