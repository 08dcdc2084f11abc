/**
 * Which media server the service uses, in this order: the Janus servers in
 * config (JANUS_URL); else a `janus` executable, started and supervised by the
 * service; else none, and the room says audio and video are unavailable.
 */
import type { AppConfig } from '../lib/config/config.ts';
import type { Logger } from '../lib/logger/logger.ts';
import { JanusMediaServer } from './janus/janus-media-server.ts';
import { startSupervisedJanus } from './janus/janus-supervisor.ts';
import type { MediaServer } from './media-server.ts';
import { createUnavailableMediaServer } from './unavailable-media-server.ts';

export interface ChosenMediaServer {
  server: MediaServer;
  /** The supervised Janus's process id, if the service runs one (tests kill it to see it come back). */
  supervisedPid(): number | undefined;
  stop(): Promise<void>;
}

export async function chooseMediaServer(config: AppConfig, logger: Logger): Promise<ChosenMediaServer> {
  const { media } = config;
  const timeouts = { logger, requestTimeoutMs: media.requestTimeoutMs };
  if (media.janusUrls.length > 0) {
    const janus = new JanusMediaServer(media.janusUrls.map((url) => ({ url, apiSecret: media.janusApiSecret, adminKey: media.janusAdminKey })), timeouts);
    await janus.connect();
    logger.info({ servers: media.janusUrls.length }, 'media: Janus servers from config');
    return { server: janus, supervisedPid: () => undefined, stop: () => janus.close() };
  }
  const supervised = media.janusExecutable
    ? await startSupervisedJanus({ executable: media.janusExecutable, dataDir: config.dataDir, rtpPortRange: media.rtpPortRange, publicIp: media.publicIp, stunServer: media.stunServer, logger }).catch((error: unknown) => {
        logger.error({ err: error }, 'media: Janus did not start');
        return null;
      })
    : null;
  if (supervised) {
    const janus = new JanusMediaServer([{ url: supervised.url, apiSecret: supervised.apiSecret, adminKey: supervised.adminKey }], timeouts);
    await janus.connect();
    logger.info({ pid: supervised.pid() }, 'media: Janus started and supervised by the service');
    return {
      server: janus,
      supervisedPid: () => supervised.pid(),
      async stop() {
        await janus.close();
        await supervised.stop();
      },
    };
  }
  // TODO(issue 10): the in-process SFU on werift comes here, behind the same interface.
  logger.warn('media: no Janus configured or installed; audio and video are unavailable in rooms');
  const none = createUnavailableMediaServer();
  return { server: none, supervisedPid: () => undefined, stop: () => none.close() };
}
