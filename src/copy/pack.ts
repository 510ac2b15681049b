// A directory tree (or one file) as a tar stream, the way `cp` hands it from one side to
// the other: names rooted at the landing name, modes, ids, whole-second mtimes,
// symlinks as symlinks, hard links within the tree as links. Runs inside the copy
// worker; the source was resolved inside the container's root, and below it nothing
// is followed (every entry is lstat'ed).
import { closeSync, lstatSync, openSync, readSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import { padding, tarHeader, TAR_TRAILER, type TarEntry } from '../../storage/tar-writer.js';

const CHUNK = 1 << 20;

const kinds: readonly [(s: BigIntStats) => boolean, string][] = [
  [(s) => s.isFile(), '0'], [(s) => s.isDirectory(), '5'], [(s) => s.isSymbolicLink(), '2'],
  [(s) => s.isFIFO(), '6'], [(s) => s.isCharacterDevice(), '3'], [(s) => s.isBlockDevice(), '4'],
];

function typeOf(st: BigIntStats): string | undefined {
  return kinds.find(([test]) => test(st))?.[1];
}

function entryFor(path: string, name: string, st: BigIntStats, type: string): TarEntry {
  const rdev = Number(st.rdev);
  return {
    name: type === '5' ? `${name}/` : name,
    type, mode: Number(st.mode) & 0o7777, uid: Number(st.uid), gid: Number(st.gid),
    size: type === '0' ? Number(st.size) : 0,
    mtime: Number(st.mtimeMs / 1000n),
    ...(type === '2' ? { linkname: readlinkSync(path) } : {}),
    ...(type === '3' || type === '4' ? { devmajor: (rdev >> 8) & 0xfff, devminor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00) } : {}),
  };
}

function* fileData(path: string, size: number): Generator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) throw new Error(`${path}: file shrank while it was copied`);
      left -= n;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
  yield padding(size);
}

class Packer {
  /** dev:ino of files with several links → the first name written. */
  private readonly links = new Map<string, string>();

  *node(path: string, name: string): Generator<Buffer> {
    const st = lstatSync(path, { bigint: true });
    const type = typeOf(st);
    if (type === undefined) return; // sockets are not archived
    const key = `${st.dev}:${st.ino}`;
    const first = type === '0' && st.nlink > 1n ? this.links.get(key) : undefined;
    if (first !== undefined) {
      yield tarHeader({ ...entryFor(path, name, st, type), type: '1', size: 0, linkname: first });
      return;
    }
    if (type === '0' && st.nlink > 1n) this.links.set(key, name);
    const entry = entryFor(path, name, st, type);
    yield tarHeader(entry);
    if (type === '0') yield* fileData(path, entry.size);
    if (type !== '5') return;
    for (const child of readdirSync(path).sort()) yield* this.node(`${path}/${child}`, name === '.' ? child : `${name}/${child}`);
  }
}

/** The tar of `path` (already resolved), its top entry called `name` ('.' = the contents). */
export function* pack(path: string, name: string): Generator<Buffer> {
  yield* new Packer().node(path, name);
  yield TAR_TRAILER;
}
