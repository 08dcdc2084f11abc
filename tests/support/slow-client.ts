/**
 * A client on a slow line, on a raw loopback socket: it sends a request's
 * head and body a few bytes at a time, and reports what the server answered
 * and when the server closed the connection. Every run stops by itself.
 */
import net from 'node:net';
import { withTokenFirst, type TestAgent } from './test-agent.ts';

export interface SlowRequest {
  /** The request line and headers, without the empty line that ends them. */
  head: string;
  body?: Buffer;
  /** Trickle the head too (the head is sent at once by default, and only the body trickles). */
  trickleHead?: boolean;
  /** Bytes of the body sent at once with the head, as a browser's first packet carries the form's first field. */
  bodyAtOnce?: number;
  /** Bytes per step, and the pause between steps. */
  bytesPerStep: number;
  stepMs: number;
  /** Send everything left at once after this long (an upload that speeds up at the end); never by default. */
  finishAfterMs?: number;
  /** The run ends by itself after this long, whatever the server does. */
  giveUpMs: number;
}

export interface SlowOutcome {
  /** What the server sent back, as text. */
  answer: string;
  /** How long after the first byte the server closed the connection; null if it had not by giveUpMs. */
  closedAfterMs: number | null;
  /** Bytes of the request sent before the connection ended. */
  sent: number;
}

export function sendSlowly(url: string, { head, body = Buffer.alloc(0), trickleHead = false, bodyAtOnce = 0, bytesPerStep, stepMs, finishAfterMs, giveUpMs }: SlowRequest): Promise<SlowOutcome> {
  const { hostname, port } = new URL(url);
  const request = Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body]);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    const started = performance.now();
    const chunks: Buffer[] = [];
    let sent = 0;
    let closedAfterMs: number | null = null;
    const step = () => {
      if (socket.destroyed || sent >= request.length) return;
      const rushing = finishAfterMs !== undefined && performance.now() - started >= finishAfterMs;
      const next = request.subarray(sent, rushing ? request.length : sent + bytesPerStep);
      sent += next.length;
      socket.write(next);
    };
    const stepper = setInterval(step, stepMs);
    let gaveUp = false;
    const giveUp = setTimeout(() => {
      gaveUp = true;
      socket.destroy();
    }, giveUpMs);
    socket.on('connect', () => {
      if (!trickleHead) {
        sent = Buffer.byteLength(head) + 4 + bodyAtOnce;
        socket.write(request.subarray(0, sent));
      }
      step();
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    // The server may reset a connection it closed with bytes unread: that is a close too.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (!gaveUp) closedAfterMs = performance.now() - started;
      clearInterval(stepper);
      clearTimeout(giveUp);
      resolve({ answer: Buffer.concat(chunks).toString('utf8'), closedAfterMs, sent });
    });
  });
}

/**
 * A multipart upload of `form` as the agent's browser would send it (its session and CSRF
 * cookies, the CSRF token as the form's first field), as a head and a body for a raw socket;
 * `tokenBytes`: how much of the body the token's part takes.
 */
export async function rawUpload(agent: TestAgent, pathname: string, form: FormData): Promise<{ head: string; body: Buffer; tokenBytes: number }> {
  const request = new Request(new URL(pathname, agent.baseUrl), { method: 'POST', body: withTokenFirst(form, agent.csrfToken!) });
  const body = Buffer.from(await request.arrayBuffer());
  const cookies = ['lr_session', 'lr_csrf'].map((name) => `${name}=${agent.cookie(name)}`).join('; ');
  const head = [
    `POST ${pathname} HTTP/1.1`,
    `Host: ${new URL(agent.baseUrl).host}`,
    'Accept: application/json',
    `Cookie: ${cookies}`,
    `Content-Type: ${request.headers.get('content-type')}`,
    `Content-Length: ${body.length}`,
    'Connection: close',
  ].join('\r\n');
  return { head, body, tokenBytes: body.indexOf('\r\n--', 4) + 2 };
}
