/**
 * The small typed protocol between the embedded SFU's worker thread and its
 * proxy on the main thread. The worker's Sfu implements SfuCalls; the proxy
 * sends `{ id, call, args }` and gets `{ id, result }` or `{ id, error }` back,
 * and the worker sends events of its own (a feed's media arrived or failed, a
 * log line). Only structured-clonable values cross: strings, numbers, plain objects.
 */
import type { MediaEndpoint, MediaServer, MediaServerErrorReason, MediaSource } from '../media-server.ts';

/** How much forwarding the embedded SFU takes on: a change of a receiving connection needing more is refused (MediaServerError 'busy'). */
export interface ForwardingCaps {
  /** Streams (each feed received counts its audio and its video one each) forwarded in one room at once. */
  streamsPerRoom: number;
  /** Streams forwarded by the whole SFU at once. */
  streamsPerServer: number;
}

export interface SfuSettings {
  caps: ForwardingCaps;
  /** UDP ports for media, `min-max`; null: any free port. */
  portRange: string | null;
  stunServer: string | null;
  /** Host addresses offered besides the machine's own interfaces (loopback, so a browser on this machine always finds a path). */
  extraHostAddresses: string[];
}

export interface SfuStats {
  rooms: number;
  publishers: number;
  /** Streams being forwarded now (audio and video of each feed on every receiving connection). */
  forwardedStreams: number;
  /** CPU time the worker thread has used since it started, in milliseconds (the thread's own where the system tells it). */
  cpuMs: number;
  /** The worker's event loop utilisation since it started, 0–1. */
  eventLoopUtilization: number;
}

/** What the worker does, call by call: MediaServer's media operations (a feed's flowing comes as an event), and its stats. */
export type SfuCalls = Pick<
  MediaServer,
  'openRoom' | 'closeRoom' | 'unpublish' | 'updateReceiving' | 'answerReceiving' | 'restartReceiving' | 'closeReceiving' | 'chooseLayer' | 'receiveVideo' | 'restartPublisher' | 'trickle' | 'configure' | 'leave'
> & {
  publish(endpoint: MediaEndpoint, source: MediaSource, offerSdp: string): Promise<{ feedId: string; answerSdp: string }>;
  stats(): Promise<SfuStats>;
};

export type SfuCallName = keyof SfuCalls;

export interface SfuRequest<K extends SfuCallName = SfuCallName> {
  id: number;
  call: K;
  args: Parameters<SfuCalls[K]>;
}

/** MediaServerError's reason and message, as they cross the thread boundary. */
export interface SfuFailure {
  reason: MediaServerErrorReason;
  message: string;
}

export type SfuReply = { id: number; result: unknown } | { id: number; error: SfuFailure };

export type SfuEvent =
  | { event: 'ready' }
  /** A published feed's media reached the SFU (others may subscribe), or its connection failed first. */
  | { event: 'flowing'; feedId: string; failure?: string }
  | { event: 'log'; level: 'info' | 'warn' | 'error'; message: string; detail?: Record<string, unknown> };

export type SfuMessage = SfuReply | SfuEvent;
