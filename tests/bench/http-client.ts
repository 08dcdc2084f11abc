/**
 * A lean HTTP client for load generation: node:http over one keep-alive agent
 * (so the numbers measure the server, not TCP handshakes), a per-browser
 * cookie jar, and a hard timeout on every request so a stuck server fails the
 * request instead of hanging the benchmark.
 */
import http from 'node:http';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

/** A failed request: an unexpected status, a transport error or a timeout. The label says which step. */
export class RequestFailure extends Error {
  override name = 'RequestFailure';
  constructor(
    readonly step: string,
    readonly reason: string,
  ) {
    super(`${step}: ${reason}`);
  }
}

export class HttpClient {
  readonly #base: URL;
  readonly #agent: http.Agent;
  readonly #timeoutMs: number;

  /** `maxSockets` should match the load's concurrency: one connection per simulated browser in flight. */
  constructor(baseUrl: string, { maxSockets, timeoutMs = 30_000 }: { maxSockets: number; timeoutMs?: number }) {
    this.#base = new URL(baseUrl);
    this.#agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
    this.#timeoutMs = timeoutMs;
  }

  request(path: string, { method = 'GET', headers = {}, body }: RequestOptions = {}): Promise<HttpResponse> {
    const url = new URL(path, this.#base);
    const payload = body === undefined ? undefined : Buffer.from(body);
    // An explicit length (0 for a bodiless POST) keeps Node from switching to chunked encoding.
    const length = payload ? { 'content-length': String(payload.length) } : method === 'POST' ? { 'content-length': '0' } : {};
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        { method, agent: this.#agent, headers: { ...headers, ...length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(this.#timeoutMs, () => req.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Closes the pooled connections so the process can end. */
  close(): void {
    this.#agent.destroy();
  }
}

/**
 * One simulated browser's cookies. The benchmark talks to one host under one
 * path, so name → value is enough; an empty value or a past Expires deletes,
 * as `res.clearCookie` intends.
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  store(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      if (separator <= 0) continue;
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const expires = attributes.find((attribute) => /^\s*expires=/i.test(attribute));
      const expired = expires !== undefined && Date.parse(expires.split('=')[1] ?? '') <= Date.now();
      if (value === '' || expired) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}
