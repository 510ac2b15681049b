// A layer tar from an overlay upper directory, as c/storage's overlay driver computes a
// container's diff (storage-format §3.5, §9): the upper directory in lexical walk
// order, the root itself left out, a 0:0 character device (an overlay whiteout) as an
// empty `.wh.<name>` file, a directory carrying the opaque xattr followed by a
// `.wh..wh..opq` member, overlay's private xattrs dropped, hard links as link members.
// It runs as root in the user namespace (build-worker-main.ts), so st_uid already is
// the id inside the container.
import { lstatSync, readdirSync, readlinkSync, openSync, readSync, closeSync, type Stats } from 'node:fs';
import { lgetxattr, llistxattr } from '../helpers/syscalls.js';
import { padding, tarHeader, TAR_TRAILER, type TarEntry } from './tar-writer.js';

export interface DiffOptions {
  /** Relative paths (no leading slash) left out, with everything below them. */
  exclude?: ReadonlySet<string>;
  /** The opaque-directory xattr the upper dir uses. */
  opaqueXattrs?: readonly string[];
}

const S_IFMT = 0o170000;
const TYPES: Record<number, string> = { 0o100000: '0', 0o120000: '2', 0o020000: '3', 0o060000: '4', 0o040000: '5', 0o010000: '6' };
const PRIVATE_XATTR = /^(user|trusted)\.overlay\.|^security\.selinux$/;

function xattrsOf(path: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of llistxattr(path)) {
    if (PRIVATE_XATTR.test(name)) continue;
    const v = lgetxattr(path, name);
    if (v !== undefined) out.set(name, Buffer.from(v));
  }
  return out;
}

function isOpaque(path: string, names: readonly string[]): boolean {
  return names.some((n) => lgetxattr(path, n)?.toString() === 'y');
}

function* fileData(path: string, size: number): Generator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.alloc(Math.min(left, 1 << 20));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) throw new Error(`${path} shrank while it was read`);
      left -= n;
      yield n === buf.length ? buf : buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
  yield padding(size);
}

function entryOf(name: string, st: Stats, path: string): TarEntry {
  const type = TYPES[st.mode & S_IFMT] ?? '';
  return {
    name: type === '5' ? `${name}/` : name,
    type,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: type === '0' ? st.size : 0,
    mtime: Math.floor(st.mtimeMs / 1000),
    linkname: type === '2' ? readlinkSync(path) : undefined,
    devmajor: type === '3' || type === '4' ? Math.floor(st.rdev / 256) & 0xfff : undefined,
    devminor: type === '3' || type === '4' ? (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00) : undefined,
    xattrs: xattrsOf(path),
  };
}

/** The tar of `root` (an overlay upper directory), in chunks. */
export function* diffTar(root: string, opts: DiffOptions = {}): Generator<Buffer> {
  const links = new Map<string, string>();
  const opaque = opts.opaqueXattrs ?? ['user.overlay.opaque', 'trusted.overlay.opaque'];
  function* walk(dir: string, rel: string): Generator<Buffer> {
    const names = readdirSync(dir).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
    for (const n of names) {
      const name = rel === '' ? n : `${rel}/${n}`;
      if (opts.exclude?.has(name)) continue;
      const path = `${dir}/${n}`;
      const st = lstatSync(path);
      const fmt = st.mode & S_IFMT;
      if (fmt === 0o020000 && st.rdev === 0) {
        const parent = rel === '' ? '' : `${rel}/`;
        yield tarHeader({ name: `${parent}.wh.${n}`, type: '0', mode: 0o600, uid: st.uid, gid: st.gid, size: 0, mtime: Math.floor(st.mtimeMs / 1000) });
        continue;
      }
      if (TYPES[fmt] === undefined) continue; // sockets are not archived (Go's archive skips them)
      const e = entryOf(name, st, path);
      const key = `${st.dev}:${st.ino}`;
      const first = fmt === 0o100000 && st.nlink > 1 ? links.get(key) : undefined;
      if (first !== undefined) {
        yield tarHeader({ ...e, type: '1', size: 0, linkname: first });
        continue;
      }
      if (fmt === 0o100000 && st.nlink > 1) links.set(key, name);
      yield tarHeader(e);
      if (e.type === '0') yield* fileData(path, e.size);
      if (e.type === '5') {
        if (isOpaque(path, opaque)) {
          yield tarHeader({ name: `${name}/.wh..wh..opq`, type: '0', mode: 0, uid: st.uid, gid: st.gid, size: 0, mtime: e.mtime });
        }
        yield* walk(path, name);
      }
    }
  }
  yield* walk(root, '');
  yield TAR_TRAILER;
}
