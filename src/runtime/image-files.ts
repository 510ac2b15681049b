// Reading a file of an image before the container runs (its /etc/passwd for `-u`),
// straight from the layer directories: the topmost layer that has the path wins, and a
// whiteout (a 0:0 character device) hides it.
import { lstatSync, readFileSync } from 'node:fs';
import { errnoCode } from '../../oci/errors.js';

/** `layerRoots` top first; `path` absolute in the container. */
export function readImageFile(layerRoots: readonly string[], path: string): string | undefined {
  for (const root of layerRoots) {
    const full = `${root}${path}`;
    let st;
    try {
      st = lstatSync(full);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw err;
    }
    if (st.isCharacterDevice() && st.rdev === 0) return undefined;
    if (!st.isFile()) return undefined;
    try {
      return readFileSync(full, 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'EACCES') return undefined;
      throw err;
    }
  }
  return undefined;
}
