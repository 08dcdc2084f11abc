/**
 * The fan-out load's yardstick: a bare `ws` server that relays every text
 * message it receives, as it came, to every connected client (the sender
 * included, as the room does). No authentication, no parsing, no rules, no
 * database: what it costs is what WebSocket framing, the sockets and the load
 * generator cost by themselves, and the service's latencies are read against it.
 * Same socket options as the room endpoint (no compression, same frame limit).
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES } from '../../src/live-room/room-protocol.ts';
import { serveParent } from './child-server.ts';

const sockets = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });

sockets.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    for (const client of sockets.clients) {
      if (client.readyState === client.OPEN) client.send(data, { binary: false });
    }
  });
});

sockets.on('listening', () => {
  const { port } = sockets.address() as AddressInfo;
  serveParent({
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close(() => resolve());
      }),
  });
});
