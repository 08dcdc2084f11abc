/**
 * The service under the fan-out load, started exactly as `npm start` does
 * (startServer) with a temporary data folder, an ephemeral loopback port and
 * no logging. Its live-room rules are production's, chat rate limit included
 * (5 messages a second, bursts of 10, per person): the load keeps every sender
 * under it. Only the room capacity is raised, so that any `--participants`
 * fit in one room, and the HTTP rate limits, so that entering the room is
 * not throttled. Run by tests/bench/fan-out.ts in a child process; it answers
 * questions about its memory over IPC (child-server.ts), never over HTTP.
 */
import { startBenchService } from './bench-partner.ts';
import { serveParent } from './child-server.ts';

/** The schema's ceiling: more participants than the load will ever bring. */
const ROOM_CAPACITY = 10_000;

const service = await startBenchService({ liveRoom: { defaultCapacity: ROOM_CAPACITY } });
const { config } = service;
serveParent({
  url: service.running.url,
  details: {
    database: config.database.url === null ? 'sqlite' : 'postgres',
    chatLimit: { ratePerSecond: config.liveRoom.chatRatePerSecond, burst: config.liveRoom.chatBurst },
    heartbeatSeconds: config.liveRoom.heartbeatSeconds,
  },
  close: () => service.close(),
});
