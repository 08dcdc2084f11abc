/**
 * Records of course files: their display name, folder, type, size, who
 * uploaded them, and the key of their bytes in storage. The bytes themselves
 * are FileStorage's; callers store bytes before recording them and remove
 * them after their records are gone, so a record never points at nothing.
 */
import type { Transaction } from 'kysely';
import { isUniqueViolation, type Db } from '../lib/db/database.ts';
import type { Database } from '../lib/db/schema.ts';
import { siblingKey, withNumber } from './file-names.ts';

export interface StoredFile {
  id: string;
  courseId: string;
  folderId: string | null;
  name: string;
  contentType: string;
  bytes: number;
  storageKey: string;
  uploadedBy: string;
  /** The uploader's name as the users table has it now; null when they are no longer known. */
  uploaderName: string | null;
  createdAt: number;
  updatedAt: number;
}

export type NewFile = Pick<StoredFile, 'id' | 'name' | 'contentType' | 'bytes' | 'storageKey' | 'uploadedBy' | 'createdAt'>;

export interface CourseFileStats {
  files: number;
  bytes: number;
}

export type StorageScope = 'course' | 'organisation';

/** Bytes of course files held by one course and by all courses together (now, or at most: a quota). */
export type StorageUsage = Record<StorageScope, number>;
export type StorageQuota = StorageUsage;

export interface FileStore {
  find(courseId: string, id: string): Promise<StoredFile | null>;
  listIn(courseId: string, folderId: string | null): Promise<StoredFile[]>;
  listCourse(courseId: string): Promise<StoredFile[]>;
  /**
   * Records the files of one upload in one folder: all of them, or none. A name already used in
   * the folder (or twice in the upload) gets a number: "notes (2).pdf". None are recorded when
   * they would take the course or the organisation over its quota: that is counted in the same
   * transaction, after a lock every recording takes, so two uploads cannot both take the last bytes.
   */
  insertAll(courseId: string, folderId: string | null, files: readonly NewFile[], quota: StorageQuota): Promise<StoredFile[] | 'folderMissing' | { full: StorageScope }>;
  usage(courseId: string): Promise<StorageUsage>;
  rename(courseId: string, id: string, name: string, contentType: string, now: number): Promise<'done' | 'nameTaken' | 'missing'>;
  move(courseId: string, id: string, folderId: string | null, now: number): Promise<'done' | 'nameTaken' | 'missing' | 'folderMissing'>;
  /** Removes one record and answers it (its storage key is the caller's to remove), or null. */
  delete(courseId: string, id: string): Promise<StoredFile | null>;
  stats(courseIds: readonly string[]): Promise<Map<string, CourseFileStats>>;
  /** Every storage key a record points to. */
  storageKeys(): Promise<Set<string>>;
}

/** Concurrent uploads of one name into one folder: the loser of the unique index picks numbers again. */
const INSERT_ATTEMPTS = 4;

