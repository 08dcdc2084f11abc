/**
 * The Kaltura API emulator, driven only through kaltura-client over HTTP, as
 * the service drives Kaltura. One server for the file; every test makes its
 * own users and channels (or only reads the fixture), so order does not matter.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import kaltura from 'kaltura-client';
import { createKalturaEmulator, type KalturaEmulator } from '../../../src/kaltura-emulator/create-kaltura-emulator.ts';
import { loadDemoFixture } from '../../../src/kaltura-emulator/demo-fixture.ts';

/** The part of kaltura-client these tests use, loosely typed: answers are checked field by field. */
type Answer = Record<string, any>;
interface Request {
  setKs(ks: string): Request;
  execute(client: object): Promise<any>;
}
interface MultiRequest extends Request {
  add(request: Request): MultiRequest;
}
type Actions = Record<string, (...args: any[]) => Request>;
interface ClientLibrary {
  Configuration: new () => { serviceUrl: string; setLogger(logger: object): void };
  Client: new (config: object) => { setPartnerId(id: number): void };
  RequestBuilder: new (service: string, action: string, params: object, files?: never) => Request;
  MultiRequestBuilder: new () => MultiRequest;
  services: { session: Actions; user: Actions; category: Actions; categoryUser: Actions; metadata: Actions; metadataProfile: Actions };
  objects: Record<string, new (fields?: object) => object>;
}
const k = kaltura as unknown as ClientLibrary;
const { session, user, category, categoryUser, metadata, metadataProfile } = k.services;

const PARTNER = { id: 777, name: 'Demo', adminSecret: 'admin-secret-777', userSecret: 'user-secret-777' };
const OTHER = { id: 888, name: 'Other', adminSecret: 'admin-secret-888', userSecret: 'user-secret-888' };
const USER = 0;
const ADMIN = 2;
const ACTIVE = 1;
const PENDING = 2;
const MANAGER = 0;
const CONTRIBUTOR = 2;
const MEMBER = 3;

