// COPY and ADD applied to a mounted root (the overlay of the build container), run as
// root inside the user namespace by build-worker-main.ts. Sources are resolved below
// their root (the build context, or another stage's root mounted read-only): patterns
// may glob in any component, a top-level symlink of the context must stay inside it,
// symlinks below are copied as symlinks. Destinations are resolved below the build
// root as if it were `/` (a symlinked /usr/local stays inside the image).
import {
  chmodSync, closeSync, copyFileSync, lchownSync, lstatSync, lutimesSync, mkdirSync, openSync,
  readdirSync, readlinkSync, readSync, realpathSync, rmSync, symlinkSync, type Stats,
} from 'node:fs';
import { posix } from 'node:path';
import { RrunError, errnoCode } from '../../oci/errors.js';
import { isIgnored, parseIgnore, patternToRegex, type IgnoreRule } from './ignore.js';

export interface CopySpec {
  /** Host path of the source root (context dir or a mounted stage root). */
  srcRoot: string;
  /** Sources come from the build context: ignore rules apply, symlinks must stay inside. */
  fromContext: boolean;
  ignore: string;
  sources: string[];
  dest: string;
  owner: { uid: number; gid: number };
  /** --chmod (octal), applied to files and directories copied. */
  chmod?: number | undefined;
  /** ADD: local tar archives are extracted into the destination. */
  extract: boolean;
  /** The instruction, for errors. */
  what: string;
}

export type ArchiveExtractor = (file: string, destDir: string) => void;

function copyError(spec: CopySpec, message: string, hint?: string): RrunError {
  return new RrunError({ code: 'ERR_BUILD_COPY', message: `${spec.what}: ${message}`, ...(hint !== undefined ? { hint } : {}) });
}

