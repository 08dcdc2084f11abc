/**
 * A Kaltura that misbehaves on demand: a loopback proxy in front of a
 * standalone Kaltura emulator. With no fault set it forwards faithfully.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createKalturaEmulator } from '../../src/kaltura-emulator/create-kaltura-emulator.ts';
import { loadDemoFixture } from '../../src/kaltura-emulator/demo-fixture.ts';

/** `drop-kept`: a request on a kept-alive connection finds it closed (reset, unread), as when Kaltura closed it as idle just then. */
export type KalturaFault = 'none' | 'slow' | 'hang' | 'http-500' | 'garbage' | 'api-error' | 'drop-kept';

/**
 * A fault for one action only ("uploadtoken/upload"), after `after` of its calls went through:
 * http-500 answers without reaching Kaltura; lose-answer lets Kaltura do it and answers 500 instead.
 */
export interface ActionFault {
  action: string;
  fault: 'http-500' | 'lose-answer';
  after?: number;
}

export interface FaultyKaltura {
  /** Where the service under test should send its Kaltura calls. */
  serviceUrl: string;
  /** The emulator itself, for seeding without faults. */
  emulatorUrl: string;
  setFault(fault: KalturaFault): void;
  setActionFault(fault: ActionFault | null): void;
  /** Requests the `drop-kept` fault reset so far. */
  resets(): number;
  close(): Promise<void>;
}

export async function startFaultyKaltura(partner: { id: number; adminSecret: string; userSecret: string }, slowMs: number): Promise<FaultyKaltura> {
  const app = express();
  app.use('/api_v3', createKalturaEmulator({ partners: [{ ...partner, name: 'Faulty partner' }], fixture: loadDemoFixture() }).router);
  const emulator = http.createServer(app);
  const emulatorUrl = await listen(emulator);
  let fault: KalturaFault = 'none';
  let actionFault: { fault: ActionFault; seen: number } | null = null;
  const hanging = new Set<http.ServerResponse>();
  const servedOn = new WeakMap<object, number>();
  let resets = 0;

  /** The action fault that applies to this request, if any (counting the calls it lets through). */
  const actionFaultFor = (req: http.IncomingMessage): ActionFault['fault'] | null => {
    if (!actionFault) return null;
    const [service, action] = actionFault.fault.action.toLowerCase().split('/');
    if (!(req.url ?? '').toLowerCase().includes(`/service/${service}/action/${action}`)) return null;
    actionFault.seen += 1;
    return actionFault.seen > (actionFault.fault.after ?? 0) ? actionFault.fault.fault : null;
  };

  const proxy = http.createServer((req, res) => {
    const served = servedOn.get(req.socket) ?? 0;
    servedOn.set(req.socket, served + 1);
    if (fault === 'drop-kept' && served > 0) {
      resets += 1;
      req.socket.destroy();
      return;
    }
    const oneAction = actionFaultFor(req);
    if (oneAction === 'http-500') {
      res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal Server Error</h1>');
      return;
    }
    if (oneAction === 'lose-answer') {
      const upstream = http.request(new URL(req.url!, emulatorUrl), { method: req.method, headers: req.headers }, (answer) => {
        answer.resume();
        answer.on('end', () => res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Gateway Timeout</h1>'));
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
      return;
    }
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
    resets: () => resets,
    setActionFault(next) {
      actionFault = next ? { fault: next, seen: 0 } : null;
    },
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
