/**
 * Which media server the service uses (MEDIA_SERVER, `auto` unless set), in
 * this order: the Janus servers in config (JANUS_URL); else a `janus`
 * executable, started and supervised by the service; else the embedded SFU on
 * werift, in a worker thread. `janus` or `embedded` forces one of them (tests
 * and operators choose); `none`, or a media server that cannot start, leaves
 * the room saying that audio and video are unavailable.
 */
import type { AppConfig } from '../lib/config/config.ts';
import type { Logger } from '../lib/logger/logger.ts';
import { EmbeddedMediaServer } from './embedded/embedded-media-server.ts';
import { JanusMediaServer } from './janus/janus-media-server.ts';
import { startSupervisedJanus } from './janus/janus-supervisor.ts';
import type { MediaServer } from './media-server.ts';
import { createUnavailableMediaServer } from './unavailable-media-server.ts';

export interface ChosenMediaServer {
  server: MediaServer;
  /** The supervised Janus's process id, if the service runs one (tests kill it to see it come back). */
  supervisedPid(): number | undefined;
  /** Ends the media server abruptly, as a crash would: the supervised Janus or the embedded SFU's worker (tests see it come back). */
  kill(): void;
  stop(): Promise<void>;
}

export async function chooseMediaServer(config: AppConfig, logger: Logger): Promise<ChosenMediaServer> {
  const wanted = config.media.server;
  const janus = wanted === 'auto' || wanted === 'janus' ? await chooseJanus(config, logger) : null;
  if (janus) return janus;
  if (wanted === 'auto' || wanted === 'embedded') {
    const embedded = await startEmbedded(config, logger);
    if (embedded) return embedded;
  }
  logger.warn({ wanted }, 'media: no media server runs; audio and video are unavailable in rooms');
  const none = createUnavailableMediaServer();
  return { server: none, supervisedPid: () => undefined, kill: () => undefined, stop: () => none.close() };
}

async function chooseJanus(config: AppConfig, logger: Logger): Promise<ChosenMediaServer | null> {
  const { media } = config;
  const timeouts = { logger, requestTimeoutMs: media.requestTimeoutMs };
  if (media.janusUrls.length > 0) {
    const janus = new JanusMediaServer(media.janusUrls.map((url) => ({ url, apiSecret: media.janusApiSecret, adminKey: media.janusAdminKey })), timeouts);
    await janus.connect();
    logger.info({ servers: media.janusUrls.length }, 'media: Janus servers from config');
    return { server: janus, supervisedPid: () => undefined, kill: () => undefined, stop: () => janus.close() };
  }
  const supervised = media.janusExecutable
    ? await startSupervisedJanus({ executable: media.janusExecutable, dataDir: config.dataDir, rtpPortRange: media.rtpPortRange, publicIp: media.publicIp, stunServer: media.stunServer, logger }).catch((error: unknown) => {
        logger.error({ err: error }, 'media: Janus did not start');
        return null;
      })
    : null;
  if (!supervised) return null;
  const janus = new JanusMediaServer([{ url: supervised.url, apiSecret: supervised.apiSecret, adminKey: supervised.adminKey }], timeouts);
  await janus.connect();
  logger.info({ pid: supervised.pid() }, 'media: Janus started and supervised by the service');
  return {
    server: janus,
    supervisedPid: () => supervised.pid(),
    kill() {
      const pid = supervised.pid();
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
    },
    async stop() {
      await janus.close();
      await supervised.stop();
    },
  };
}

async function startEmbedded(config: AppConfig, logger: Logger): Promise<ChosenMediaServer | null> {
  const { media } = config;
  const embedded = new EmbeddedMediaServer(
    // Loopback too: a browser on this machine finds a path even where no other interface is up.
    { caps: media.embedded, portRange: media.rtpPortRange, stunServer: media.stunServer, extraHostAddresses: ['127.0.0.1'] },
    { logger, requestTimeoutMs: media.requestTimeoutMs },
  );
  try {
    await embedded.launch();
  } catch (error) {
    logger.error({ err: error }, 'media: the embedded SFU did not start');
    await embedded.close();
    return null;
  }
  logger.info({ caps: media.embedded }, 'media: the embedded SFU (werift, in a worker thread); for real classes, install Janus');
  return { server: embedded, supervisedPid: () => undefined, kill: () => embedded.kill(), stop: () => embedded.close() };
}
