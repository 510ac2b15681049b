// Extracting a layer tar into an overlay `diff` directory the way c/storage's native
// overlay driver does (storage-format §9.2), as a TarSink. It runs as root inside the
// user namespace with podman's mapping (layer-apply-main.ts), so header uids/gids are
// written as they are and land on disk shifted exactly as podman's would.
//
// Extraction is a security boundary. Every path is resolved below `root` as if root
// were `/` (chroot-style, like openat2 RESOLVE_IN_ROOT): `..` cannot climb above it,
// a symlinked parent is followed *inside* root, the final component is never followed
// (existing entries are removed first, files are opened O_EXCL|O_NOFOLLOW), and a
// hardlink target is resolved the same way. Nobody else writes into the private
// staging directory meanwhile, so checking then acting is race-free here.
import {
  closeSync, constants, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lstatSync, lutimesSync,
  mkdirSync, openSync, readlinkSync, rmSync, symlinkSync, writeSync, chmodSync,
} from 'node:fs';
import { posix } from 'node:path';
import { RrunError, errnoCode } from '../oci/errors.js';
import { lsetxattr, mknod } from '../helpers/syscalls.js';
import type { TarHeader, TarSink } from './tar-reader.js';

export interface ApplyOptions {
  /** 'overlay': 0:0 char devices and an opaque xattr (native); 'aufs': keep `.wh.` files (fuse-overlayfs). */
  whiteouts: 'overlay' | 'aufs';
  /** `user.overlay.opaque` rootless, `trusted.overlay.opaque` as real root. */
  opaqueXattr: string;
}

const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';
const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;
const MAX_LINKS = 40;

function escape(name: string, why: string): RrunError {
  return new RrunError({
    code: 'ERR_LAYER_UNSAFE',
    message: `refusing layer member ${JSON.stringify(name)}: ${why}`,
    subject: name,
    hint: 'the image contains a malicious or broken layer; nothing was written outside the layer directory',
  });
}

/** Overlay's private xattrs and SELinux labels never come from a tar (§9.2). */
function xattrAllowed(name: string): boolean {
  return !name.startsWith('user.overlay.') && !name.startsWith('trusted.overlay.') && name !== 'security.selinux';
}

/** Components of a member name, cleaned; throws when it climbs above the root. */
export function memberParts(name: string): string[] {
  const n = posix.normalize(`./${name}`);
  if (n === '..' || n.startsWith('../')) throw escape(name, 'the path leaves the layer directory');
  return n.split('/').filter((p) => p !== '' && p !== '.');
}

export class LayerApplier implements TarSink {
  private fd: number | undefined;
  private filePath = '';
  private current: TarHeader | undefined;
  private readonly dirTimes: [string, number][] = [];
  /** Directories already resolved (host path by container path), cleared on any removal. */
  private dirs = new Map<string, string>();

  constructor(private readonly root: string, private readonly opts: ApplyOptions) {}

  raw(): void {}
  trailer(): void {}

