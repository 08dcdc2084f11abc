import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { WebSocketServer, type WebSocket } from 'ws';
import { JanusClient, JanusError } from '../../../src/media/janus/janus-client.ts';

interface Frame {
  janus: string;
  transaction: string;
  apisecret?: string;
  body?: { request?: string };
}

/** A stand-in for Janus's WebSocket API: answers each frame as `answer` says (nothing when it returns nothing). */
async function fakeJanus(answer: (frame: Frame, socket: WebSocket) => object[] | void) {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (protocols) => (protocols.has('janus-protocol') ? 'janus-protocol' : false) });
  await new Promise((resolve) => server.once('listening', resolve));
  const seen: Frame[] = [];
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      seen.push(frame);
      for (const reply of answer(frame, socket) ?? []) socket.send(JSON.stringify({ transaction: frame.transaction, ...reply }));
    });
  });
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('JanusClient', () => {
  it('sends the API secret with every request, and matches asynchronous answers to their request past the ack', async () => {
    const janus = await fakeJanus((frame) => {
      if (frame.janus === 'create') return [{ janus: 'success', data: { id: 11 } }];
      if (frame.janus === 'attach') return [{ janus: 'success', data: { id: 22 } }];
      if (frame.body?.request === 'join') return [{ janus: 'ack' }, { janus: 'event', sender: 22, plugindata: { plugin: 'janus.plugin.videoroom', data: { videoroom: 'joined', id: 7 } }, jsep: { type: 'answer', sdp: 'v=0' } }];
      return [{ janus: 'ack' }];
    });
    const client = new JanusClient({ url: janus.url, apiSecret: 's3cret', requestTimeoutMs: 2000 });
    await client.connect();
    const handle = await (await client.createSession()).attach('janus.plugin.videoroom');
    const joined = await handle.message({ request: 'join' });
    expect(joined).to.deep.equal({ data: { videoroom: 'joined', id: 7 }, jsep: { type: 'answer', sdp: 'v=0' } });
    expect(janus.seen.every((frame) => frame.apisecret === 's3cret')).to.equal(true);
    client.close();
    await janus.close();
  });

  it('rejects Janus errors and plugin errors with their codes, and a request nobody answers after its time', async () => {
    const janus = await fakeJanus((frame) => {
      if (frame.janus === 'create') return [{ janus: 'success', data: { id: 11 } }];
      if (frame.janus === 'attach') return (frame as { plugin?: string }).plugin === 'janus.plugin.videoroom' ? [{ janus: 'success', data: { id: 22 } }] : [{ janus: 'error', error: { code: 460, reason: 'No such plugin' } }];
      if (frame.janus === 'message') return [{ janus: 'success', plugindata: { plugin: 'janus.plugin.videoroom', data: { error_code: 432, error: 'Maximum number of publishers (1) already reached' } } }];
      return undefined;
    });
    const client = new JanusClient({ url: janus.url, apiSecret: null, requestTimeoutMs: 200 });
    await client.connect();
    const session = await client.createSession();
    const refused = await session.attach('janus.plugin.nothing').catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(JanusError).and.include({ code: 460 });
    const full = await (await session.attach('janus.plugin.videoroom')).request({ request: 'create' }).catch((error: unknown) => error);
    expect(full).to.be.instanceOf(JanusError).and.include({ code: 432 });
    const unanswered = await client.send({ janus: 'info' }).catch((error: Error) => error);
    expect((unanswered as Error).message).to.contain('did not answer');
    client.close();
    await janus.close();
  });

  it('rejects what is pending and says so when the connection to Janus closes', async () => {
    const janus = await fakeJanus((frame, socket) => {
      if (frame.janus === 'create') return [{ janus: 'success', data: { id: 11 } }];
      socket.terminate();
      return undefined;
    });
    const client = new JanusClient({ url: janus.url, apiSecret: null, requestTimeoutMs: 5000 });
    await client.connect();
    await client.createSession();
    const closed = new Promise((resolve) => client.once('close', resolve));
    const pending = await client.send({ janus: 'info' }).catch((error: Error) => error);
    expect((pending as Error).message).to.contain('closed');
    await closed;
    expect(client.connected).to.equal(false);
    await janus.close();
  });
});