describe('Kaltura API emulator', () => {
  let server: http.Server;
  let emulator: KalturaEmulator;
  let serviceUrl: string;
  let clockMs = Date.UTC(2030, 0, 1);
  let counter = 0;

  before(async () => {
    emulator = createKalturaEmulator({ partners: [PARTNER, OTHER], fixture: loadDemoFixture(), now: () => clockMs });
    const app = express();
    app.use('/api_v3', emulator.router);
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))));

  /** A client with no KS of its own, so each request's setKs() is what is sent. */
  function newClient(partnerId?: number) {
    const config = new k.Configuration();
    config.serviceUrl = serviceUrl;
    // Not an instance of kaltura-client's ILogger: that turns its console logging off.
    config.setLogger({ log() {}, error() {}, debug() {} });
    const client = new k.Client(config);
    if (partnerId !== undefined) client.setPartnerId(partnerId);
    return client;
  }

  const send = (request: Request, ks?: string, client = newClient()): Promise<Answer> => (ks ? request.setKs(ks) : request).execute(client);

  async function failure(request: Request, ks?: string, client = newClient()): Promise<Answer> {
    try {
      await send(request, ks, client);
    } catch (error) {
      return error as Answer;
    }
    throw new Error('expected a KalturaAPIException');
  }

  const startSession = (secret: string, userId: string, type: number, expiry = 3600, privileges = '') =>
    send(session.start!(secret, userId, type, PARTNER.id, expiry, privileges)) as unknown as Promise<string>;
  const adminKs = () => startSession(PARTNER.adminSecret, 'admin', ADMIN, 3600, 'disableentitlement');
  const userKs = (userId: string, expiry = 3600) => startSession(PARTNER.userSecret, userId, USER, expiry);

  /** Builds Kaltura objects with fresh ids and names, and adds them through the API. */
  const build = {
    unique: (prefix: string) => `${prefix}-${++counter}`,
    user: (fields: object = {}) => new k.objects.User!({ id: build.unique('user'), firstName: 'Test', lastName: 'Person', ...fields }),
    channel: (fields: object = {}) => new k.objects.Category!({ name: build.unique('Channel'), parentId: 1003, ...fields }),
    member: (categoryId: number, userId: string, fields: object = {}) => new k.objects.CategoryUser!({ categoryId, userId, ...fields }),
    async addedUser(ks: string, fields: object = {}) {
      return send(user.add!(build.user(fields)), ks);
    },
    async addedChannel(ks: string, fields: object = {}) {
      return send(category.add!(build.channel(fields)), ks);
    },
  };

  describe('session', () => {
    it('starts any session with the admin secret and only USER sessions with the user secret', async () => {
      const ks = await startSession(PARTNER.adminSecret, 'someone', USER);
      expect(ks).to.be.a('string');
      expect((await send(session.get!(), await adminKs())).sessionType).to.equal(ADMIN);
      expect((await send(session.get!(ks), await adminKs())).sessionType).to.equal(USER);
      const refused = await failure(session.start!(PARTNER.userSecret, 'someone', ADMIN, PARTNER.id));
      expect(refused).to.include({ code: 'START_SESSION_ERROR', objectType: 'KalturaAPIException', message: `Error while starting session for partner [${PARTNER.id}]` });
      expect((await failure(session.start!('wrong-secret', 'someone', USER, PARTNER.id))).code).to.equal('START_SESSION_ERROR');
      expect((await failure(session.start!(OTHER.adminSecret, 'someone', ADMIN, PARTNER.id))).code).to.equal('START_SESSION_ERROR');
    });

    it('describes a KS, or the caller\'s own, with session.get to an admin session, never repeating the KS', async () => {
      const ks = await userKs('mel.member');
      const admin = await adminKs();
      expect(await send(session.get!(ks), admin)).to.deep.equal({
        objectType: 'KalturaSessionInfo',
        sessionType: USER,
        partnerId: PARTNER.id,
        userId: 'mel.member',
        expiry: Math.floor(clockMs / 1000) + 3600,
        privileges: '',
      });
      expect((await send(session.get!(), admin)).privileges).to.equal('disableentitlement');
    });

    it('refuses session.get to a plain user session (service.session.ini: KMC_ACCESS, KMC_READ_ONLY) but not to a KMC administrator\'s', async () => {
      const ks = await userKs('mel.member');
      expect(await failure(session.get!(), ks)).to.include({ code: 'SERVICE_FORBIDDEN', message: 'The access to service [session->get] is forbidden' });
      expect((await failure(session.get!(ks), ks)).code).to.equal('SERVICE_FORBIDDEN');
      expect((await send(session.get!(), await userKs('uma.owner'))).userId).to.equal('uma.owner');
    });

    it('only parses a KS passed to session.get: an expired or ended one is still described, a broken one is an internal error', async () => {
      const admin = await adminKs();
      const ended = await userKs('mel.member');
      await send(session.end!(), ended);
      expect((await send(session.get!(ended), admin)).userId).to.equal('mel.member');
      const expired = await userKs('mel.member', -10);
      expect((await send(session.get!(expired), admin)).expiry).to.be.below(clockMs / 1000);
      const broken = await failure(session.get!('bm90IGEga3M='), admin);
      expect(broken.code).to.equal('INTERNAL_SERVERL_ERROR');
      expect(broken.message).not.to.contain('bm90IGEga3M=');
    });

    it('refuses a tampered or forged KS, and a KS for another partner, with INVALID_KS', async () => {
      const ks = await userKs('mel.member');
      const tampered = Buffer.from(Buffer.from(ks, 'base64').toString().replace(';0;', ';2;')).toString('base64');
      const info = `${PARTNER.id};${PARTNER.id};${Math.floor(clockMs / 1000) + 3600};2;1;forger;;;`;
      const forged = Buffer.from(`${createHash('sha1').update(`not-the-secret${info}`).digest('hex')}|${info}`).toString('base64');
      const admin = await adminKs();
      for (const bad of [tampered, forged, 'bm90IGEga3M=']) {
        const refused = await failure(user.get!(), bad);
        expect(refused).to.include({ code: 'INVALID_KS', message: 'Invalid KS "INVALID_STR", Error "-1,INVALID_STR"' });
        expect((await failure(session.get!(bad), admin)).code).to.equal('INTERNAL_SERVERL_ERROR');
      }
      const otherPartnerClient = newClient(OTHER.id);
      expect((await failure(user.get!(), ks, otherPartnerClient)).args).to.include({ ERR_CODE: '-2', ERR_DESC: 'INVALID_PARTNER' });
    });

    it('refuses an expired KS (injected clock) and one ended with session.end', async () => {
      const shortLived = await userKs('mel.member', 60);
      expect((await send(user.get!(), shortLived)).id).to.equal('mel.member');
      clockMs += 61_000;
      // Kaltura's permission manager puts the reason where the KS would go, and the KS nowhere.
      expect(await failure(user.get!(), shortLived)).to.include({ code: 'INVALID_KS', message: 'Invalid KS "EXPIRED", Error "-1,INVALID_STR"' });

      const ended = await userKs('mel.member');
      expect(await send(session.end!(), ended)).to.equal(null);
      const logout = await failure(user.get!(), ended);
      expect(logout).to.include({ message: 'Invalid KS "LOGOUT", Error "-1,INVALID_STR"' });
      expect(JSON.stringify(logout)).not.to.contain(ended);
    });

    it('needs a KS for everything but session.start', async () => {
      expect(await failure(category.get!(2001))).to.include({ code: 'MISSING_KS' });
    });
  });

  describe('what a USER session may do', () => {
    it('refuses admin-only actions with SERVICE_FORBIDDEN', async () => {
      const ks = await userKs('mel.member');
      const forbidden = [
        user.listAction!(),
        user.add!(build.user()),
        category.add!(build.channel()),
        category.update!(2001, build.channel()),
        session.get!(),
      ];
      for (const request of forbidden) expect((await failure(request, ks)).code).to.equal('SERVICE_FORBIDDEN');
      expect((await failure(user.listAction!(), ks)).message).to.equal('The access to service [user->list] is forbidden');
    });

    it('reads its own user, any channel, and only its own memberships and role record', async () => {
      const ks = await userKs('mel.member');
      expect((await send(user.get!(), ks)).id).to.equal('mel.member');
      expect((await send(user.get!('mel.member'), ks)).email).to.equal('mel.member@demo.example');
      expect((await failure(user.get!('ada.admin'), ks)).code).to.equal('CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION');
      expect((await send(category.get!(2002), ks)).name).to.equal('Chemistry Club');
      expect((await send(category.listAction!(new k.objects.CategoryFilter!({ idIn: '1001,1002,1003,2001,2002,2003' })), ks)).totalCount).to.equal(6);

      const members = await send(categoryUser.listAction!(new k.objects.CategoryUserFilter!({ categoryIdEqual: 2001 })), ks);
      expect(members.objects.map((member: Answer) => member.userId)).to.deep.equal(['mel.member']);
      const someoneElses = await send(categoryUser.listAction!(new k.objects.CategoryUserFilter!({ userIdEqual: 'maria.manager' })), ks);
      expect(someoneElses.totalCount).to.equal(0);
      expect((await send(categoryUser.get!(2001, 'mel.member'), ks)).permissionLevel).to.equal(MEMBER);
      expect((await failure(categoryUser.get!(2001, 'maria.manager'), ks)).code).to.equal('INVALID_CATEGORY_USER_ID');

      const roles = await send(metadata.listAction!(new k.objects.MetadataFilter!({ metadataProfileIdEqual: 9001 })), ks);
      expect(roles.objects.map((record: Answer) => record.objectId)).to.deep.equal(['mel.member']);
    });

    it('may call what BASE_USER_SESSION_PERMISSION opens: its user, metadata profiles, and channel memberships it manages', async () => {
      const ks = await userKs('mel.member');
      expect((await send(metadataProfile.listAction!(new k.objects.MetadataProfileFilter!({ systemNameEqual: 'KMS_USERS' })), ks)).totalCount).to.equal(1);
      expect(await failure(categoryUser.add!(build.member(2001, 'nora.norole')), ks)).to.include({ code: 'CATEGORY_USER_JOIN_NOT_ALLOWED' });
      expect(await failure(categoryUser.update!(2001, 'mel.member', build.member(2001, 'mel.member', { permissionLevel: MANAGER })), ks)).to.include({
        code: 'CANNOT_UPDATE_CATEGORY_USER',
      });
      const admin = await adminKs();
      const channel = await build.addedChannel(admin);
      const manager = await build.addedUser(admin);
      await send(categoryUser.add!(build.member(channel.id, manager.id, { permissionLevel: MANAGER })), admin);
      const managerKs = await userKs(manager.id);
      expect((await send(categoryUser.add!(build.member(channel.id, 'nora.norole')), managerKs)).status).to.equal(ACTIVE);
      expect(await send(categoryUser.deactivate!(channel.id, 'nora.norole'), managerKs)).to.include({ status: 3 });
    });

    it('enforces actionslimit, iprestrict, urirestrict and setrole as Kaltura does', async () => {
      const limited = await startSession(PARTNER.userSecret, 'mel.member', USER, 3600, 'actionslimit:2');
      expect((await send(user.get!(), limited)).id).to.equal('mel.member');
      expect((await send(user.get!(), limited)).id).to.equal('mel.member');
      expect(await failure(user.get!(), limited)).to.include({ code: 'INVALID_KS', message: 'Invalid KS "EXCEEDED_ACTIONS_LIMIT", Error "-1,INVALID_STR"' });
      expect((await failure(user.get!(), await startSession(PARTNER.userSecret, 'mel.member', USER, 3600, 'actionslimit:none'))).code).to.equal('INVALID_ACTIONS_LIMIT');

      expect((await send(user.get!(), await startSession(PARTNER.userSecret, 'mel.member', USER, 3600, 'iprestrict:127.0.0.1'))).id).to.equal('mel.member');
      const elsewhere = await failure(user.get!(), await startSession(PARTNER.userSecret, 'mel.member', USER, 3600, 'iprestrict:203.0.113.9'));
      expect(elsewhere.message).to.equal('Invalid KS "EXCEEDED_RESTRICTED_IP", Error "-1,INVALID_STR"');

      expect((await send(user.get!(), await startSession(PARTNER.userSecret, 'mel.member', USER, 3600, 'urirestrict:/api_v3/service/user/*'))).id).to.equal('mel.member');
      const uriLimited = await startSession(PARTNER.userSecret, 'mel.member', USER, 3600, 'urirestrict:/api_v3/service/category/*|/api_v3/service/user/action/list');
      expect((await failure(user.get!(), uriLimited)).message).to.equal('Invalid KS "EXCEEDED_RESTRICTED_URI", Error "-1,INVALID_STR"');

      const asAdmin = await startSession(PARTNER.userSecret, 'mel.member', USER, 3600, 'setrole:PARTNER_ADMIN_ROLE');
      expect((await send(user.listAction!(new k.objects.UserFilter!({ idIn: 'mel.member' })), asAdmin)).totalCount).to.equal(1);
      const demoted = await startSession(PARTNER.adminSecret, 'uma.owner', USER, 3600, 'setrole:BASE_USER_SESSION_ROLE');
      expect((await failure(session.get!(), demoted)).code).to.equal('SERVICE_FORBIDDEN');
      expect((await failure(user.get!(), await startSession(PARTNER.userSecret, 'mel.member', USER, 3600, 'setrole:NO_SUCH_ROLE'))).code).to.equal('INVALID_OBJECT_ID');
    });

    it('refuses every call made with a blocked user\'s KS (USER_BLOCKED)', async () => {
      const admin = await adminKs();
      const person = await build.addedUser(admin);
      const ks = await userKs(person.id);
      expect((await send(user.get!(), ks)).id).to.equal(person.id);
      await send(user.update!(person.id, new k.objects.User!({ status: 0 })), admin);
      expect(await failure(user.get!(), ks)).to.include({ code: 'USER_BLOCKED', message: 'this user is blocked' });
    });

    it('is not narrowed to its own user when it carries disableentitlement', async () => {
      const ks = await startSession(PARTNER.userSecret, 'mel.member', USER, 3600, 'disableentitlement');
      const members = await send(categoryUser.listAction!(new k.objects.CategoryUserFilter!({ categoryIdEqual: 2001 })), ks);
      expect(members.totalCount).to.equal(5);
    });
  });

  describe('users', () => {
    it('adds, gets and updates users', async () => {
      const ks = await adminKs();
      const id = build.unique('ines');
      const added = await send(user.add!(build.user({ id, firstName: 'Ines', lastName: 'Ivy', email: `${id}@x.example`, partnerData: 'role=viewerRole' })), ks);
      expect(added).to.include({ objectType: 'KalturaUser', id, partnerId: PARTNER.id, fullName: 'Ines Ivy', status: ACTIVE, isAdmin: false });
      expect(added.createdAt).to.equal(Math.floor(clockMs / 1000));
      expect((await send(user.get!(id), ks)).partnerData).to.equal('role=viewerRole');
      const updated = await send(user.update!(id, new k.objects.User!({ lastName: 'Oak', isAdmin: true })), ks);
      expect(updated).to.include({ fullName: 'Ines Oak', isAdmin: true });
    });

    it('answers DUPLICATE_USER_BY_ID and INVALID_USER_ID', async () => {
      const ks = await adminKs();
      const added = await build.addedUser(ks);
      const duplicate = await failure(user.add!(build.user({ id: added.id })), ks);
      expect(duplicate).to.include({ code: 'DUPLICATE_USER_BY_ID', message: `User with id [${added.id}] already exists in system` });
      expect((await failure(user.get!('nobody.here'), ks)).code).to.equal('INVALID_USER_ID');
      expect((await failure(user.update!('nobody.here', build.user()), ks)).code).to.equal('INVALID_USER_ID');
      expect((await failure(user.add!(new k.objects.User!({ email: 'no-id@x.example' })), ks)).code).to.equal('PROPERTY_VALIDATION_CANNOT_BE_NULL');
    });

    it('lists users by filter, with pager and totalCount', async () => {
      const ks = await adminKs();
      const page = await send(
        user.listAction!(new k.objects.UserFilter!({ idIn: 'ada.admin,mel.member,nora.norole' }), new k.objects.FilterPager!({ pageSize: 2, pageIndex: 2 })),
        ks,
      );
      expect(page).to.include({ objectType: 'KalturaUserListResponse', totalCount: 3 });
      expect(page.objects.map((found: Answer) => found.id)).to.deep.equal(['nora.norole']);
      const admins = await send(user.listAction!(new k.objects.UserFilter!({ isAdminEqual: 1, emailLike: 'DEMO.example' })), ks);
      expect(admins.objects.map((found: Answer) => found.id)).to.deep.equal(['uma.owner']);
      expect((await send(user.listAction!(new k.objects.UserFilter!({ screenNameLike: 'vic' })), ks)).totalCount).to.equal(1);
    });
  });

  describe('filters and order', () => {
    it('refuses a filter or pager property it does not know, instead of ignoring it as Kaltura does', async () => {
      const ks = await adminKs();
      const refused = await failure(user.listAction!(new k.objects.UserFilter!({ idEqual: 'mel.member', fullNameEqual: 'Mel Member' })), ks);
      expect(refused).to.include({ code: 'PROPERTY_VALIDATION_UNTIL_NOT_VALID', message: 'The property "KalturaUserFilter::fullNameEqual" is not valid' });
      expect((await failure(categoryUser.listAction!(new k.objects.CategoryUserFilter!({ userIdEqual: 'mel.member', freeText: 'x' })), ks)).code).to.equal('PROPERTY_VALIDATION_UNTIL_NOT_VALID');
      expect((await failure(category.listAction!(undefined, new k.objects.FilterPager!({ pageSize: 5, offset: 3 })), ks)).code).to.equal('PROPERTY_VALIDATION_UNTIL_NOT_VALID');
    });

    it('filters users by firstNameStartsWith and categories by fullNameEqual', async () => {
      const ks = await adminKs();
      const people = await send(user.listAction!(new k.objects.UserFilter!({ firstNameStartsWith: 'MA', idIn: 'maria.manager,mel.member,mo.moderator' })), ks);
      expect(people.objects.map((found: Answer) => found.id)).to.deep.equal(['maria.manager']);
      const exact = await send(category.listAction!(new k.objects.CategoryFilter!({ fullNameEqual: 'MediaSpace>site>channels>Physics 101' })), ks);
      expect(exact.objects.map((found: Answer) => found.id)).to.deep.equal([2001]);
    });

    it('sorts by orderBy as Kaltura does, and ignores an order the filter does not have', async () => {
      const ks = await adminKs();
      const ids = 'ada.admin,mel.member,nora.norole,cora.contributor';
      const list = async (orderBy: string) => (await send(user.listAction!(new k.objects.UserFilter!({ idIn: ids, orderBy })), ks)).objects.map((found: Answer) => found.id);
      expect(await list('+id')).to.deep.equal(['ada.admin', 'cora.contributor', 'mel.member', 'nora.norole']);
      expect(await list('-id')).to.deep.equal(['nora.norole', 'mel.member', 'cora.contributor', 'ada.admin']);
      expect(await list('+name')).to.deep.equal(await list(''));
      const channels = async (orderBy: string) =>
        (await send(category.listAction!(new k.objects.CategoryFilter!({ idIn: '2001,2002,2003', orderBy })), ks)).objects.map((found: Answer) => found.name);
      expect(await channels('+name')).to.deep.equal(['Chemistry Club', 'Faculty Lounge', 'Physics 101']);
      expect(await channels('-name')).to.deep.equal(['Physics 101', 'Faculty Lounge', 'Chemistry Club']);
      expect(await channels('-id')).to.deep.equal(await channels(''));
    });
  });

  describe('categories', () => {
    it('serves the fixture\'s MediaSpace tree', async () => {
      const ks = await adminKs();
      const physics = await send(category.get!(2001), ks);
      expect(physics).to.include({
        objectType: 'KalturaCategory',
        name: 'Physics 101',
        parentId: 1003,
        depth: 3,
        fullName: 'MediaSpace>site>channels>Physics 101',
        fullIds: '1001>1002>1003>2001',
        membersCount: 4,
        pendingMembersCount: 1,
      });
      const channels = await send(category.listAction!(new k.objects.CategoryFilter!({ fullNameStartsWith: 'MediaSpace>site>channels>', idIn: '2001,2002,2003' })), ks);
      expect(channels.objects.map((found: Answer) => found.name)).to.deep.equal(['Physics 101', 'Chemistry Club', 'Faculty Lounge']);
      expect((await send(category.get!(1003), ks)).directSubCategoriesCount).to.be.at.least(3);
    });

    it('adds, updates and lists categories under a parent', async () => {
      const ks = await adminKs();
      const parent = await build.addedChannel(ks);
      expect(parent.id).to.be.greaterThan(2003);
      const child = await build.addedChannel(ks, { parentId: parent.id, name: 'Labs' });
      expect(child).to.include({ fullName: `${parent.fullName}>Labs`, fullIds: `${parent.fullIds}>${child.id}`, depth: parent.depth + 1 });
      const renamed = await send(category.update!(parent.id, new k.objects.Category!({ name: build.unique('Renamed'), description: 'now renamed' })), ks);
      expect(renamed.description).to.equal('now renamed');
      expect((await send(category.get!(child.id), ks)).fullName).to.equal(`${renamed.fullName}>Labs`);
      const children = await send(category.listAction!(new k.objects.CategoryFilter!({ parentIdEqual: parent.id })), ks);
      expect(children).to.include({ objectType: 'KalturaCategoryListResponse', totalCount: 1 });
      expect((await failure(category.add!(build.channel({ name: 'Labs', parentId: parent.id })), ks)).code).to.equal('DUPLICATE_CATEGORY');
      expect((await failure(category.add!(build.channel({ parentId: 99_999 })), ks)).code).to.equal('PARENT_CATEGORY_NOT_FOUND');
    });

    it('deletes a category with its sub-categories and memberships, then answers CATEGORY_NOT_FOUND', async () => {
      const ks = await adminKs();
      const parent = await build.addedChannel(ks);
      const child = await build.addedChannel(ks, { parentId: parent.id });
      await send(categoryUser.add!(build.member(child.id, 'mel.member')), ks);
      expect(await send(category.deleteAction!(parent.id), ks)).to.equal(null);
      for (const id of [parent.id, child.id]) {
        expect(await failure(category.get!(id), ks)).to.include({ code: 'CATEGORY_NOT_FOUND', message: `Category id "${id}" not found` });
      }
      const orphans = await send(categoryUser.listAction!(new k.objects.CategoryUserFilter!({ categoryIdEqual: child.id })), ks);
      expect(orphans.totalCount).to.equal(0);
      expect((await failure(category.update!(parent.id, build.channel()), ks)).code).to.equal('CATEGORY_NOT_FOUND');
    });
  });

  describe('channel memberships (categoryUser)', () => {
    it('has the fixture\'s members of Physics 101: 5 records, 4 of them ACTIVE', async () => {
      const ks = await adminKs();
      const members = await send(categoryUser.listAction!(new k.objects.CategoryUserFilter!({ categoryIdEqual: 2001 })), ks);
      expect(members).to.include({ objectType: 'KalturaCategoryUserListResponse', totalCount: 5 });
      expect(members.objects.filter((member: Answer) => member.status === ACTIVE)).to.have.length(4);
      const pending = members.objects.find((member: Answer) => member.userId === 'vic.viewer');
      expect(pending).to.include({ status: PENDING, permissionLevel: MEMBER, categoryFullIds: '1001>1002>1003>2001' });
    });

    it('adds, gets, updates and deletes a membership', async () => {
      const ks = await adminKs();
      const channel = await build.addedChannel(ks);
      const added = await send(categoryUser.add!(build.member(channel.id, 'nora.norole', { permissionLevel: CONTRIBUTOR })), ks);
      expect(added).to.include({ objectType: 'KalturaCategoryUser', categoryId: channel.id, userId: 'nora.norole', permissionLevel: CONTRIBUTOR, status: ACTIVE });
      expect((await send(categoryUser.get!(channel.id, 'nora.norole'), ks)).permissionLevel).to.equal(CONTRIBUTOR);
      const promoted = await send(categoryUser.update!(channel.id, 'nora.norole', build.member(channel.id, 'nora.norole', { permissionLevel: MANAGER })), ks);
      expect(promoted.permissionLevel).to.equal(MANAGER);
      expect((await send(category.get!(channel.id), ks)).membersCount).to.equal(1);
      expect(await send(categoryUser.deleteAction!(channel.id, 'nora.norole'), ks)).to.equal(null);
      const gone = await failure(categoryUser.get!(channel.id, 'nora.norole'), ks);
      expect(gone).to.include({ code: 'INVALID_CATEGORY_USER_ID', message: `Invalid CategoryUser for category ["${channel.id}"] and for user ["nora.norole"]` });
    });

    it('answers CATEGORY_USER_ALREADY_EXISTS, CATEGORY_NOT_FOUND and MUST_FILTER_USERS_OR_CATEGORY', async () => {
      const ks = await adminKs();
      const channel = await build.addedChannel(ks);
      await send(categoryUser.add!(build.member(channel.id, 'mel.member')), ks);
      expect((await failure(categoryUser.add!(build.member(channel.id, 'mel.member')), ks)).code).to.equal('CATEGORY_USER_ALREADY_EXISTS');
      expect((await failure(categoryUser.add!(build.member(99_999, 'mel.member')), ks)).code).to.equal('CATEGORY_NOT_FOUND');
      expect((await failure(categoryUser.listAction!(), ks)).code).to.equal('MUST_FILTER_USERS_OR_CATEGORY');
      expect((await failure(categoryUser.add!(build.member(channel.id, 'x', { permissionLevel: 9 })), ks)).code).to.equal('INVALID_ENUM_VALUE');
    });

    it('lists no memberships for an unknown or deleted user, as Kaltura does, but refuses to get one', async () => {
      const ks = await adminKs();
      const unknown = await send(categoryUser.listAction!(new k.objects.CategoryUserFilter!({ userIdEqual: 'nobody.here' })), ks);
      expect(unknown).to.include({ objectType: 'KalturaCategoryUserListResponse', totalCount: 0 });
      const person = await build.addedUser(ks);
      const channel = await build.addedChannel(ks);
      await send(categoryUser.add!(build.member(channel.id, person.id)), ks);
      await send(user.update!(person.id, new k.objects.User!({ status: 2 })), ks);
      expect((await send(categoryUser.listAction!(new k.objects.CategoryUserFilter!({ categoryIdEqual: channel.id })), ks)).totalCount).to.equal(0);
      expect((await failure(categoryUser.get!(channel.id, person.id), ks)).code).to.equal('INVALID_USER_ID');
    });

    it('answers an INHERIT category\'s memberships from the category it inherits from, stamped with that category\'s id', async () => {
      const ks = await adminKs();
      const parent = await build.addedChannel(ks);
      const middle = await build.addedChannel(ks, { parentId: parent.id, inheritanceType: 1 });
      const child = await build.addedChannel(ks, { parentId: middle.id, inheritanceType: 1 });
      expect(child).to.include({ inheritanceType: 1, inheritedParentId: parent.id });
      await send(categoryUser.add!(build.member(parent.id, 'mel.member', { permissionLevel: CONTRIBUTOR })), ks);
      const listed = await send(categoryUser.listAction!(new k.objects.CategoryUserFilter!({ categoryIdEqual: child.id, userIdEqual: 'mel.member' })), ks);
      expect(listed.objects.map((member: Answer) => [member.categoryId, member.permissionLevel])).to.deep.equal([[parent.id, CONTRIBUTOR]]);
      expect(await send(categoryUser.get!(child.id, 'mel.member'), ks)).to.include({ categoryId: parent.id });
      expect((await send(category.get!(child.id), ks)).membersCount).to.equal(1);
      expect(await failure(categoryUser.add!(build.member(child.id, 'nora.norole')), ks)).to.include({ code: 'CATEGORY_INHERIT_MEMBERS' });
      expect((await failure(category.add!(build.channel({ parentId: 0, inheritanceType: 1 })), ks)).code).to.equal('CATEGORY_INHERIT_MEMBERS_MUST_SET_PARENT_CATEGORY');
    });

    it('filters memberships by user, level and status', async () => {
      const ks = await adminKs();
      const byUser = await send(categoryUser.listAction!(new k.objects.CategoryUserFilter!({ userIdEqual: 'mo.moderator' })), ks);
      expect(byUser.objects.map((member: Answer) => member.categoryId)).to.deep.equal([2001, 2003]);
      const managers = await send(categoryUser.listAction!(new k.objects.CategoryUserFilter!({ categoryIdIn: '2001,2002,2003', permissionLevelEqual: MANAGER })), ks);
      expect(managers.objects.map((member: Answer) => member.userId)).to.deep.equal(['maria.manager', 'ada.admin', 'uma.owner']);
      const staff = await send(categoryUser.listAction!(new k.objects.CategoryUserFilter!({ categoryIdEqual: 2001, permissionLevelIn: '1,2' })), ks);
      expect(staff.totalCount).to.equal(2);
      const pending = await send(categoryUser.listAction!(new k.objects.CategoryUserFilter!({ userIdIn: 'vic.viewer,mel.member', statusIn: `${PENDING}` })), ks);
      expect(pending.objects.map((member: Answer) => member.userId)).to.deep.equal(['vic.viewer']);
      const page = await send(categoryUser.listAction!(new k.objects.CategoryUserFilter!({ categoryIdEqual: 2001 }), new k.objects.FilterPager!({ pageSize: 2, pageIndex: 3 })), ks);
      expect(page.totalCount).to.equal(5);
      expect(page.objects).to.have.length(1);
    });
  });

  describe('metadata', () => {
    it('keeps MediaSpace roles in the fixture\'s user-roles profile', async () => {
      const ks = await adminKs();
      const profiles = await send(metadataProfile.listAction!(new k.objects.MetadataProfileFilter!({ systemNameEqual: 'KMS_USERS' })), ks);
      expect(profiles.objects[0]).to.include({ objectType: 'KalturaMetadataProfile', id: 9001, name: 'MediaSpace user roles', metadataObjectType: '3' });
      const fixtureUsers = 'ada.admin,uma.owner,maria.manager,mo.moderator,cora.contributor,mel.member,priya.private,vic.viewer,nora.norole';
      const roles = await send(metadata.listAction!(new k.objects.MetadataFilter!({ metadataProfileIdEqual: 9001, metadataObjectTypeEqual: '3', objectIdIn: fixtureUsers })), ks);
      expect(roles.totalCount).to.equal(6);
      const maria = roles.objects.find((record: Answer) => record.objectId === 'maria.manager');
      expect(maria).to.include({ objectType: 'KalturaMetadata', xml: '<metadata><role>privateOnlyRole</role></metadata>', version: 1 });
      expect((await send(user.get!('priya.private'), ks)).partnerData).to.equal('role=privateOnlyRole');
    });

    it('adds a profile, then adds, lists, updates and deletes metadata in it', async () => {
      const ks = await adminKs();
      const systemName = build.unique('SYS');
      const profile = await send(metadataProfile.add!(new k.objects.MetadataProfile!({ metadataObjectType: '3', name: 'Test', systemName }), '<xsd:schema/>'), ks);
      expect(profile).to.include({ objectType: 'KalturaMetadataProfile', metadataObjectType: '3', systemName, xsd: '<xsd:schema/>' });
      expect(profile.id).to.be.greaterThan(9001);

      const person = await build.addedUser(ks);
      const record = await send(metadata.add!(profile.id, '3', person.id, '<metadata><role>viewerRole</role></metadata>'), ks);
      expect(record).to.include({ metadataProfileId: profile.id, metadataObjectType: '3', objectId: person.id, version: 1 });
      const listed = await send(metadata.listAction!(new k.objects.MetadataFilter!({ metadataProfileIdEqual: profile.id, objectIdIn: `${person.id},nobody` })), ks);
      expect(listed.objects.map((found: Answer) => found.id)).to.deep.equal([record.id]);
      const updated = await send(metadata.update!(record.id, '<metadata><role>adminRole</role></metadata>'), ks);
      expect(updated).to.include({ version: 2, xml: '<metadata><role>adminRole</role></metadata>' });
      expect(await send(metadata.deleteAction!(record.id), ks)).to.equal(null);
      const afterDelete = await send(metadata.listAction!(new k.objects.MetadataFilter!({ metadataProfileIdEqual: profile.id })), ks);
      expect(afterDelete.totalCount).to.equal(0);
      expect(await failure(metadata.update!(record.id, '<metadata/>'), ks)).to.include({ code: 'METADATA_NOT_FOUND', message: `metadata not found, id [${record.id}]` });
    });

    it('answers METADATA_ALREADY_EXISTS, METADATA_PROFILE_NOT_FOUND and INVALID_METADATA_DATA', async () => {
      const ks = await adminKs();
      const person = await build.addedUser(ks);
      await send(metadata.add!(9001, '3', person.id, '<metadata><role>viewerRole</role></metadata>'), ks);
      expect((await failure(metadata.add!(9001, '3', person.id, '<metadata/>'), ks)).code).to.equal('METADATA_ALREADY_EXISTS');
      expect((await failure(metadata.add!(424_242, '3', person.id, '<metadata/>'), ks)).code).to.equal('METADATA_PROFILE_NOT_FOUND');
      expect((await failure(metadata.add!(9001, '2', '2001', '<metadata/>'), ks)).code).to.equal('INCOMPATIBLE_METADATA_PROFILE_OBJECT_TYPE');
      expect((await failure(metadata.add!(9001, '3', build.unique('fresh'), 'not xml'), ks)).code).to.equal('INVALID_METADATA_DATA');
    });
  });

  describe('multirequest', () => {
    it('runs sub-requests with their own KS, resolves {1:result:userId} and keeps a failed slot in place', async () => {
      const ks = await userKs('cora.contributor');
      const admin = await adminKs();
      const multi = new k.MultiRequestBuilder()
        .add(session.get!(ks).setKs(admin))
        .add(user.get!('{1:result:userId}').setKs(admin))
        .add(metadata.listAction!(new k.objects.MetadataFilter!({ metadataProfileIdEqual: 9001, objectIdEqual: '{1:result:userId}' })).setKs(admin))
        .add(category.get!(424_242).setKs(admin))
        .add(category.get!(2001).setKs(admin));
      const results = (await multi.execute(newClient())) as Answer[];
      expect(results).to.have.length(5);
      const [info, found, roles, missing, physics] = results;
      expect(info).to.include({ objectType: 'KalturaSessionInfo', userId: 'cora.contributor' });
      expect(found).to.include({ objectType: 'KalturaUser', id: 'cora.contributor' });
      expect(roles!.objects[0].xml).to.equal('<metadata><role>viewerRole</role></metadata>');
      expect(missing).to.include({ objectType: 'KalturaAPIException', code: 'CATEGORY_NOT_FOUND' });
      expect(physics).to.include({ name: 'Physics 101' });
    });

    it('checks each sub-request\'s own KS', async () => {
      const memberKs = await userKs('mel.member');
      const admin = await adminKs();
      const multi = new k.MultiRequestBuilder().add(user.listAction!().setKs(memberKs)).add(user.listAction!().setKs(admin));
      const [refused, listed] = (await multi.execute(newClient())) as Answer[];
      expect(refused!.code).to.equal('SERVICE_FORBIDDEN');
      expect(listed!.objectType).to.equal('KalturaUserListResponse');
    });

    it('replaces references inside longer strings, and fails a call whose reference names a failed or empty result', async () => {
      const admin = await adminKs();
      const multi = new k.MultiRequestBuilder()
        .add(category.get!(2001).setKs(admin))
        .add(category.listAction!(new k.objects.CategoryFilter!({ idIn: '{1:result:id},2002' })).setKs(admin))
        .add(session.get!('not a ks').setKs(admin))
        .add(metadata.listAction!(new k.objects.MetadataFilter!({ metadataProfileIdEqual: 9001, objectIdEqual: '{3:result:userId}' })).setKs(admin))
        .add(user.get!('{1:result:noSuchField}').setKs(admin))
        .add(category.listAction!(new k.objects.CategoryFilter!({ nameOrReferenceIdStartsWith: '{9:result:id}' })).setKs(admin));
      const [, listed, broken, dependent, empty, later] = (await multi.execute(newClient())) as Answer[];
      expect(later).to.include({ totalCount: 0 });
      expect(listed!.objects.map((found: Answer) => found.id)).to.deep.equal([2001, 2002]);
      expect(broken!.code).to.equal('INTERNAL_SERVERL_ERROR');
      expect(dependent).to.include({ code: 'MISSING_MANDATORY_PARAMETER', message: 'Missing parameter "filter:objectIdEqual"' });
      expect(empty).to.include({ code: 'MISSING_MANDATORY_PARAMETER', message: 'Missing parameter "userId"' });
    });

    it('counts as one HTTP request', async () => {
      const ks = await adminKs();
      const before = emulator.requestCount();
      await new k.MultiRequestBuilder().add(category.get!(2001).setKs(ks)).add(category.get!(2002).setKs(ks)).execute(newClient());
      await send(category.get!(2003), ks);
      expect(emulator.requestCount() - before).to.equal(2);
    });
  });

  describe('response profiles and file uploads', () => {
    it('answers only the fields a responseProfile includes, or all but those it excludes, keeping objectType', async () => {
      const ks = await adminKs();
      const include = new k.objects.DetachedResponseProfile!({ type: 1, fields: 'id,name' });
      const request = category.get!(2001) as Request & { setResponseProfile(profile: object): Request };
      expect(await send(request.setResponseProfile(include), ks)).to.deep.equal({ id: 2001, name: 'Physics 101', objectType: 'KalturaCategory' });
      const listRequest = category.listAction!(new k.objects.CategoryFilter!({ idIn: '2001,2002', orderBy: '+name' })) as Request & { setResponseProfile(profile: object): Request };
      const listed = await send(listRequest.setResponseProfile(include), ks);
      expect(listed).to.include({ totalCount: 2, objectType: 'KalturaCategoryListResponse' });
      expect(listed.objects).to.deep.equal([
        { id: 2002, name: 'Chemistry Club', objectType: 'KalturaCategory' },
        { id: 2001, name: 'Physics 101', objectType: 'KalturaCategory' },
      ]);
      const exclude = new k.objects.DetachedResponseProfile!({ type: 2, fields: 'description,fullIds' });
      const excluded = await send((user.get!('mel.member') as Request & { setResponseProfile(profile: object): Request }).setResponseProfile(exclude), ks);
      expect(excluded).to.include({ id: 'mel.member' }).and.not.have.property('fullIds');
    });

    it('reads a multipart request, as kaltura-client sends a call that carries a file, alone or in a multirequest', async () => {
      const ks = await adminKs();
      const withFile = new k.RequestBuilder('category', 'get', { id: 2001 }, { fileData: Buffer.from('some bytes') } as never);
      expect((await send(withFile, ks)).name).to.equal('Physics 101');
      const multi = new k.MultiRequestBuilder()
        .add(category.get!(2002).setKs(ks))
        .add(new k.RequestBuilder('category', 'get', { id: 2003 }, { fileData: Buffer.from('more bytes') } as never).setKs(ks));
      const [first, second] = (await multi.execute(newClient())) as Answer[];
      expect([first!.name, second!.name]).to.deep.equal(['Chemistry Club', 'Faculty Lounge']);
    });
  });

  describe('partners and bad requests', () => {
    it('keeps partners apart', async () => {
      const otherKs = (await send(session.start!(OTHER.adminSecret, 'admin', ADMIN, OTHER.id))) as unknown as string;
      expect((await failure(category.get!(2001), otherKs)).code).to.equal('CATEGORY_NOT_FOUND');
      expect((await failure(user.get!('mel.member'), otherKs)).code).to.equal('INVALID_USER_ID');
      expect((await failure(session.get!(await userKs('mel.member')), otherKs)).code).to.equal('PARTNER_ACCESS_FORBIDDEN');
    });

    it('answers unknown services and actions, and malformed parameters, with Kaltura exceptions', async () => {
      const ks = await adminKs();
      expect(await failure(new k.RequestBuilder('nosuch', 'list', {}), ks)).to.include({ code: 'SERVICE_DOES_NOT_EXISTS', message: 'Service "nosuch" does not exists' });
      expect(await failure(new k.RequestBuilder('category', 'explode', {}), ks)).to.include({
        code: 'ACTION_DOES_NOT_EXISTS',
        message: 'Action "explode" does not exists for service "category"',
      });
      expect((await failure(category.get!('abc'), ks)).code).to.equal('PROPERTY_VALIDATION_NUMERIC_VALUE');
      expect((await failure(category.get!(), ks)).code).to.equal('MISSING_MANDATORY_PARAMETER');
      expect((await failure(category.listAction!(new k.objects.UserFilter!()), ks)).code).to.equal('INVALID_OBJECT_TYPE');
      expect((await failure(session.start!(PARTNER.adminSecret, 'x', 5, PARTNER.id))).code).to.equal('INVALID_ENUM_VALUE');
    });
  });
});
