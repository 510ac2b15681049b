// mkdir -p that always terminates. Node 20's mkdirSync(…, {recursive: true}) spins
// forever on some paths (e.g. under /proc, where mkdir fails with ENOENT for a parent
// that exists), and store paths come from users (--root, --runroot, storage.conf).
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { errnoCode } from '../oci/errors.js';

export function mkdirp(dir: string, mode = 0o700): void {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (!statSync(d).isDirectory()) {
        const err = new Error(`ENOTDIR: not a directory, mkdir '${d}'`) as Error & { code: string };
        err.code = 'ENOTDIR';
        throw err;
      }
      break;
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' || dirname(d) === d) throw err;
      missing.push(d);
    }
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, { mode });
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
  }
}
