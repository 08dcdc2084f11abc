/**
 * A recording's files in the data folder: the final MP4 and the media
 * server's raw folder. Paths come from the database, relative to the data
 * folder, and are still checked to stay inside its recordings folder: a path
 * that would lead elsewhere is neither served nor removed.
 */
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';

export interface StoredRecordingFiles {
  id: string;
  storageKey: string | null;
  rawFolder: string | null;
}

export class RecordingFiles {
  readonly #root: string;

  constructor(dataDir: string) {
    this.#root = path.resolve(dataDir, 'recordings');
  }

  /** The absolute path of a stored path, or null when it would leave the recordings folder. */
  resolve(relative: string): string | null {
    const absolute = path.resolve(path.dirname(this.#root), relative);
    return absolute.startsWith(this.#root + path.sep) ? absolute : null;
  }

  /** The final file's absolute path when it exists and is a file. */
  async playable(storageKey: string | null): Promise<string | null> {
    const absolute = storageKey === null ? null : this.resolve(storageKey);
    if (absolute === null) return null;
    return (await stat(absolute).catch(() => null))?.isFile() ? absolute : null;
  }

  /**
   * Removes a deleted recording's files: the stored paths, and where the media server and the
   * processing write by convention (a crash may have left either unrecorded). One already gone is fine.
   */
  async removeRecording(recording: StoredRecordingFiles): Promise<void> {
    // Ids are the service's own UUIDs; anything else names no conventional path.
    const conventional = /^[\w-]+$/.test(recording.id) ? [`recordings/${recording.id}.mp4`, `recordings/raw/${recording.id}`] : [];
    const paths = [recording.storageKey, recording.rawFolder, ...conventional];
    for (const relative of paths) {
      const absolute = relative === null ? null : this.resolve(relative);
      if (absolute !== null) await rm(absolute, { recursive: true, force: true });
    }
  }
}
