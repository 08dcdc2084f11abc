import net from 'node:net';
import { expect } from 'chai';
import { createBackendAccount, signInWithPassword } from '../support/backend-accounts.ts';
import { buildImage, uploadForm } from '../support/image-builder.ts';
import { rawUpload, sendSlowly } from '../support/slow-client.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

// Short enough for the test to run in well under a second; production uses 30 s and 1 h.
const REQUEST_MS = 250;
const UPLOAD_MS = 5000;
const HEADERS_MS = 200;

describe('slow requests', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ config: { http: { requestTimeoutMs: REQUEST_MS, uploadTimeoutMs: UPLOAD_MS, headersTimeoutMs: HEADERS_MS, keepAliveTimeoutMs: 200, maxConnections: 50 } } });
  });
  after(() => server.stop());

  it('cuts off a body trickled to an ordinary form after the short timeout, with 408, and keeps serving', async () => {
    const body = Buffer.from(`email=someone%40school.test&password=${'x'.repeat(500)}`);
    const head = ['POST /login HTTP/1.1', 'Host: 127.0.0.1', 'Content-Type: application/x-www-form-urlencoded', `Content-Length: ${body.length}`].join('\r\n');
    const outcome = await sendSlowly(server.url, {
      head,
      body,
      bytesPerStep: 2,
      stepMs: 20,
      giveUpMs: 5000,
    });
    expect(outcome.answer).to.match(/^HTTP\/1\.1 408 /);
    expect(outcome.answer).to.match(/connection: close/i).and.contain('The request took too long to arrive.');
    expect(outcome.closedAfterMs).to.be.a('number').within(REQUEST_MS * 0.9, REQUEST_MS + 2000);
    // Cut off mid-body: most of it was never sent.
    expect(outcome.sent - head.length).to.be.below(body.length / 2);
    expect((await server.agent().get('/healthz', { accept: 'application/json' })).status).to.equal(200);
  });

  it('closes a connection whose headers trickle in, after the headers timeout', async () => {
    const outcome = await sendSlowly(server.url, {
      head: ['GET /healthz HTTP/1.1', 'Host: 127.0.0.1', `X-Padding: ${'p'.repeat(400)}`].join('\r\n'),
      trickleHead: true,
      bytesPerStep: 2,
      stepMs: 20,
      giveUpMs: 5000,
    });
    expect(outcome.closedAfterMs).to.be.a('number').within(HEADERS_MS * 0.9, HEADERS_MS * 2 + 2000);
    expect(outcome.answer).to.not.match(/^HTTP\/1\.1 200/);
  });

  it('lets an upload take longer than the short timeout, once the person and the place are checked', async () => {
    const account = await createBackendAccount(server, { role: 'instructor' });
    const agent = await signInWithPassword(server, account.email!);
    await agent.get('/backend/profile');
    const { head, body, tokenBytes } = await rawUpload(agent, '/backend/profile/picture', uploadForm('picture', await buildImage({ bytes: 2048 }), { fields: { version: String(account.version) } }));
    const outcome = await sendSlowly(server.url, {
      head,
      body,
      // The token is read before the upload is given its time (see csrf.ts): it comes with the head, as in a browser's first packet.
      bodyAtOnce: tokenBytes,
      bytesPerStep: 16,
      stepMs: 20,
      // Still trickling at twice the short timeout, then the rest at once.
      finishAfterMs: REQUEST_MS * 2.5,
      giveUpMs: 4000,
    });
    expect(outcome.answer).to.match(/^HTTP\/1\.1 200 /);
    expect(outcome.closedAfterMs).to.be.above(REQUEST_MS * 2.5);
  });
});

describe('connections', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ config: { http: { maxConnections: 2 } } });
  });
  after(() => server.stop());

  it('refuses connections over http.maxConnections, and serves again once some close', async () => {
    const { hostname, port } = new URL(server.url);
    const open = await Promise.all([1, 2].map(() => connected(net.connect(Number(port), hostname))));
    const third = net.connect(Number(port), hostname);
    const closed = await new Promise<boolean>((resolve) => {
      third.on('error', () => undefined);
      third.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 2000).unref();
    });
    third.destroy();
    expect(closed).to.equal(true);
    for (const socket of open) socket.destroy();
    await Promise.all(open.map((socket) => new Promise((resolve) => (socket.closed ? resolve(null) : socket.once('close', resolve)))));
    await eventually(async () => (await fetch(`${server.url}/healthz`)).status === 200);
  });
});

function connected(socket: net.Socket): Promise<net.Socket> {
  return new Promise((resolve, reject) => socket.once('connect', () => resolve(socket)).once('error', reject));
}

/** The server hears of closed sockets a moment after the client does. */
async function eventually(check: () => Promise<boolean>, attempts = 20): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('never came true');
}
