// The overlay driver's directories for a new writable layer (storage-format §3.1–§3.3):
// `<id>/{diff,work,merged}`, the `link` short id with its `l/` symlink, and `lower`.
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync, rmSync, chmodSync, existsSync } from 'node:fs';
import { randomBytes } from './random.js';
import { errnoCode } from '../oci/errors.js';
import { layerDirs, type StorePaths } from './paths.js';
import { mkdirp } from './mkdirp.js';

const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** c/storage's short link id: 17 random bytes in standard base32, first 26 characters. */
export function newLinkId(): string {
  const bytes = randomBytes(17);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += base32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.slice(0, 26);
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** The `lower` content of a layer whose parent is `parent`: nearest parent first. */
export function lowerFor(paths: StorePaths, parent: string): string {
  const dirs = layerDirs(paths, parent);
  const link = readFileSync(dirs.link, 'utf8').trim();
  const parentLower = readOptional(dirs.lower)?.trim();
  return parentLower ? `l/${link}:${parentLower}` : `l/${link}`;
}

/**
 * Create the directories of a writable layer on top of `parent` (or of an empty base).
 * The caller holds layers.lock for writing and has recorded the layer as incomplete.
 */
export function createLayerDirs(paths: StorePaths, id: string, parent: string | undefined): void {
  const dirs = layerDirs(paths, id);
  mkdirp(paths.linkDir, 0o755);
  mkdirSync(dirs.base, { mode: 0o700 });
  // diff takes the parent diff's mode (c/storage also copies its owner, which for
  // podman's images is the user itself: container root maps to the user's uid).
  const parentMode = parent === undefined ? 0o555 : statSync(layerDirs(paths, parent).diff).mode & 0o7777;
  mkdirSync(dirs.diff, { mode: 0o700 });
  chmodSync(dirs.diff, parentMode);
  mkdirSync(dirs.work, { mode: 0o700 });
  mkdirSync(dirs.merged, { mode: 0o700 });
  if (parent === undefined) mkdirSync(dirs.empty, { mode: 0o700 });
  else writeFileSync(dirs.lower, lowerFor(paths, parent), { mode: 0o644 });
  let link = newLinkId();
  while (existsSync(`${paths.linkDir}/${link}`)) link = newLinkId();
  writeFileSync(dirs.link, link, { mode: 0o644 });
  symlinkSync(`../${id}/diff`, `${paths.linkDir}/${link}`);
}

/**
 * Remove a layer's link and directories. `removeTree` removes a directory whose
 * contents may belong to subordinate ids (it must run inside the user namespace).
 */
export async function removeLayerDirs(
  paths: StorePaths,
  id: string,
  removeTree: (dir: string) => Promise<void>,
): Promise<void> {
  const dirs = layerDirs(paths, id);
  const link = readOptional(dirs.link)?.trim();
  if (link) rmSync(`${paths.linkDir}/${link}`, { force: true });
  if (existsSync(dirs.base)) await removeTree(dirs.base);
}