const GLOB = /[*?[]/;

/** Relative source paths matching `pattern` below `root` (each component may glob). */
export function expandSource(root: string, pattern: string, onEscape: () => never): string[] {
  const norm = posix.normalize(`/${pattern}`);
  if (posix.normalize(pattern).startsWith('../') || posix.normalize(pattern) === '..') onEscape();
  const parts = norm.split('/').filter((p) => p !== '');
  let found: string[] = [''];
  for (const part of parts) {
    const next: string[] = [];
    for (const base of found) {
      if (!GLOB.test(part)) {
        next.push(base === '' ? part : `${base}/${part}`);
        continue;
      }
      const re = patternToRegex(part);
      let names: string[] = [];
      try {
        names = readdirSync(base === '' ? root : `${root}/${base}`);
      } catch {
        names = [];
      }
      for (const n of names.sort()) if (re.test(n)) next.push(base === '' ? n : `${base}/${n}`);
    }
    found = next;
  }
  return found;
}

/** The host path of container path `parts` below `root`, symlinks followed inside it. */
export function resolveInRoot(root: string, path: string, create?: { uid: number; gid: number }, depth = 0): string {
  const parts = posix.normalize(`/${path}`).split('/').filter((p) => p !== '');
  let host = root;
  for (let i = 0; i < parts.length; i++) {
    const next = `${host}/${parts[i] as string}`;
    let st: Stats | undefined;
    try {
      st = lstatSync(next);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    if (st?.isSymbolicLink()) {
      if (depth > 40) throw new Error(`too many levels of symbolic links in ${path}`);
      const target = readlinkSync(next);
      const within = target.startsWith('/') ? target : posix.join('/', ...parts.slice(0, i), target);
      host = resolveInRoot(root, posix.join(within, ...parts.slice(i + 1)), create, depth + 1);
      return host;
    }
    if (st === undefined && create !== undefined && i < parts.length - 1) {
      mkdirSync(next, { mode: 0o755 });
      lchownSync(next, create.uid, create.gid);
    }
    host = next;
  }
  return host;
}

function readInto(path: string, buf: Buffer): number {
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
}

/** A tar (plain or gzip) by its first bytes, as ADD decides whether to extract. */
export function looksLikeArchive(path: string): boolean {
  const head = Buffer.alloc(512);
  const n = readInto(path, head);
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  return n >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
}

class Copier {
  private readonly rules: IgnoreRule[];
  constructor(private readonly spec: CopySpec, private readonly root: string, private readonly extract: ArchiveExtractor) {
    this.rules = spec.fromContext ? parseIgnore(spec.ignore) : [];
  }

  private meta(path: string, st: Stats): void {
    const { uid, gid } = this.spec.owner;
    lchownSync(path, uid, gid);
    if (!st.isSymbolicLink()) chmodSync(path, this.spec.chmod !== undefined ? this.spec.chmod : st.mode & 0o7777);
    // COPY keeps the source's modification time (the layer then records it).
    lutimesSync(path, st.atime, st.mtime);
  }

  /** Copy host `src` (relative name `rel` in the context) to host `dst`. */
  copyNode(src: string, rel: string, dst: string): void {
    if (this.spec.fromContext && rel !== '' && isIgnored(this.rules, rel)) return;
    const st = lstatSync(src);
    let existing: Stats | undefined;
    try {
      existing = lstatSync(dst);
    } catch {
      existing = undefined;
    }
    if (st.isDirectory()) {
      if (existing !== undefined && !existing.isDirectory()) rmSync(dst, { recursive: true, force: true });
      if (existing === undefined || !existing.isDirectory()) mkdirSync(dst, { mode: 0o755 });
      for (const n of readdirSync(src).sort()) this.copyNode(`${src}/${n}`, rel === '' ? n : `${rel}/${n}`, `${dst}/${n}`);
      this.meta(dst, st);
      return;
    }
    if (existing?.isDirectory()) rmSync(dst, { recursive: true, force: true });
    else if (existing !== undefined) rmSync(dst, { force: true });
    if (st.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else if (st.isFile()) copyFileSync(src, dst);
    else return; // devices, fifos and sockets of a context are not copied
    this.meta(dst, st);
  }

  /** The top-level host path of source `rel`; context symlinks must resolve inside it. */
  private source(rel: string): string {
    const host = rel === '' ? this.spec.srcRoot : `${this.spec.srcRoot}/${rel}`;
    if (!this.spec.fromContext) {
      const inStage = resolveInRoot(this.spec.srcRoot, rel);
      if (!exists(inStage)) throw copyError(this.spec, `no such file or directory: /${rel} in the source stage or image`);
      return inStage;
    }
    let real: string;
    try {
      real = realpathSync(host);
    } catch {
      throw copyError(this.spec, `no such file or directory: ${rel === '' ? '.' : rel} in the build context`, 'check the path, and that .containerignore does not exclude it');
    }
    const top = realpathSync(this.spec.srcRoot);
    if (real !== top && !real.startsWith(`${top}/`)) {
      throw copyError(this.spec, `${rel} is a symlink to ${real}, outside the build context`, 'copy the file into the context instead of linking to it');
    }
    return real;
  }

  run(): void {
    const escape = (): never => {
      throw copyError(this.spec, 'a source leaves the build context (..)', 'sources are relative to the context directory; move the file into it');
    };
    const sources = this.spec.sources.flatMap((p) => {
      const found = expandSource(this.spec.srcRoot, p, escape).filter((r) => !(this.spec.fromContext && r !== '' && isIgnored(this.rules, r)));
      if (found.length === 0 && !GLOB.test(p)) {
        throw copyError(this.spec, `no such file or directory: ${p} in the build context`, 'check the path, and that .containerignore does not exclude it');
      }
      return found;
    });
    if (sources.length === 0) throw copyError(this.spec, `no source files were specified or matched ${this.spec.sources.join(' ')}`);
    const destIsDir = this.spec.dest.endsWith('/') || sources.length > 1;
    const { uid, gid } = this.spec.owner;
    const destHost = resolveInRoot(this.root, this.spec.dest, { uid: 0, gid: 0 });
    for (const rel of sources) {
      const src = this.source(rel);
      const st = lstatSync(src);
      const intoDir = destIsDir || isDir(destHost);
      if (st.isDirectory()) {
        makeDir(destHost, uid, gid);
        for (const n of readdirSync(src).sort()) this.copyNode(`${src}/${n}`, rel === '' ? n : `${rel}/${n}`, `${destHost}/${n}`);
      } else if (this.spec.extract && looksLikeArchive(src)) {
        makeDir(destHost, uid, gid);
        this.extract(src, destHost);
      } else {
        if (intoDir) makeDir(destHost, uid, gid);
        this.copyNode(src, '', intoDir ? `${destHost}/${posix.basename(rel)}` : destHost);
      }
    }
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function makeDir(path: string, uid: number, gid: number): void {
  if (isDir(path)) return;
  rmSync(path, { force: true });
  mkdirSync(path, { mode: 0o755 });
  lchownSync(path, uid, gid);
}

export function applyCopy(spec: CopySpec, root: string, extract: ArchiveExtractor): void {
  new Copier(spec, root, extract).run();
}
