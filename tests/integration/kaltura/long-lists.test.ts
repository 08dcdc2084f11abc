/**
 * The gateway reads whole lists the way Kaltura pages them (at most 500 a
 * page, pageIndex from 1): a partner with 1,200 users, and a person in 600
 * channels (one of which passes its members on to a channel that inherits
 * them). The emulator is seeded through kaltura-client multirequests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import kaltura from 'kaltura-client';
import { createKalturaEmulator } from '../../../src/kaltura-emulator/create-kaltura-emulator.ts';
import { createKalturaGateway, type KalturaGateway } from '../../../src/kaltura/kaltura-gateway.ts';

// kaltura-client's own loose types would leak `any` everywhere; the answers are checked field by field.
const k = kaltura as any;
const PARTNER = { id: 3131, name: 'Large', adminSecret: 'large-admin-secret', userSecret: 'large-user-secret' };
const USERS = 1200;
const CHANNELS = 600;
const MEMBER = 3;
const MANAGER = 0;

describe('Kaltura gateway: long lists', function () {
  this.timeout(60_000);
  let server: http.Server;
  let gateway: KalturaGateway;
  let client: any;
  let adminKs: string;
  let profileId: number;
  const channelIds: number[] = [];
  let inheritingId: number;

  /** Adds in multirequests of 100, as an administrator's bulk tool would. */
  async function inBatches(requests: any[]): Promise<any[]> {
    const results: any[] = [];
    for (let start = 0; start < requests.length; start += 100) {
      const multi = new k.MultiRequestBuilder();
      for (const request of requests.slice(start, start + 100)) multi.add(request.setKs(adminKs));
      const answers = (await multi.execute(client)) as any[];
      for (const answer of answers) if (answer?.objectType === 'KalturaAPIException') throw new Error(answer.message);
      results.push(...answers);
    }
    return results;
  }

  before(async () => {
    const emulator = createKalturaEmulator({ partners: [PARTNER] });
    const app = express();
    app.use('/api_v3', emulator.router);
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = new k.Configuration();
    config.serviceUrl = serviceUrl;
    config.setLogger({ log() {}, error() {}, debug() {} });
    client = new k.Client(config);
    adminKs = await k.services.session.start(PARTNER.adminSecret, 'seed', 2, PARTNER.id, 3600, 'disableentitlement').execute(client);

    const xsd = '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"/>';
    profileId = (await k.services.metadataProfile.add(new k.objects.MetadataProfile({ metadataObjectType: '3', name: 'roles', systemName: 'ROLES' }), xsd).setKs(adminKs).execute(client)).id;
    const ids = Array.from({ length: USERS }, (_, index) => `person-${String(index).padStart(4, '0')}`);
    await inBatches(ids.map((id) => k.services.user.add(new k.objects.User({ id, firstName: 'P', lastName: id }))));
    await inBatches(ids.map((id) => k.services.metadata.add(profileId, '3', id, `<metadata><role>viewerRole</role></metadata>`)));

    const channels = await inBatches(Array.from({ length: CHANNELS }, (_, index) => k.services.category.add(new k.objects.Category({ name: `Channel ${String(index).padStart(3, '0')}`, parentId: 0 }))));
    channelIds.push(...channels.map((channel) => channel.id));
    const inheriting = await inBatches([k.services.category.add(new k.objects.Category({ name: 'Inherits', parentId: channelIds[0], inheritanceType: 1 }))]);
    inheritingId = inheriting[0].id;
    await inBatches(channelIds.map((id, index) => k.services.categoryUser.add(new k.objects.CategoryUser({ categoryId: id, userId: 'person-0000', permissionLevel: index === 0 ? MANAGER : MEMBER }))));

    gateway = createKalturaGateway({
      serviceUrl,
      partnerId: PARTNER.id,
      adminSecret: PARTNER.adminSecret,
      userSecret: PARTNER.userSecret,
      timeoutMs: 10_000,
      userRoleMetadataProfileId: profileId,
      adminSessionTtlSeconds: 3600,
    });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('lists all 1,200 users with their roles, in two round trips after the admin session', async () => {
    await gateway.listUsers();
    const before = gateway.callCount();
    const users = await gateway.listUsers();
    expect(gateway.callCount() - before).to.equal(2);
    expect(users).to.have.length(USERS);
    expect(new Set(users.map(({ user }) => user.id)).size).to.equal(USERS);
    expect(users.every(({ roleMetadataXml }) => roleMetadataXml?.includes('viewerRole'))).to.equal(true);
    expect(users.at(-1)!.user.id).to.equal('person-1199');
  });

  it('lists all 600 channels of a person, and the channel that inherits its members from one of them', async () => {
    const before = gateway.callCount();
    const channels = await gateway.listUserChannels('person-0000');
    expect(gateway.callCount() - before).to.equal(3);
    expect(channels).to.have.length(CHANNELS + 1);
    const byId = new Map(channels.map(({ channel, permissionLevel }) => [channel.id, permissionLevel]));
    expect(byId.get(channelIds[0]!)).to.equal(MANAGER);
    expect(byId.get(inheritingId)).to.equal(MANAGER);
    expect(byId.get(channelIds[599]!)).to.equal(MEMBER);
  });

  it('lists no channels for someone in none', async () => {
    expect(await gateway.listUserChannels('person-0001')).to.deep.equal([]);
  });
});
