import { expect } from 'chai';
import type { TFunction } from 'i18next';
import sinon from 'sinon';
import type { BackendActor } from '../../../src/backend/backend-access.ts';
import type { CourseMemberStore, CourseRole } from '../../../src/courses/course-member-store.ts';
import type { FileCourseStore } from '../../../src/files/file-course-store.ts';
import type { FileStorage } from '../../../src/files/file-storage.ts';
import type { FileStore, NewFile } from '../../../src/files/file-store.ts';
import { FilesService } from '../../../src/files/files-service.ts';
import type { FolderStore } from '../../../src/files/folder-store.ts';
import { AppError } from '../../../src/lib/errors/app-error.ts';
import type { Logger } from '../../../src/lib/logger/logger.ts';

const COURSE = '11111111-1111-4111-8111-111111111111';
const t = ((key: string) => key) as unknown as TFunction;
const instructor = { userId: 'u-instructor', name: 'Ines', email: null, role: 'instructor', source: 'backend' } as BackendActor;
const student: BackendActor = { ...instructor, userId: 'u-student', role: 'student' };
const outsider: BackendActor = { ...instructor, userId: 'u-outsider' };
const uploads = [
  { originalName: 'one.txt', path: '/tmp/one.upload', bytes: 3, mimeType: 'text/plain' },
  { originalName: 'two.txt', path: '/tmp/two.upload', bytes: 4, mimeType: 'text/plain' },
];

/** A FilesService over fakes: one active course with an instructor and a student, storage and records as each test needs. */
function service({ storage = {}, files = {} }: { storage?: Partial<FileStorage>; files?: Partial<FileStore> } = {}) {
  const roles: Record<string, CourseRole> = { 'u-instructor': 'instructor', 'u-student': 'student' };
  const members = { roleIn: async (_room: string, user: string) => roles[user] ?? null } as unknown as CourseMemberStore;
  const courses: FileCourseStore = {
    find: async (id) => (id === COURSE ? { id, name: 'Course', kind: 'course', planId: 'smart_15' } : null),
    listAll: async () => [],
    listForMember: async () => [],
  };
  const folders = { find: async () => null, listAll: async () => [] } as unknown as FolderStore;
  let next = 0;
  const fakeStorage: FileStorage = {
    put: sinon.stub().callsFake(async () => `${String(++next).padStart(32, '0')}`),
    pathOf: (key) => `/files/${key}`,
    remove: sinon.stub().resolves(),
    list: async () => [],
    ...storage,
  };
  const fakeFiles = {
    insertAll: sinon.stub().callsFake(async (_course: string, folderId: string | null, records: NewFile[]) => records.map((record) => ({ ...record, courseId: COURSE, folderId, uploaderName: null, updatedAt: record.createdAt }))),
    storageKeys: async () => new Set<string>(),
    usage: async () => ({ course: 0, organisation: 0 }),
    ...files,
  } as unknown as FileStore;
  const logger = { warn: sinon.stub() } as unknown as Logger;
  const plans = { smart_15: { label: 'Smart_15', active: true, virtualClassrooms: 1, cloudRecordingHours: 2, selfPacedCourses: 1, webcamUsers: 15, customLimits: false } };
  return { files: new FilesService({ courses, folders, files: fakeFiles, storage: fakeStorage, members, plans, quota: { course: Infinity, organisation: Infinity }, logger, now: () => 1000 }), storage: fakeStorage, records: fakeFiles, logger };
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a failure');
}

describe('FilesService', () => {
  afterEach(() => sinon.restore());

  describe('#upload', () => {
    it('stores every file under a key of its own and records them together', async () => {
      const { files, storage, records } = service();
      const stored = await files.upload(instructor, COURSE, null, uploads, t);
      expect(stored.map((file) => file.name)).to.deep.equal(['one.txt', 'two.txt']);
      expect((storage.put as sinon.SinonStub).args.map(([path]) => path)).to.deep.equal(['/tmp/one.upload', '/tmp/two.upload']);
      const [[, , newFiles]] = (records.insertAll as sinon.SinonStub).args as [[string, string | null, NewFile[]]];
      expect(newFiles.map((file) => file.storageKey)).to.deep.equal(['0'.repeat(31) + '1', '0'.repeat(31) + '2']);
      expect(newFiles.every((file) => file.uploadedBy === 'u-instructor' && file.contentType.startsWith('text/plain'))).to.equal(true);
    });

    it('removes what was already stored when storing a later file fails, and records nothing', async () => {
      const put = sinon.stub();
      put.onFirstCall().resolves('a'.repeat(32));
      put.onSecondCall().rejects(Object.assign(new Error('disk full'), { code: 'ENOSPC' }));
      const { files, storage, records } = service({ storage: { put } });
      const error = await failure(files.upload(instructor, COURSE, null, uploads, t));
      expect(error).to.be.instanceOf(AppError);
      expect(error).to.include({ status: 500, code: 'STORAGE_FAILED' });
      expect((storage.remove as sinon.SinonStub).calledOnceWith(['a'.repeat(32)])).to.equal(true);
      expect((records.insertAll as sinon.SinonStub).called).to.equal(false);
    });

    it('removes every stored file when recording them fails', async () => {
      const { files, storage } = service({ files: { insertAll: sinon.stub().rejects(new Error('database went away')) } });
      const error = await failure(files.upload(instructor, COURSE, null, uploads, t));
      expect(error.message).to.equal('database went away');
      expect((storage.remove as sinon.SinonStub).calledOnce).to.equal(true);
      expect((storage.remove as sinon.SinonStub).firstCall.args[0]).to.have.length(2);
    });

    it('removes every stored file when the folder went away meanwhile (404)', async () => {
      const { files, storage } = service({ files: { insertAll: sinon.stub().resolves('folderMissing') } });
      // The folder exists when the upload starts and is gone when it is recorded.
      sinon.stub(files, 'checkUpload').resolves({ id: COURSE, name: 'Course', kind: 'course', active: true });
      const error = await failure(files.upload(instructor, COURSE, '22222222-2222-4222-8222-222222222222', uploads, t));
      expect(error.status).to.equal(404);
      expect((storage.remove as sinon.SinonStub).firstCall.args[0]).to.have.length(2);
    });

    it('refuses students (403) and outsiders (404) before storing anything', async () => {
      const { files, storage } = service();
      expect((await failure(files.upload(student, COURSE, null, uploads, t))).status).to.equal(403);
      expect((await failure(files.upload(outsider, COURSE, null, uploads, t))).status).to.equal(404);
      expect((await failure(files.upload(instructor, '99999999-9999-4999-8999-999999999999', null, uploads, t))).status).to.equal(404);
      expect((storage.put as sinon.SinonStub).called).to.equal(false);
    });

    it('refuses an upload without files', async () => {
      const { files } = service();
      expect((await failure(files.upload(instructor, COURSE, null, [], t))).status).to.equal(400);
    });
  });

  describe('#removeOrphanedStorage', () => {
    it('removes old stored files no record points to, and leaves recent ones to uploads in flight', async () => {
      const list = async () => [
        { key: 'a'.repeat(32), modifiedAt: 10 },
        { key: 'b'.repeat(32), modifiedAt: 10 },
        { key: 'c'.repeat(32), modifiedAt: 5000 },
      ];
      const { files, storage } = service({ storage: { list }, files: { storageKeys: async () => new Set(['a'.repeat(32)]) } });
      expect(await files.removeOrphanedStorage(1000)).to.equal(1);
      expect((storage.remove as sinon.SinonStub).calledOnceWith(['b'.repeat(32)])).to.equal(true);
    });
  });
});
