/** Free space on the disk that holds a folder, as recording checks it before and while it records. */
import { statfs } from 'node:fs/promises';

export type FreeDiskBytes = (folder: string) => Promise<number>;

/** Bytes an unprivileged process may still write there. */
export const freeDiskBytes: FreeDiskBytes = async (folder) => {
  const stats = await statfs(folder);
  return stats.bavail * stats.bsize;
};
