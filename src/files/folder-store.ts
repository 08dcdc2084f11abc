/**
 * Folders of a course's files, nested. Every write that depends on what is
 * already there (a name free in its folder, a parent that still exists, a move
 * that does not make a loop) checks and writes in one transaction; one name per
 * folder is also held by a unique index (0006-files), so concurrent requests
 * cannot both win.
 */
import { sql, type Transaction } from 'kysely';
import { isUniqueViolation, type Db } from '../lib/db/database.ts';
import type { Database } from '../lib/db/schema.ts';
import { siblingKey } from './file-names.ts';

export interface Folder {
  id: string;
  courseId: string;
  parentId: string | null;
  name: string;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export type FolderWrite = 'done' | 'nameTaken' | 'missing' | 'parentMissing' | 'cycle';

export interface DeletedTree {
  /** Where the deleted folder was: its parent, or null for the course's top level. */
  parentId: string | null;
  folders: number;
  files: number;
  /** The stored files of the removed records, for the caller to remove from storage. */
  storageKeys: string[];
}

export interface FolderStore {
  find(courseId: string, id: string): Promise<Folder | null>;
  listAll(courseId: string): Promise<Folder[]>;
  create(folder: Folder): Promise<'done' | 'nameTaken' | 'parentMissing'>;
  rename(courseId: string, id: string, name: string, now: number): Promise<'done' | 'nameTaken' | 'missing'>;
  /** Moves a folder under another folder of the same course (null: the course's top), never into itself or below itself. */
  move(courseId: string, id: string, parentId: string | null, now: number): Promise<FolderWrite>;
  /** Removes a folder, its subfolders and their files' records; null when there is no such folder. */
  deleteTree(courseId: string, id: string): Promise<DeletedTree | null>;
}

type FolderRow = Database['folders'];

export function createFolderStore(db: Db): FolderStore {
  return {
    async find(courseId, id) {
      const row = await db.selectFrom('folders').selectAll().where('room_id', '=', courseId).where('id', '=', id).executeTakeFirst();
      return row ? toFolder(row) : null;
    },

    async listAll(courseId) {
      const rows = await db.selectFrom('folders').selectAll().where('room_id', '=', courseId).execute();
      return rows.map(toFolder);
    },

    async create(folder) {
      return nameTakenOnConflict(() =>
        db.transaction().execute(async (trx) => {
          if (folder.parentId && !(await exists(trx, folder.courseId, folder.parentId))) return 'parentMissing' as const;
          await trx
            .insertInto('folders')
            .values({
              id: folder.id,
              room_id: folder.courseId,
              parent_id: folder.parentId,
              name: folder.name,
              sibling_key: siblingKey(folder.parentId, folder.name),
              created_by: folder.createdBy,
              created_at: folder.createdAt,
              updated_at: folder.updatedAt,
            })
            .execute();
          return 'done' as const;
        }),
      );
    },

    async rename(courseId, id, name, now) {
      return nameTakenOnConflict(() =>
        db.transaction().execute(async (trx) => {
          const row = await trx.selectFrom('folders').select('parent_id').where('room_id', '=', courseId).where('id', '=', id).executeTakeFirst();
          if (!row) return 'missing' as const;
          await trx.updateTable('folders').set({ name, sibling_key: siblingKey(row.parent_id, name), updated_at: now }).where('id', '=', id).execute();
          return 'done' as const;
        }),
      );
    },

    async move(courseId, id, parentId, now) {
      return nameTakenOnConflict(() =>
        db.transaction().execute(async (trx) => {
          await lockCourseTree(trx, courseId);
          const parents = new Map((await trx.selectFrom('folders').select(['id', 'parent_id']).where('room_id', '=', courseId).execute()).map((row) => [row.id, row.parent_id]));
          const name = (await trx.selectFrom('folders').select('name').where('room_id', '=', courseId).where('id', '=', id).executeTakeFirst())?.name;
          if (name === undefined) return 'missing' as const;
          if (parentId !== null && !parents.has(parentId)) return 'parentMissing' as const;
          // Walk up from the new parent: meeting the folder itself means it would end up inside itself.
          for (let at: string | null = parentId, steps = 0; at !== null && steps <= parents.size; at = parents.get(at) ?? null, steps++) {
            if (at === id) return 'cycle' as const;
          }
          await trx.updateTable('folders').set({ parent_id: parentId, sibling_key: siblingKey(parentId, name), updated_at: now }).where('id', '=', id).execute();
          return 'done' as const;
        }),
      );
    },

    async deleteTree(courseId, id) {
      return db.transaction().execute(async (trx) => {
        await lockCourseTree(trx, courseId);
        const all = await trx.selectFrom('folders').select(['id', 'parent_id']).where('room_id', '=', courseId).execute();
        const root = all.find((row) => row.id === id);
        if (!root) return null;
        const tree = subtree(id, all);
        const storageKeys: string[] = [];
        for (const ids of chunks(tree, 500)) {
          const files = await trx.selectFrom('files').select('storage_key').where('room_id', '=', courseId).where('folder_id', 'in', ids).execute();
          storageKeys.push(...files.map((file) => file.storage_key));
          await trx.deleteFrom('files').where('room_id', '=', courseId).where('folder_id', 'in', ids).execute();
        }
        // Children first, so no row ever points at a parent that is gone, whether or not foreign keys cascade.
        for (const ids of chunks([...tree].reverse(), 500)) await trx.deleteFrom('folders').where('room_id', '=', courseId).where('id', 'in', ids).execute();
        return { parentId: root.parent_id, folders: tree.length, files: storageKeys.length, storageKeys };
      });
    },
  };
}

/** The folder and everything below it, parents before children. */
export function subtree(rootId: string, all: ReadonlyArray<{ id: string; parent_id: string | null }>): string[] {
  const children = new Map<string, string[]>();
  for (const row of all) if (row.parent_id) children.set(row.parent_id, [...(children.get(row.parent_id) ?? []), row.id]);
  const order: string[] = [];
  const seen = new Set<string>();
  const queue = [rootId];
  while (queue.length) {
    const next = queue.shift()!;
    if (seen.has(next)) continue;
    seen.add(next);
    order.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return order;
}

/**
 * Moves and deletes of one course's folders take turns: each reads the whole tree, and two
 * concurrent moves could otherwise each see no loop and together make one. Writing the course's
 * row (to the value it has) holds its row lock in PostgreSQL until the transaction ends; SQLite
 * runs one write transaction at a time anyway.
 */
async function lockCourseTree(trx: Transaction<Database>, courseId: string): Promise<void> {
  await trx.updateTable('rooms').set({ updated_at: sql<number>`updated_at` }).where('id', '=', courseId).execute();
}

async function exists(trx: Transaction<Database>, courseId: string, folderId: string): Promise<boolean> {
  return (await trx.selectFrom('folders').select('id').where('room_id', '=', courseId).where('id', '=', folderId).executeTakeFirst()) !== undefined;
}

async function nameTakenOnConflict<T>(write: () => Promise<T>): Promise<T | 'nameTaken'> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) return 'nameTaken';
    throw error;
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

function toFolder(row: FolderRow): Folder {
  return {
    id: row.id,
    courseId: row.room_id,
    parentId: row.parent_id,
    name: row.name,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
