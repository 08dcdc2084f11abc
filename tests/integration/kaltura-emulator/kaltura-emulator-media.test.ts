/**
 * The emulator's media services (uploadToken, media, categoryEntry), driven
 * through kaltura-client over HTTP: chunked and resumed uploads, entries with
 * their stored bytes, publishing into categories (moderated or not), Kaltura's
 * error codes for each, and what a USER KS is refused.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { k, startEmulatorClient, type Answer, type ClientRequest, type EmulatorClient } from '../../support/kaltura-emulator-client.ts';

const PARTNER = { id: 777, name: 'Demo', adminSecret: 'admin-secret-777', userSecret: 'user-secret-777' };
const { uploadToken, media, categoryEntry, category } = k.services as Record<'uploadToken' | 'media' | 'categoryEntry' | 'category', Record<string, (...args: any[]) => ClientRequest>>;
const VIDEO = 1;
const TOKEN = { PENDING: 0, PARTIAL: 1, FULL: 2, CLOSED: 3 };
const ENTRY = { READY: 2, NO_CONTENT: 7 };
const LINK = { PENDING: 1, ACTIVE: 2 };
const PHYSICS = 2001;

describe('Kaltura emulator: uploads, media entries and category entries', () => {
  let kaltura: EmulatorClient;
  let admin: string;
  let counter = 0;

  before(async () => {
    kaltura = await startEmulatorClient(PARTNER);
    admin = await kaltura.adminKs();
  });
  after(() => kaltura.close());

  const unique = (prefix: string) => `${prefix}-${++counter}`;
  const newToken = (ks: string, fields: object = {}) => kaltura.send(uploadToken.add!(new k.objects.UploadToken!({ fileName: 'talk.mp4', ...fields })), ks);
  const upload = (ks: string, tokenId: string, bytes: Buffer, resume = false, finalChunk = true, resumeAt = -1) =>
    kaltura.send(uploadToken.upload!(tokenId, bytes, resume, finalChunk, resumeAt), ks);
  const newEntry = (ks: string, fields: object = {}) =>
    kaltura.send(media.add!(new k.objects.MediaEntry!({ name: unique('Recording'), mediaType: VIDEO, ...fields })), ks);
  const tokenResource = (token: string) => new k.objects.UploadedFileTokenResource!({ token });
  const publish = (ks: string, entryId: string, categoryId: number) => kaltura.send(categoryEntry.add!(new k.objects.CategoryEntry!({ entryId, categoryId })), ks);

  /** An entry with content, uploaded whole. */
  async function readyEntry(ks: string, bytes = randomBytes(1000), fields: object = {}) {
    const token = await newToken(ks);
    await upload(ks, token.id, bytes);
    const entry = await newEntry(ks, fields);
    return kaltura.send(media.addContent!(entry.id, tokenResource(token.id)), ks);
  }

  async function download(url: string, ks?: string): Promise<{ status: number; body: Buffer }> {
    const response = await fetch(ks ? `${url}/ks/${ks}` : url);
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
  }

  describe('uploadToken', () => {
    it('takes a file in chunks (resume, resumeAt, finalChunk), a resent chunk replacing what followed its position, and gives it to an entry whose bytes are served back', async () => {
      const file = randomBytes(25_000);
      const token = await newToken(admin, { fileSize: file.length });
      expect(token).to.include({ objectType: 'KalturaUploadToken', status: TOKEN.PENDING, fileName: 'talk.mp4', fileSize: file.length, uploadedFileSize: null });
      expect(token.id).to.match(/^0_[0-9a-f]{32}$/);
      expect(await upload(admin, token.id, file.subarray(0, 10_000), false, false)).to.include({ status: TOKEN.PARTIAL, uploadedFileSize: 10_000 });
      // A chunk whose answer was lost is sent again from the position it started at.
      await upload(admin, token.id, file.subarray(10_000, 15_000), true, false, 10_000);
      expect(await upload(admin, token.id, file.subarray(10_000, 20_000), true, false, 10_000)).to.include({ uploadedFileSize: 20_000 });
      expect(await upload(admin, token.id, file.subarray(20_000), true, true, 20_000)).to.include({ status: TOKEN.FULL, uploadedFileSize: file.length });
      expect(await kaltura.send(uploadToken.get!(token.id), admin)).to.include({ status: TOKEN.FULL, uploadedFileSize: file.length });

      const entry = await newEntry(admin, { referenceId: unique('ref'), userId: 'maria.manager' });
      expect(entry).to.include({ objectType: 'KalturaMediaEntry', status: ENTRY.NO_CONTENT, userId: 'maria.manager', mediaType: VIDEO });
      expect(entry.id).to.match(/^0_[a-z0-9]{8}$/);
      const ready = await kaltura.send(media.addContent!(entry.id, tokenResource(token.id)), admin);
      expect(ready).to.include({ status: ENTRY.READY });
      expect((await kaltura.send(uploadToken.get!(token.id), admin)).status).to.equal(TOKEN.CLOSED);

      const fetched = await kaltura.send(media.get!(entry.id), admin);
      expect(fetched.downloadUrl).to.be.a('string');
      const served = await download(fetched.downloadUrl, admin);
      expect(served.status).to.equal(200);
      expect(served.body.equals(file)).to.equal(true);
      expect((await download(fetched.downloadUrl)).status, 'without a KS').to.equal(404);
    });

    it('refuses a resumeAt past what was received, resuming before anything was received, uploading to a finished token and an unknown token', async () => {
      const token = await newToken(admin);
      expect(await kaltura.failure(uploadToken.upload!(token.id, randomBytes(10), true, false, 0), admin)).to.include({
        code: 'UPLOAD_TOKEN_CANNOT_RESUME',
        message: 'Cannot resume the upload, original file was not found',
      });
      await upload(admin, token.id, randomBytes(100), false, false);
      expect(await kaltura.failure(uploadToken.upload!(token.id, randomBytes(10), true, false, 101), admin)).to.include({
        code: 'UPLOAD_TOKEN_RESUMING_INVALID_POSITION',
        message: 'Resuming not allowed after end of file',
      });
      expect((await kaltura.send(uploadToken.get!(token.id), admin)).uploadedFileSize, 'nothing taken from the refused chunk').to.equal(100);
      await upload(admin, token.id, randomBytes(10), true, true, 100);
      expect(await kaltura.failure(uploadToken.upload!(token.id, randomBytes(10), true, true, 110), admin)).to.include({
        code: 'UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD',
        message: 'Upload token is in an invalid status for uploading a file, maybe the file was already uploaded',
      });
      expect(await kaltura.failure(uploadToken.get!('0_nope'), admin)).to.include({ code: 'UPLOAD_TOKEN_NOT_FOUND', message: 'Upload token not found' });
      expect((await kaltura.failure(uploadToken.upload!('0_nope', randomBytes(1)), admin)).code).to.equal('UPLOAD_TOKEN_NOT_FOUND');
    });

    it('lists tokens by file name and status, a USER KS seeing only its own', async () => {
      const fileName = `${unique('file')}.mp4`;
      const mine = await newToken(await kaltura.userKs('cora.contributor'), { fileName });
      const adminsToken = await newToken(admin, { fileName });
      const filter = new k.objects.UploadTokenFilter!({ fileNameEqual: fileName, statusIn: `${TOKEN.PENDING},${TOKEN.PARTIAL}` });
      const all = await kaltura.send(uploadToken.listAction!(filter), admin);
      expect(all.objects.map((token: { id: string }) => token.id)).to.have.members([mine.id, adminsToken.id]);
      const own = await kaltura.send(uploadToken.listAction!(filter), await kaltura.userKs('cora.contributor'));
      expect(own.objects.map((token: { id: string }) => token.id)).to.deep.equal([mine.id]);
      expect((await kaltura.failure(uploadToken.get!(adminsToken.id), await kaltura.userKs('cora.contributor'))).code).to.equal('UPLOAD_TOKEN_NOT_FOUND');
    });

    it('refuses an upload that would take the emulator past its media budget, keeping what it holds', async () => {
      const small = await startEmulatorClient(PARTNER, { mediaBudgetBytes: 5000 });
      try {
        const ks = await small.adminKs();
        const token = await small.send(uploadToken.add!(new k.objects.UploadToken!({})), ks);
        await small.send(uploadToken.upload!(token.id, randomBytes(4000), false, false), ks);
        expect(await small.failure(uploadToken.upload!(token.id, randomBytes(2000), true, false, -1), ks)).to.include({ code: 'UPLOAD_ERROR', message: 'Upload failed' });
        expect((await small.send(uploadToken.get!(token.id), ks)).uploadedFileSize).to.equal(4000);
      } finally {
        await small.close();
      }
    });
  });

  describe('media', () => {
    it('refuses content for an unknown entry, twice for one entry, from an unfinished or used token, and from a resource it does not emulate', async () => {
      expect(await kaltura.failure(media.addContent!('0_missing1', tokenResource('0_x')), admin)).to.include({ code: 'ENTRY_ID_NOT_FOUND', message: 'Entry id "0_missing1" not found' });
      const partial = await newToken(admin);
      await upload(admin, partial.id, randomBytes(10), false, false);
      const entry = await newEntry(admin);
      expect(await kaltura.failure(media.addContent!(entry.id, tokenResource(partial.id)), admin)).to.include({
        code: 'UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY',
        message: 'Upload token is in an invalid status for adding entry, maybe the a file was not uploaded or the token was used',
      });
      expect((await kaltura.failure(media.addContent!(entry.id, tokenResource('0_unknown')), admin)).code).to.equal('UPLOAD_TOKEN_NOT_FOUND');
      const urlResource = new k.objects.UrlResource!({ url: 'http://example.invalid/a.mp4' });
      expect(await kaltura.failure(media.addContent!(entry.id, urlResource), admin)).to.include({ code: 'RESOURCE_TYPE_NOT_SUPPORTED' });
      const ready = await readyEntry(admin);
      const another = await newToken(admin);
      await upload(admin, another.id, randomBytes(10));
      expect(await kaltura.failure(media.addContent!(ready.id, tokenResource(another.id)), admin)).to.include({
        code: 'ENTRY_ALREADY_WITH_CONTENT',
        message: 'Entry already associated with content',
      });
      expect(await kaltura.failure(media.add!(new k.objects.MediaEntry!({ name: 'No type' })), admin)).to.include({ code: 'PROPERTY_VALIDATION_CANNOT_BE_NULL' });
    });

    it('lists entries by referenceIdEqual a page at a time, and forgets a deleted entry', async () => {
      const referenceId = unique('recording');
      const entries: Answer[] = [await newEntry(admin, { referenceId }), await newEntry(admin, { referenceId }), await newEntry(admin, { referenceId })];
      const [deleted] = entries as [Answer];
      await newEntry(admin, { referenceId: unique('other') });
      const filter = new k.objects.MediaEntryFilter!({ referenceIdEqual: referenceId });
      const first = await kaltura.send(media.listAction!(filter, new k.objects.FilterPager!({ pageSize: 2, pageIndex: 1 })), admin);
      const second = await kaltura.send(media.listAction!(filter, new k.objects.FilterPager!({ pageSize: 2, pageIndex: 2 })), admin);
      expect(first).to.include({ objectType: 'KalturaMediaListResponse', totalCount: 3 });
      const listed = [...first.objects, ...second.objects].map((entry: { id: string }) => entry.id);
      expect(listed).to.have.members(entries.map((entry) => entry.id));

      await kaltura.send(media.deleteAction!(deleted.id), admin);
      expect(await kaltura.failure(media.get!(deleted.id), admin)).to.include({ code: 'ENTRY_ID_NOT_FOUND' });
      expect((await kaltura.failure(media.deleteAction!(deleted.id), admin)).code).to.equal('ENTRY_ID_NOT_FOUND');
      expect((await kaltura.send(media.listAction!(filter), admin)).totalCount).to.equal(2);
    });
  });

  describe('categoryEntry', () => {
    it('publishes an entry active in a category, once, and pending in a moderated one until a moderator adds it', async () => {
      const entry = await readyEntry(admin);
      expect(await publish(admin, entry.id, PHYSICS)).to.include({ objectType: 'KalturaCategoryEntry', categoryId: PHYSICS, entryId: entry.id, status: LINK.ACTIVE });
      expect(await kaltura.failure(categoryEntry.add!(new k.objects.CategoryEntry!({ entryId: entry.id, categoryId: PHYSICS })), admin)).to.include({
        code: 'CATEGORY_ENTRY_ALREADY_EXISTS',
        message: 'Entry already assigned to this category',
      });
      expect((await kaltura.send(media.get!(entry.id), admin)).categoriesIds).to.equal(String(PHYSICS));

      const moderated = await kaltura.send(category.add!(new k.objects.Category!({ name: unique('Moderated'), parentId: 1003, moderation: true })), admin);
      expect(await publish(admin, entry.id, moderated.id)).to.include({ status: LINK.PENDING });
      const sub = await kaltura.send(category.add!(new k.objects.Category!({ name: unique('Sub'), parentId: moderated.id })), admin);
      await publish(admin, (await readyEntry(admin)).id, sub.id);
      // A pending entry is not counted; one in a sub-category counts for its parents too.
      expect(await kaltura.send(category.get!(moderated.id), admin)).to.include({ directEntriesCount: 0, entriesCount: 1 });
      expect(await kaltura.send(category.get!(sub.id), admin)).to.include({ directEntriesCount: 1, entriesCount: 1 });
      const list = await kaltura.send(categoryEntry.listAction!(new k.objects.CategoryEntryFilter!({ entryIdEqual: entry.id })), admin);
      expect(list.objects.map((link: { categoryId: number; status: number }) => [link.categoryId, link.status])).to.have.deep.members([
        [PHYSICS, LINK.ACTIVE],
        [moderated.id, LINK.PENDING],
      ]);
      // Channel 2001's moderator publishes straight away in a moderated channel of their own.
      await kaltura.send(category.update!(PHYSICS, new k.objects.Category!({ moderation: true })), admin);
      try {
        const moderator = await kaltura.userKs('mo.moderator');
        const ownEntry = await readyEntry(moderator);
        expect(await publish(moderator, ownEntry.id, PHYSICS)).to.include({ status: LINK.ACTIVE });
        const member = await kaltura.userKs('mel.member');
        const membersEntry = await readyEntry(member);
        expect(await publish(member, membersEntry.id, PHYSICS)).to.include({ status: LINK.PENDING });
      } finally {
        await kaltura.send(category.update!(PHYSICS, new k.objects.Category!({ moderation: false })), admin);
      }
    });

    it('refuses an unknown entry or category, and a list that names neither to a USER KS', async () => {
      const entry = await readyEntry(admin);
      expect(await kaltura.failure(categoryEntry.add!(new k.objects.CategoryEntry!({ entryId: '0_nothere', categoryId: PHYSICS })), admin)).to.include({
        code: 'INVALID_ENTRY_ID',
        message: 'Invalid entry id ["0_nothere"]',
      });
      expect(await kaltura.failure(categoryEntry.add!(new k.objects.CategoryEntry!({ entryId: entry.id, categoryId: 99999 })), admin)).to.include({
        code: 'CATEGORY_NOT_FOUND',
        message: 'Category id "99999" not found',
      });
      expect(await kaltura.failure(categoryEntry.listAction!(new k.objects.CategoryEntryFilter!({})), await kaltura.userKs('mel.member'))).to.include({
        code: 'MUST_FILTER_ON_ENTRY_OR_CATEGORY',
        message: 'Must filter on entry id or category',
      });
    });
  });

  describe('what a USER KS may do', () => {
    it('adds entries for itself only, sees and changes only its own unpublished ones, and contributes only where the category lets it', async () => {
      const mel = await kaltura.userKs('mel.member');
      expect(await kaltura.failure(media.add!(new k.objects.MediaEntry!({ name: 'For someone else', mediaType: VIDEO, userId: 'maria.manager' })), mel)).to.include({
        code: 'INVALID_KS',
        message: 'Invalid KS "", Error "-3,INVALID_TYPE"',
      });
      const marias = await newEntry(admin, { userId: 'maria.manager' });
      expect((await kaltura.failure(media.get!(marias.id), mel)).code).to.equal('ENTRY_ID_NOT_FOUND');
      expect((await kaltura.failure(categoryEntry.add!(new k.objects.CategoryEntry!({ entryId: marias.id, categoryId: PHYSICS })), mel)).code).to.equal('INVALID_ENTRY_ID');
      // Published in a channel everyone may see, it is visible, but still not Mel's to delete.
      const published = await readyEntry(admin, randomBytes(10), { userId: 'maria.manager' });
      await publish(admin, published.id, PHYSICS);
      expect((await kaltura.send(media.get!(published.id), mel)).id).to.equal(published.id);
      expect((await kaltura.failure(media.deleteAction!(published.id), mel)).code).to.equal('INVALID_KS');

      const restricted = await kaltura.send(category.add!(new k.objects.Category!({ name: unique('Contributors only'), parentId: 1003, contributionPolicy: 2 })), admin);
      await kaltura.send(k.services.categoryUser!.add!(new k.objects.CategoryUser!({ categoryId: restricted.id, userId: 'mel.member', permissionLevel: 3 })), admin);
      const own = await readyEntry(mel);
      expect(await kaltura.failure(categoryEntry.add!(new k.objects.CategoryEntry!({ entryId: own.id, categoryId: restricted.id })), mel)).to.include({
        code: 'CANNOT_ASSIGN_ENTRY_TO_CATEGORY',
        message: 'Cannot assign entry to category',
      });
      await kaltura.send(media.deleteAction!(own.id), mel);
    });

    it('is refused every upload and entry change with a widget session, and every call without a KS', async () => {
      const widget = await kaltura.send(k.services.session!.start!(PARTNER.adminSecret, '', 0, PARTNER.id, 3600, 'widget:1')) as unknown as string;
      expect(await kaltura.failure(uploadToken.add!(new k.objects.UploadToken!({})), widget)).to.include({
        code: 'SERVICE_FORBIDDEN',
        message: 'The access to service [uploadtoken->add] is forbidden',
      });
      expect((await kaltura.failure(media.add!(new k.objects.MediaEntry!({ mediaType: VIDEO })), widget)).code).to.equal('SERVICE_FORBIDDEN');
      expect((await kaltura.failure(categoryEntry.add!(new k.objects.CategoryEntry!({ entryId: '0_x', categoryId: PHYSICS })), widget)).code).to.equal('SERVICE_FORBIDDEN');
      expect((await kaltura.failure(media.deleteAction!('0_x'), widget)).code).to.equal('SERVICE_FORBIDDEN');
      expect((await kaltura.failure(media.listAction!())).code).to.equal('MISSING_KS');
    });
  });
});
