/**
 * The Kaltura API emulator, driven only through kaltura-client over HTTP, as
 * the service and Kaltura's own tools would drive Kaltura.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import kaltura from 'kaltura-client';
import { createKalturaEmulator, type KalturaEmulator } from '../../../src/kaltura-emulator/create-kaltura-emulator.ts';
import { loadDemoFixture } from '../../../src/kaltura-emulator/demo-fixture.ts';

const k = kaltura as any;
const PARTNER = { id: 777, name: 'Emulated', adminSecret: 'admin-secret-777', userSecret: 'user-secret-777' };
const OTHER = { id: 888, name: 'Other', adminSecret: 'admin-secret-888', userSecret: 'user-secret-888' };
const ADMIN = 2;
const USER = 0;

describe('Kaltura API emulator', () => {
  let server: http.Server;
  let emulator: KalturaEmulator;
  let client: any;
  let clock = Date.now();

  before(async () => {
    emulator = createKalturaEmulator({ partners: [PARTNER, OTHER], fixture: loadDemoFixture(), now: () => clock });
    const app = express();
    app.use('/api_v3', emulator.router);
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const config = new k.Configuration();
    config.serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    config.setLogger({ log() {}, error() {}, debug() {} });
    client = new k.Client(config);
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  const call = (request: any, ks?: string) => (ks ? request.setKs(ks) : request).execute(client);
  const failure = async (request: any, ks?: string) => {
    try {
      await call(request, ks);
    } catch (error) {
      return error as { code: string; message: string; objectType: string };
    }
    throw new Error('expected a Kaltura API exception');
  };
  const adminKs = () => call(k.services.session.start(PARTNER.adminSecret, 'admin', ADMIN, PARTNER.id, 3600, 'disableentitlement'));
  const userKs = (userId: string, expiry = 3600) => call(k.services.session.start(PARTNER.userSecret, userId, USER, PARTNER.id, expiry, ''));

  describe('session', () => {
    it('starts sessions with the admin secret (either type) and the user secret (USER only)', async () => {
      expect(await adminKs()).to.be.a('string');
      expect(await userKs('mel.member')).to.be.a('string');
      const refused = await failure(k.services.session.start(PARTNER.userSecret, 'x', ADMIN, PARTNER.id));
      expect(refused).to.include({ code: 'START_SESSION_ERROR', objectType: 'KalturaAPIException' });
      expect(refused.message).to.equal(`Error while starting session for partner [${PARTNER.id}]`);
      expect((await failure(k.services.session.start('wrong', 'x', USER, PARTNER.id))).code).to.equal('START_SESSION_ERROR');
    });

    it('describes a KS with session.get', async () => {
      const ks = await userKs('mel.member');
      const info = await call(k.services.session.get(ks), ks);
      expect(info).to.include({ objectType: 'KalturaSessionInfo', sessionType: USER, partnerId: PARTNER.id, userId: 'mel.member' });
      expect(info.expiry).to.be.closeTo(Math.floor(clock / 1000) + 3600, 2);
    });

    it('refuses tampered, forged, expired and ended sessions with INVALID_KS', async () => {
      const ks: string = await userKs('mel.member');
      const decoded = Buffer.from(ks, 'base64').toString();
      const tampered = Buffer.from(decoded.replace('mel.member', 'ada.admin')).toString('base64');
      expect((await failure(k.services.session.get(), tampered)).code).to.equal('INVALID_KS');
      expect((await failure(k.services.session.get(), 'bm90IGEga3M=')).code).to.equal('INVALID_KS');

      const shortLived = await userKs('mel.member', 10);
      clock += 11_000;
      const expired = await failure(k.services.session.get(), shortLived);
      clock -= 11_000;
      expect(expired.code).to.equal('INVALID_KS');
      expect(expired.message).to.contain('EXPIRED');

      const ended = await userKs('mel.member');
      await call(k.services.session.end(), ended);
      expect((await failure(k.services.session.get(), ended)).message).to.contain('LOGOUT');
    });

    it('needs a KS for everything but session.start', async () => {
      expect((await failure(k.services.category.get(2001))).code).to.equal('MISSING_KS');
    });
  });

  describe('users and roles', () => {
    it('adds, reads, lists and updates users, with Kaltura errors for duplicates and unknown ids', async () => {
      const ks = await adminKs();
      const added = await call(k.services.user.add(new k.objects.User({ id: 'new.person', fullName: 'New Person', email: 'new@x.example' })), ks);
      expect(added).to.include({ objectType: 'KalturaUser', id: 'new.person', firstName: 'New', lastName: 'Person' });
      expect((await failure(k.services.user.add(new k.objects.User({ id: 'new.person' })), ks)).code).to.equal('DUPLICATE_USER_BY_ID');
      expect((await failure(k.services.user.get('nobody.here'), ks)).code).to.equal('INVALID_USER_ID');
      const updated = await call(k.services.user.update('new.person', new k.objects.User({ partnerData: 'role=viewerRole' })), ks);
      expect(updated.partnerData).to.equal('role=viewerRole');
      const page = await call(k.services.user.listAction(new k.objects.UserFilter({ idIn: 'ada.admin,mel.member,new.person' }), new k.objects.FilterPager({ pageSize: 2, pageIndex: 2 })), ks);
      expect(page).to.include({ totalCount: 3, objectType: 'KalturaUserListResponse' });
      expect(page.objects).to.have.length(1);
    });

    it('keeps admin actions from USER sessions, and lets a user read only themselves', async () => {
      const ks = await userKs('mel.member');
      expect((await failure(k.services.user.listAction(), ks)).code).to.equal('SERVICE_FORBIDDEN');
      expect((await call(k.services.user.get('mel.member'), ks)).id).to.equal('mel.member');
      expect((await failure(k.services.user.get('ada.admin'), ks)).code).to.equal('CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION');
    });

    it('keeps MediaSpace roles in the user-roles metadata profile', async () => {
      const ks = await adminKs();
      const profiles = await call(k.services.metadataProfile.listAction(new k.objects.MetadataProfileFilter({ systemNameEqual: 'KMS_USERS' })), ks);
      expect(profiles.objects[0]).to.include({ id: 9001, metadataObjectType: '3' });
      const roles = await call(k.services.metadata.listAction(new k.objects.MetadataFilter({ metadataProfileIdEqual: 9001, objectIdEqual: 'maria.manager' })), ks);
      expect(roles.objects[0].xml).to.equal('<metadata><role>privateOnlyRole</role></metadata>');

      await call(k.services.user.add(new k.objects.User({ id: 'role.test' })), ks);
      const record = await call(k.services.metadata.add(9001, '3', 'role.test', '<metadata><role>viewerRole</role></metadata>'), ks);
      expect((await failure(k.services.metadata.add(9001, '3', 'role.test', '<metadata/>'), ks)).code).to.equal('METADATA_ALREADY_EXISTS');
      expect((await failure(k.services.metadata.add(9001, '3', 'ghost.user', '<metadata/>'), ks)).code).to.equal('INVALID_METADATA_OBJECT');
      const updated = await call(k.services.metadata.update(record.id, '<metadata><role>adminRole</role></metadata>'), ks);
      expect(updated).to.include({ version: 2 });
      await call(k.services.metadata.deleteAction(record.id), ks);
      expect((await failure(k.services.metadata.get(record.id), ks)).code).to.equal('METADATA_NOT_FOUND');
    });
  });

  describe('channels (categories) and memberships (categoryUser)', () => {
    it('serves the demo channels with their memberships', async () => {
      const ks = await adminKs();
      const physics = await call(k.services.category.get(2001), ks);
      expect(physics).to.include({ name: 'Physics 101', fullName: 'MediaSpace>site>channels>Physics 101', fullIds: '1001>1002>1003>2001', membersCount: 5 });
      const members = await call(k.services.categoryUser.listAction(new k.objects.CategoryUserFilter({ categoryIdEqual: 2001 })), ks);
      expect(members.totalCount).to.equal(5);
      expect(members.objects.filter((member: { status: number }) => member.status === 1)).to.have.length(4);
    });

    it('adds, renames and deletes categories, with CATEGORY_NOT_FOUND for unknown ids', async () => {
      const ks = await adminKs();
      const added = await call(k.services.category.add(new k.objects.Category({ name: 'Biology', parentId: 1003 })), ks);
      expect(added.id).to.be.greaterThan(2003);
      expect(added.fullName).to.equal('MediaSpace>site>channels>Biology');
      expect((await failure(k.services.category.add(new k.objects.Category({ name: 'Biology', parentId: 1003 })), ks)).code).to.equal('DUPLICATE_CATEGORY');
      expect((await call(k.services.category.update(added.id, new k.objects.Category({ name: 'Life sciences' })), ks)).fullName).to.equal('MediaSpace>site>channels>Life sciences');
      await call(k.services.categoryUser.add(new k.objects.CategoryUser({ categoryId: added.id, userId: 'mel.member', permissionLevel: 3 })), ks);
      await call(k.services.category.deleteAction(added.id), ks);
      expect((await failure(k.services.category.get(added.id), ks)).code).to.equal('CATEGORY_NOT_FOUND');
      const orphans = await call(k.services.categoryUser.listAction(new k.objects.CategoryUserFilter({ categoryIdEqual: added.id })), ks);
      expect(orphans.totalCount).to.equal(0);
    });

    it('manages memberships: add, duplicate, level change, deactivate and delete', async () => {
      const ks = await adminKs();
      const added = await call(k.services.categoryUser.add(new k.objects.CategoryUser({ categoryId: 2003, userId: 'vic.viewer', permissionLevel: 2 })), ks);
      expect(added).to.include({ objectType: 'KalturaCategoryUser', permissionLevel: 2, status: 1 });
      expect((await failure(k.services.categoryUser.add(new k.objects.CategoryUser({ categoryId: 2003, userId: 'vic.viewer' })), ks)).code).to.equal('CATEGORY_USER_ALREADY_EXISTS');
      expect((await call(k.services.categoryUser.update(2003, 'vic.viewer', new k.objects.CategoryUser({ permissionLevel: 0 })), ks)).permissionLevel).to.equal(0);
      expect((await call(k.services.categoryUser.deactivate(2003, 'vic.viewer'), ks)).status).to.equal(3);
      await call(k.services.categoryUser.deleteAction(2003, 'vic.viewer'), ks);
      expect((await failure(k.services.categoryUser.get(2003, 'vic.viewer'), ks)).code).to.equal('INVALID_CATEGORY_USER_ID');
      expect((await failure(k.services.categoryUser.listAction(), ks)).code).to.equal('MUST_FILTER_USERS_OR_CATEGORY');
      expect((await failure(k.services.categoryUser.add(new k.objects.CategoryUser({ categoryId: 999999, userId: 'x' })), ks)).code).to.equal('CATEGORY_NOT_FOUND');
    });

    it('shows a USER session only its own memberships', async () => {
      const ks = await userKs('mel.member');
      const seen = await call(k.services.categoryUser.listAction(new k.objects.CategoryUserFilter({ categoryIdEqual: 2001 })), ks);
      expect(seen.objects.map((member: { userId: string }) => member.userId)).to.deep.equal(['mel.member']);
    });
  });

  describe('multirequest', () => {
    it('runs sub-requests with their own KS, resolves {N:result:path} references and reports a failed slot in place', async () => {
      const ks = await userKs('cora.contributor');
      const admin = await adminKs();
      const multi = new k.MultiRequestBuilder();
      multi.add(k.services.session.get(ks).setKs(ks));
      multi.add(k.services.user.get('{1:result:userId}').setKs(admin));
      multi.add(k.services.metadata.listAction(new k.objects.MetadataFilter({ metadataProfileIdEqual: 9001, objectIdEqual: '{1:result:userId}' })).setKs(admin));
      multi.add(k.services.category.get(424242).setKs(admin));
      const [session, user, roles, missing] = await call(multi);
      expect(session.userId).to.equal('cora.contributor');
      expect(user).to.include({ id: 'cora.contributor', email: 'cora.contributor@demo.example' });
      expect(roles.objects[0].xml).to.contain('viewerRole');
      expect(missing).to.include({ code: 'CATEGORY_NOT_FOUND', objectType: 'KalturaAPIException' });
    });

    it('counts a multirequest as one HTTP request', async () => {
      const ks = await adminKs();
      const before = emulator.requestCount();
      const multi = new k.MultiRequestBuilder();
      multi.add(k.services.category.get(2001).setKs(ks));
      multi.add(k.services.category.get(2002).setKs(ks));
      await call(multi);
      expect(emulator.requestCount() - before).to.equal(1);
    });
  });

  describe('partners', () => {
    it('keeps partners apart: another partner\'s KS sees none of this partner\'s data', async () => {
      const otherKs = await call(k.services.session.start(OTHER.adminSecret, 'admin', ADMIN, OTHER.id));
      expect((await failure(k.services.category.get(2001), otherKs)).code).to.equal('CATEGORY_NOT_FOUND');
      expect((await failure(k.services.user.get('mel.member'), otherKs)).code).to.equal('INVALID_USER_ID');
    });
  });

  describe('bad requests', () => {
    it('answers unknown services and actions, and malformed JSON, with Kaltura exceptions over HTTP 200', async () => {
      const base = `${client.config.serviceUrl}/api_v3/service`;
      const post = async (path: string, body: string) => {
        const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect(response.status).to.equal(200);
        return response.json() as Promise<{ code: string }>;
      };
      expect((await post('/nosuch/action/list', '{"format":1}')).code).to.equal('SERVICE_DOES_NOT_EXISTS');
      expect((await post('/category/action/explode', '{"format":1}')).code).to.equal('ACTION_DOES_NOT_EXISTS');
      expect((await post('/category/action/get', '{"format":1,')).code).to.equal('INTERNAL_SERVERL_ERROR');
      expect((await post('/category/action/get', JSON.stringify({ format: 1, ks: await adminKs(), id: 'abc' }))).code).to.equal('PROPERTY_VALIDATION_NUMERIC_VALUE');
    });
  });
});
