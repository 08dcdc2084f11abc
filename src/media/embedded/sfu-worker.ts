/**
 * The embedded SFU's worker thread: runs the Sfu (werift peer connections and
 * packet forwarding) away from the main thread, so forwarding never delays
 * the room's other work, and answers the proxy's calls (sfu-protocol.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MediaServerError } from '../media-server.ts';
import { Sfu } from './sfu.ts';
import type { SfuEvent, SfuMessage, SfuRequest, SfuSettings } from './sfu-protocol.ts';

const port = parentPort!;
const post = (message: SfuMessage) => port.postMessage(message);
const sfu = new Sfu((workerData as { settings: SfuSettings }).settings, {
  flowing: (feedId, failure) => post({ event: 'flowing', feedId, ...(failure !== undefined && { failure }) }),
});
const log = (level: Extract<SfuEvent, { event: 'log' }>['level'], message: string, detail?: Record<string, unknown>) => post({ event: 'log', level, message, ...(detail && { detail }) });

// werift leaves some promises of a closing peer unhandled: one peer's trouble must not stop everyone's media.
process.on('unhandledRejection', (reason) => log('warn', 'embedded SFU: a peer connection failed', { reason: String(reason) }));

port.on('message', (request: SfuRequest) => {
  const call = sfu[request.call] as (...args: unknown[]) => Promise<unknown>;
  call.apply(sfu, request.args).then(
    (result) => post({ id: request.id, result }),
    (error: unknown) => {
      if (!(error instanceof MediaServerError)) log('error', `embedded SFU: ${request.call} failed`, { err: String((error as Error)?.stack ?? error) });
      post({ id: request.id, error: { reason: error instanceof MediaServerError ? error.reason : 'refused', message: (error as Error)?.message ?? String(error) } });
    },
  );
});

post({ event: 'ready' });
