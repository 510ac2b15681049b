// Reading a file of an image before the container runs (its /etc/passwd for `-u`),
// straight from the layer directories: the topmost layer that has the path wins, and a
// whiteout (a 0:0 character device) hides it.
import { lstatSync, readFileSync, type Stats } from 'node:fs';
import { errnoCode } from '../../oci/errors.js';

/** The entry for `path` in the topmost layer that has one; null when whited out or absent. */
function topEntry(layerRoots: readonly string[], path: string): { full: string; st: Stats } | null {
  for (const root of layerRoots) {
    const full = `${root}${path}`;
    try {
      const st = lstatSync(full);
      return st.isCharacterDevice() && st.rdev === 0 ? null : { full, st };
    } catch (err) {
      const code = errnoCode(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    }
  }
  return null;
}

/** Whether the image has `path` (any file type, symlinks not followed). */
export function imagePathExists(layerRoots: readonly string[], path: string): boolean {
  return topEntry(layerRoots, path) !== null;
}

/** `layerRoots` top first; `path` absolute in the container. */
export function readImageFile(layerRoots: readonly string[], path: string): string | undefined {
  const entry = topEntry(layerRoots, path);
  if (entry === null || !entry.st.isFile()) return undefined;
  try {
    return readFileSync(entry.full, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'EACCES') return undefined;
    throw err;
  }
}
