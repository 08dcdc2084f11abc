/**
 * The browser code the service serves, folder by folder (each capability
 * keeps its own under src/), and the modules an entry script imports, so a
 * page can ask for all of them at once (`<link rel="modulepreload">`) instead
 * of discovering them one level of imports at a time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Address prefix and folder of each capability's browser code; a longer prefix wins. */
export const ASSET_MOUNTS: ReadonlyArray<{ url: string; folder: string }> = [
  { url: '/assets', folder: 'src/lib/http/public' },
  { url: '/assets/media', folder: 'src/media/public' },
  { url: '/assets/live-room', folder: 'src/live-room/public' },
  { url: '/assets/stats', folder: 'src/stats/public' },
  { url: '/assets/recordings-room', folder: 'src/recordings/room/public' },
];

export function assetFolder(folder: string): string {
  return path.join(ROOT, folder);
}

/** `import ... from './x.js'`, `import './x.js'` and `export ... from './x.js'`: the static imports of a module. */
const STATIC_IMPORT = /^\s*(?:import|export)\b[^'"]*?(?:\bfrom\s*)?['"](\.{1,2}\/[^'"]+\.js)['"]/gm;

/**
 * Every module the entry scripts import, directly or not, as addresses (entries excluded), in the order they are
 * found. Read from the files once: they do not change while the service runs.
 */
export function moduleGraph(entryUrls: readonly string[]): string[] {
  const found = new Set<string>();
  const visit = (url: string) => {
    for (const [, specifier] of readFileSync(fileOf(url), 'utf8').matchAll(STATIC_IMPORT)) {
      const imported = new URL(specifier!, `http://assets${url}`).pathname;
      if (found.has(imported) || entryUrls.includes(imported)) continue;
      found.add(imported);
      visit(imported);
    }
  };
  entryUrls.forEach(visit);
  return [...found];
}

function fileOf(url: string): string {
  const mount = [...ASSET_MOUNTS].sort((a, b) => b.url.length - a.url.length).find((candidate) => url.startsWith(`${candidate.url}/`));
  if (!mount) throw new Error(`${url} is not under any asset folder`);
  return path.join(assetFolder(mount.folder), url.slice(mount.url.length + 1));
}
