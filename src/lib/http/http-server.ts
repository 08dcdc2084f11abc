/**
 * The service's HTTP server: its timeouts and connection bound, listening,
 * and the address it is reached on from this machine.
 */
import http from 'node:http';
import type { AppConfig } from '../config/config.ts';

/**
 * Node's request timeout is the upload routes' long one (large files on slow lines); every other
 * route is cut off sooner by requestDeadline. Headers, idle keep-alive connections and the number
 * of connections are bounded for everyone.
 */
export function createHttpServer(options: AppConfig['http']): http.Server {
  const server = http.createServer({
    requestTimeout: options.uploadTimeoutMs,
    headersTimeout: options.headersTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    // Node looks for timed-out requests this often (30 s by default), too seldom for a short headers timeout.
    connectionsCheckingInterval: Math.min(30_000, options.headersTimeoutMs),
  });
  server.maxConnections = options.maxConnections;
  return server;
}

/** The address to reach the service on this machine: a wildcard host is opened as localhost. */
export function listeningUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

export function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
