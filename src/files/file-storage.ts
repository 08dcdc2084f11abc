/**
 * Where the bytes of course files live: `<dataDir>/files/<storage key>`, a
 * random key the service makes. Nothing from a request ever becomes part of
 * a path here. Disk is the only kind for now; object storage would be another
 * implementation of this interface.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { copyFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

const KEY = /^[0-9a-f]{32}$/;

export interface StoredObject {
  key: string;
  modifiedAt: number;
}

export interface FileStorage {
  /** Moves a finished temporary file into storage under a new key and answers the key. */
  put(tmpPath: string): Promise<string>;
  /** The file of a key, for sending. */
  pathOf(key: string): string;
  /** Removes stored files; keys that are already gone are fine. */
  remove(keys: readonly string[]): Promise<void>;
  /** Everything in storage, for finding bytes no record points to. */
  list(): Promise<StoredObject[]>;
}

export function createDiskFileStorage(folder: string): FileStorage {
  // Absolute, so that files can be sent with res.sendFile whatever the data folder's setting.
  const dir = path.resolve(folder);
  mkdirSync(dir, { recursive: true });

  function pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error('not a storage key');
    return path.join(dir, key);
  }

  return {
    pathOf,

    async put(tmpPath) {
      const key = randomBytes(16).toString('hex');
      const target = pathOf(key);
      try {
        await rename(tmpPath, target);
      } catch (error) {
        // The temporary folder on another file system: copy, and leave the original to the upload's clean-up.
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        try {
          await copyFile(tmpPath, target);
        } catch (copyError) {
          await rm(target, { force: true });
          throw copyError;
        }
      }
      return key;
    },

    async remove(keys) {
      await Promise.all(keys.map((key) => rm(pathOf(key), { force: true })));
    },

    async list() {
      const names = (await readdir(dir)).filter((name) => KEY.test(name));
      const objects: StoredObject[] = [];
      for (const name of names) {
        const info = await stat(path.join(dir, name)).catch(() => null);
        if (info?.isFile()) objects.push({ key: name, modifiedAt: info.mtimeMs });
      }
      return objects;
    },
  };
}