export function createFileStore(db: Db): FileStore {
  function listing() {
    return db
      .selectFrom('files')
      .leftJoin('users', 'users.id', 'files.uploaded_by')
      .selectAll('files')
      .select(['users.display_name as uploader_display_name', 'users.name as uploader_name']);
  }

  return {
    async find(courseId, id) {
      const row = await listing().where('files.room_id', '=', courseId).where('files.id', '=', id).executeTakeFirst();
      return row ? toFile(row) : null;
    },

    async listIn(courseId, folderId) {
      const query = listing().where('files.room_id', '=', courseId);
      const rows = await (folderId === null ? query.where('files.folder_id', 'is', null) : query.where('files.folder_id', '=', folderId)).execute();
      return rows.map(toFile);
    },

    async listCourse(courseId) {
      return (await listing().where('files.room_id', '=', courseId).execute()).map(toFile);
    },

    async insertAll(courseId, folderId, files, quota) {
      const incoming = files.reduce((sum, file) => sum + file.bytes, 0);
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.transaction().execute(async (trx) => {
            if (folderId !== null && !(await folderExists(trx, courseId, folderId))) return 'folderMissing' as const;
            await trx.updateTable('storage_locks').set((eb) => ({ scope: eb.ref('scope') })).where('scope', '=', 'files').execute();
            const used = await usageIn(trx, courseId);
            const full = (['course', 'organisation'] as const).find((scope) => used[scope] + incoming > quota[scope]);
            if (full) return { full };
            const taken = new Set(await siblingKeysIn(trx, courseId, folderId));
            const recorded: StoredFile[] = [];
            for (const file of files) {
              let name = file.name;
              for (let number = 2; taken.has(siblingKey(folderId, name)); number++) name = withNumber(file.name, number);
              taken.add(siblingKey(folderId, name));
              const row = {
                id: file.id,
                room_id: courseId,
                folder_id: folderId,
                name,
                content_type: file.contentType,
                bytes: file.bytes,
                storage_key: file.storageKey,
                uploaded_by: file.uploadedBy,
                created_at: file.createdAt,
                updated_at: file.createdAt,
                sibling_key: siblingKey(folderId, name),
              };
              await trx.insertInto('files').values(row).execute();
              recorded.push({ ...file, courseId, folderId, name, uploaderName: null, updatedAt: file.createdAt });
            }
            return recorded;
          });
        } catch (error) {
          // The folder was deleted by someone else between the check and the insert (PostgreSQL).
          if (isForeignKeyViolation(error)) return 'folderMissing';
          if (!isUniqueViolation(error) || attempt >= INSERT_ATTEMPTS) throw error;
        }
      }
    },

    async rename(courseId, id, name, contentType, now) {
      try {
        return await db.transaction().execute(async (trx) => {
          const row = await trx.selectFrom('files').select('folder_id').where('room_id', '=', courseId).where('id', '=', id).executeTakeFirst();
          if (!row) return 'missing' as const;
          await trx.updateTable('files').set({ name, content_type: contentType, sibling_key: siblingKey(row.folder_id, name), updated_at: now }).where('id', '=', id).execute();
          return 'done' as const;
        });
      } catch (error) {
        if (isUniqueViolation(error)) return 'nameTaken';
        throw error;
      }
    },

    async move(courseId, id, folderId, now) {
      try {
        return await db.transaction().execute(async (trx) => {
          const row = await trx.selectFrom('files').select('name').where('room_id', '=', courseId).where('id', '=', id).executeTakeFirst();
          if (!row) return 'missing' as const;
          if (folderId !== null && !(await folderExists(trx, courseId, folderId))) return 'folderMissing' as const;
          await trx.updateTable('files').set({ folder_id: folderId, sibling_key: siblingKey(folderId, row.name), updated_at: now }).where('id', '=', id).execute();
          return 'done' as const;
        });
      } catch (error) {
        if (isUniqueViolation(error)) return 'nameTaken';
        if (isForeignKeyViolation(error)) return 'folderMissing';
        throw error;
      }
    },

    async delete(courseId, id) {
      return db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('files').selectAll().where('room_id', '=', courseId).where('id', '=', id).executeTakeFirst();
        if (!row) return null;
        await trx.deleteFrom('files').where('id', '=', id).execute();
        return toFile({ ...row, uploader_display_name: null, uploader_name: null });
      });
    },

    async stats(courseIds) {
      const result = new Map<string, CourseFileStats>();
      if (courseIds.length === 0) return result;
      const rows = await db
        .selectFrom('files')
        .select((eb) => ['room_id', eb.fn.countAll().as('files'), eb.fn.sum('bytes').as('bytes')])
        .where('room_id', 'in', courseIds)
        .groupBy('room_id')
        .execute();
      // PostgreSQL answers count and sum as strings.
      for (const row of rows) result.set(row.room_id, { files: Number(row.files), bytes: Number(row.bytes ?? 0) });
      return result;
    },

    async usage(courseId) {
      return usageIn(db, courseId);
    },

    async storageKeys() {
      return new Set((await db.selectFrom('files').select('storage_key').execute()).map((row) => row.storage_key));
    },
  };
}

function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

async function usageIn(db: Db | Transaction<Database>, courseId: string): Promise<StorageUsage> {
  const row = await db
    .selectFrom('files')
    .select((eb) => [eb.fn.sum<number | string | null>(eb.case().when('room_id', '=', courseId).then(eb.ref('bytes')).else(0).end()).as('course'), eb.fn.sum<number | string | null>('bytes').as('organisation')])
    .executeTakeFirstOrThrow();
  // PostgreSQL answers sums as strings, and null over no rows.
  return { course: Number(row.course ?? 0), organisation: Number(row.organisation ?? 0) };
}

async function folderExists(trx: Transaction<Database>, courseId: string, folderId: string): Promise<boolean> {
  return (await trx.selectFrom('folders').select('id').where('room_id', '=', courseId).where('id', '=', folderId).executeTakeFirst()) !== undefined;
}

async function siblingKeysIn(trx: Transaction<Database>, courseId: string, folderId: string | null): Promise<string[]> {
  const query = trx.selectFrom('files').select(['name', 'folder_id']).where('room_id', '=', courseId);
  const rows = await (folderId === null ? query.where('folder_id', 'is', null) : query.where('folder_id', '=', folderId)).execute();
  return rows.map((row) => siblingKey(row.folder_id, row.name));
}

type FileRow = Database['files'] & { uploader_display_name: string | null; uploader_name: string | null };

function toFile(row: FileRow): StoredFile {
  return {
    id: row.id,
    courseId: row.room_id,
    folderId: row.folder_id,
    name: row.name,
    contentType: row.content_type,
    bytes: Number(row.bytes),
    storageKey: row.storage_key,
    uploadedBy: row.uploaded_by,
    uploaderName: row.uploader_display_name ?? row.uploader_name ?? null,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
