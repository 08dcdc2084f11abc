/**
 * A standalone Kaltura emulator on a loopback port, and kaltura-client pointed
 * at it, for tests that drive the emulator exactly as the service drives Kaltura.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import kaltura from 'kaltura-client';
import { createKalturaEmulator, type EmulatorPartner, type KalturaEmulatorOptions } from '../../src/kaltura-emulator/create-kaltura-emulator.ts';
import { loadDemoFixture } from '../../src/kaltura-emulator/demo-fixture.ts';

/** The part of kaltura-client the tests use, loosely typed: answers are checked field by field. */
export type Answer = Record<string, any>;
export interface ClientRequest {
  setKs(ks: string): ClientRequest;
  execute(client: object): Promise<any>;
}
type Actions = Record<string, (...args: any[]) => ClientRequest>;
interface ClientLibrary {
  Configuration: new () => { serviceUrl: string; setLogger(logger: object): void };
  Client: new (config: object) => object;
  services: Record<string, Actions>;
  objects: Record<string, new (fields?: object) => object>;
}
export const k = kaltura as unknown as ClientLibrary;

export const SESSION_USER = 0;
export const SESSION_ADMIN = 2;

export interface EmulatorClient {
  serviceUrl: string;
  send(request: ClientRequest, ks?: string): Promise<Answer>;
  /** The KalturaAPIException a request is answered with; fails the test when it succeeds. */
  failure(request: ClientRequest, ks?: string): Promise<Answer>;
  adminKs(): Promise<string>;
  userKs(userId: string, privileges?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startEmulatorClient(partner: EmulatorPartner, options: Partial<KalturaEmulatorOptions> = {}): Promise<EmulatorClient> {
  const emulator = createKalturaEmulator({ partners: [partner], fixture: loadDemoFixture(), ...options });
  const app = express();
  app.use('/api_v3', emulator.router);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = connectEmulatorClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, partner);
  return { ...client, close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))) };
}

/** kaltura-client pointed at an emulator that runs elsewhere (its close does nothing). */
export function connectEmulatorClient(serviceUrl: string, partner: Pick<EmulatorPartner, 'id' | 'adminSecret' | 'userSecret'>): EmulatorClient {
  const config = new k.Configuration();
  config.serviceUrl = serviceUrl;
  // Not an instance of kaltura-client's ILogger: that turns its console logging off.
  config.setLogger({ log() {}, error() {}, debug() {} });
  const client = new k.Client(config);
  const send = (request: ClientRequest, ks?: string): Promise<Answer> => (ks ? request.setKs(ks) : request).execute(client);
  const startSession = (secret: string, userId: string, type: number, privileges: string) =>
    send(k.services.session!.start!(secret, userId, type, partner.id, 3600, privileges)) as unknown as Promise<string>;
  return {
    serviceUrl,
    send,
    async failure(request, ks) {
      try {
        await send(request, ks);
      } catch (error) {
        return error as Answer;
      }
      throw new Error('expected a KalturaAPIException');
    },
    adminKs: () => startSession(partner.adminSecret, 'admin', SESSION_ADMIN, 'disableentitlement'),
    userKs: (userId, privileges = '') => startSession(partner.userSecret, userId, SESSION_USER, privileges),
    close: async () => {},
  };
}