  /**
   * The host path of container directory `parts`, following symlinks inside root and
   * creating missing directories (0755, container root) as c/storage does.
   */
  private resolveDir(parts: readonly string[], create: boolean, depth = 0): string {
    // Most members sit in a directory resolved for an earlier one.
    if (parts.length > 0) {
      const known = this.dirs.get(parts.join('/'));
      if (known !== undefined) return known;
    }
    let host = this.root;
    const done: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      done.push(part);
      const key = done.join('/');
      const cached = this.dirs.get(key);
      if (cached !== undefined) {
        host = cached;
        continue;
      }
      const next = `${host}/${part}`;
      let st = lstatSync(next, { throwIfNoEntry: false });
      if (st === undefined) {
        if (!create) lstatSync(next); // throws ENOENT, as before
        mkdirSync(next, { mode: 0o755 });
        st = lstatSync(next);
      }
      if (st.isSymbolicLink()) {
        if (depth >= MAX_LINKS) throw escape(parts.join('/'), 'too many levels of symbolic links');
        const target = readlinkSync(next);
        const base = target.startsWith('/') ? [] : done.slice(0, -1);
        const resolved = memberPartsInRoot([...base, target].join('/'));
        host = this.resolveDir(resolved, create, depth + 1);
      } else if (st.isDirectory()) host = next;
      else throw escape(parts.join('/'), `${key} is not a directory`);
      this.dirs.set(key, host);
    }
    return host;
  }

  /** Host path of a member: parent resolved in root, last component as is. */
  private place(parts: readonly string[]): string {
    const parent = this.resolveDir(parts.slice(0, -1), true);
    return `${parent}/${parts[parts.length - 1] as string}`;
  }

  /** Remove whatever is at `path` unless both it and the new member are directories. */
  private clear(path: string, keepDir: boolean): boolean {
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (st === undefined) return false;
    if (keepDir && st.isDirectory()) return true;
    rmSync(path, { recursive: true, force: true });
    this.dirs = new Map();
    return false;
  }

  entry(h: TarHeader): void {
    this.current = h;
    const parts = memberParts(h.name);
    // "./": the diff root keeps its own mode (c/storage skips it). Skipped members get no
    // file descriptor, so their data is dropped.
    if (parts.length === 0) return;
    const base = parts[parts.length - 1] as string;
    if (this.opts.whiteouts === 'overlay' && base.startsWith(WH)) {
      this.whiteout(parts, base, h);
      return;
    }
    const path = this.place(parts);
    const handler = handlers[h.type];
    if (handler === undefined) throw escape(h.name, `unsupported tar entry type ${JSON.stringify(h.type)}`);
    handler(this, path, h, parts);
  }

  private whiteout(parts: string[], base: string, h: TarHeader): void {
    if (base === OPAQUE) {
      lsetxattr(this.resolveDir(parts.slice(0, -1), true), this.opts.opaqueXattr, Buffer.from('y'));
      return;
    }
    if (base.startsWith(`${WH}${WH}`)) return; // other AUFS metadata (.wh..wh.plnk, …)
    const target = this.place([...parts.slice(0, -1), base.slice(WH.length)]);
    this.clear(target, false);
    mknod(target, S_IFCHR, 0n);
    lchownSync(target, h.uid, h.gid);
  }

  /** Ownership, then mode (chown clears setuid), then xattrs. */
  finishNode(path: string, h: TarHeader, isLink: boolean): void {
    lchownSync(path, h.uid, h.gid);
    if (!isLink) chmodSync(path, h.mode & 0o7777);
    if (!isLink) this.setXattrs(path, h);
  }

  private setXattrs(path: string, h: TarHeader): void {
    for (const [name, value] of h.xattrs) {
      if (!xattrAllowed(name)) continue;
      try {
        lsetxattr(path, name, value);
      } catch (err) {
        // In a user namespace trusted.* is EPERM and some filesystems lack user xattrs:
        // c/storage only warns about these.
        if (errnoCode(err) !== 'EPERM' && errnoCode(err) !== 'EOPNOTSUPP') throw err;
      }
    }
  }

  /**
   * A new regular file. O_EXCL|O_NOFOLLOW first: in a fresh layer nothing is in the way,
   * and only when something is (a member given twice) is it removed and the open retried.
   */
  openFile(path: string): void {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    this.filePath = path;
    try {
      this.fd = openSync(path, flags, 0o600);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
      this.clear(path, false);
      this.fd = openSync(path, flags, 0o600);
    }
  }

  rememberDir(path: string, mtime: number): void {
    this.dirTimes.push([path, mtime]);
  }

  clearFor(path: string, keepDir: boolean): boolean {
    return this.clear(path, keepDir);
  }

  hardlinkTarget(h: TarHeader): string {
    const parts = memberParts(h.linkname);
    if (parts.length === 0) throw escape(h.name, 'hardlink to the layer root');
    const parent = this.resolveDir(parts.slice(0, -1), false);
    return `${parent}/${parts[parts.length - 1] as string}`;
  }

  data(bytes: Buffer): void {
    if (this.fd === undefined) return;
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off);
  }

  /** A regular file is finished through its descriptor: no path walks, no symlink to mind. */
  entryEnd(): void {
    const h = this.current;
    if (this.fd !== undefined && h !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      try {
        fchownSync(fd, h.uid, h.gid);
        fchmodSync(fd, h.mode & 0o7777);
        if (h.xattrs.size > 0) this.setXattrs(this.filePath, h);
        futimesSync(fd, h.mtime, h.mtime);
      } finally {
        closeSync(fd);
      }
    }
    this.current = undefined;
  }

  /** Directory times last: creating entries inside changed them. */
  finish(): void {
    for (const [path, mtime] of this.dirTimes.reverse()) lutimesSync(path, mtime, mtime);
  }
}

function memberPartsInRoot(name: string): string[] {
  // A symlink target is resolved as inside a chroot: `..` at the root stays at the root.
  const out: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out;
}

type Handler = (a: LayerApplier, path: string, h: TarHeader, parts: string[]) => void;

const regular: Handler = (a, path) => a.openFile(path);

// Entry types as c/storage's createTarFile handles them inside a user namespace.
const handlers: Record<string, Handler> = {
  '0': regular,
  '7': regular,
  '5': (a, path, h) => {
    if (!a.clearFor(path, true)) mkdirSync(path, { mode: 0o700 });
    a.finishNode(path, h, false);
    a.rememberDir(path, h.mtime);
  },
  '2': (a, path, h) => {
    a.clearFor(path, false);
    symlinkSync(h.linkname, path);
    a.finishNode(path, h, true);
    lutimesSync(path, h.mtime, h.mtime);
  },
  '1': (a, path, h) => {
    const target = a.hardlinkTarget(h);
    if (target === path) return;
    a.clearFor(path, false);
    linkSync(target, path); // link(2) does not follow a symlink target
  },
  '6': (a, path, h) => {
    a.clearFor(path, false);
    mknod(path, S_IFIFO | (h.mode & 0o777));
    a.finishNode(path, h, false);
    lutimesSync(path, h.mtime, h.mtime);
  },
  // Device nodes cannot be created in a user namespace; c/storage skips them there.
  '3': () => {},
  '4': () => {},
};
