/**
 * A Kaltura that misbehaves on demand: a loopback proxy in front of a
 * standalone Kaltura emulator. With no fault set it forwards faithfully.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createKalturaEmulator } from '../../src/kaltura-emulator/create-kaltura-emulator.ts';
import { loadDemoFixture } from '../../src/kaltura-emulator/demo-fixture.ts';

export type KalturaFault = 'none' | 'slow' | 'hang' | 'http-500' | 'garbage' | 'api-error';

export interface FaultyKaltura {
  /** Where the service under test should send its Kaltura calls. */
  serviceUrl: string;
  /** The emulator itself, for seeding without faults. */
  emulatorUrl: string;
  setFault(fault: KalturaFault): void;
  close(): Promise<void>;
}

export async function startFaultyKaltura(partner: { id: number; adminSecret: string; userSecret: string }, slowMs: number): Promise<FaultyKaltura> {
  const app = express();
  app.use('/api_v3', createKalturaEmulator({ partners: [{ ...partner, name: 'Faulty partner' }], fixture: loadDemoFixture() }).router);
  const emulator = http.createServer(app);
  const emulatorUrl = await listen(emulator);
  let fault: KalturaFault = 'none';
  const hanging = new Set<http.ServerResponse>();

  const proxy = http.createServer((req, res) => {
    switch (fault) {
      case 'hang':
        hanging.add(res);
        return;
      case 'http-500':
        res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal Server Error</h1>');
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
        return;
      case 'api-error':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'INTERNAL_SERVERL_ERROR', message: 'Internal server error occurred', objectType: 'KalturaAPIException' }));
        return;
      default: {
        const delay = fault === 'slow' ? slowMs : 0;
        const forward = () => {
          const upstream = http.request(new URL(req.url!, emulatorUrl), { method: req.method, headers: req.headers }, (answer) => {
            res.writeHead(answer.statusCode!, answer.headers);
            answer.pipe(res);
          });
          upstream.on('error', () => res.destroy());
          req.pipe(upstream);
        };
        if (delay) setTimeout(forward, delay).unref();
        else forward();
      }
    }
  });
  const serviceUrl = await listen(proxy);

  return {
    serviceUrl,
    emulatorUrl,
    setFault(next) {
      fault = next;
      for (const res of hanging) res.destroy();
      hanging.clear();
    },
    async close() {
      for (const res of hanging) res.destroy();
      proxy.closeAllConnections();
      emulator.closeAllConnections();
      await Promise.all([new Promise((resolve) => proxy.close(resolve)), new Promise((resolve) => emulator.close(resolve))]);
    },
  };
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
