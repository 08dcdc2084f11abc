/**
 * The service under test, started exactly as `npm start` does (startServer)
 * but with a temporary data folder, an ephemeral loopback port, no logging and
 * rate limits high enough that the storm measures the service, not the
 * limiter. Run by tests/bench/run.ts in a child process; it reports its URL
 * and, when asked over IPC, how many requests it has sent to Kaltura.
 */
import { startBenchService } from './bench-partner.ts';
import { serveParent } from './child-server.ts';

const service = await startBenchService();
serveParent({
  url: service.running.url,
  details: { cache: service.config.cache, database: service.config.database.url === null ? 'sqlite' : 'postgres' },
  callCount: () => service.running.gateway.callCount(),
  close: () => service.close(),
});
