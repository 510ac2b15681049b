// The one module that loads native code through koffi: syscalls Node lacks but that are
// safe from a multithreaded process. Each binding gets a hand-written signature, since
// koffi's own types are `any`. Loaded lazily so commands that need none pay nothing.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

type Koffi = typeof import('koffi');

interface Libc {
  koffi: Koffi;
  /** fcntl(fd, cmd, struct flock *) — fixed signature so it can also run async. */
  fcntlLock: {
    (fd: number, cmd: number, lock: FlockStruct): number;
    async: (fd: number, cmd: number, lock: FlockStruct, cb: (err: unknown, res: number) => void) => void;
  };
}

interface FlockStruct {
  l_type: number;
  l_whence: number;
  l_start: number;
  l_len: number;
  l_pid: number;
}

let libc: Libc | undefined;

/**
 * koffi itself, loaded straight from its prebuilt native module when one matches this
 * machine: koffi's JS entry first probes the platform by reading Node's own ELF binary,
 * which costs ~7 ms on every start of `rrun run`. The native module exports the same API
 * (the JS entry only adds deprecation shims). Anything unexpected falls back to the entry.
 */
function loadKoffi(): Koffi {
  const require = createRequire(import.meta.url);
  if (process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64')) {
    const sub = `@koromix/koffi-linux-${process.arch}/linux_${process.arch}/koffi.node`;
    try {
      // Where npm puts it next to rrun's own package.json, opened directly: resolving the
      // package through require() costs another ~0.6 ms of package.json lookups.
      const direct = join(packageRoot(), 'node_modules', sub);
      let native: Koffi;
      if (existsSync(direct)) {
        const m = { exports: {} as Koffi };
        process.dlopen(m, direct);
        native = m.exports;
      } else native = require(sub) as Koffi;
      if (typeof native.load === 'function' && typeof native.errno === 'function') return native;
    } catch {
      // musl, another layout, or a version without the package: use the entry point
    }
  }
  return require('koffi') as Koffi;
}

function load(): Libc {
  if (libc !== undefined) return libc;
  const koffi = loadKoffi();
  const lib = koffi.load('libc.so.6');
  // struct flock on x86_64/aarch64 glibc: short, short, off_t, off_t, pid_t (32 bytes).
  koffi.struct('rrun_flock', {
    l_type: 'short',
    l_whence: 'short',
    l_start: 'int64',
    l_len: 'int64',
    l_pid: 'int',
  });
  const fcntlLock = lib.func('int fcntl(int fd, int cmd, _Inout_ rrun_flock *lk)') as Libc['fcntlLock'];
  libc = { koffi, fcntlLock };
  return libc;
}

/** An errno value as a Node-style error with `code` and `errno`. */
export class SyscallError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;
  constructor(syscall: string, errno: number) {
    const code = errnoName(errno);
    super(`${syscall}: ${code} (errno ${errno})`);
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
  }
}

const errnoNames: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 4: 'EINTR', 9: 'EBADF', 11: 'EAGAIN', 13: 'EACCES', 22: 'EINVAL',
  17: 'EEXIST', 20: 'ENOTDIR', 21: 'EISDIR', 28: 'ENOSPC', 35: 'EDEADLK', 37: 'ENOLCK', 61: 'ENODATA', 95: 'EOPNOTSUPP',
};

function errnoName(errno: number): string {
  return errnoNames[errno] ?? `E${errno}`;
}

// fcntl commands (asm-generic/fcntl.h). OFD locks belong to the open file description,
// so they survive other close() calls on the same file in this process, and they
// conflict with the classic POSIX record locks podman (c/storage) takes.
const F_OFD_SETLK = 37;
const F_OFD_SETLKW = 38;
export const LockType = { Read: 0, Write: 1, Unlock: 2 } as const;
export type LockType = (typeof LockType)[keyof typeof LockType];

function wholeFile(type: LockType): FlockStruct {
  return { l_type: type, l_whence: 0, l_start: 0, l_len: 0, l_pid: 0 };
}

/** Try to take (or release) an OFD lock without blocking; false when another holder conflicts. */
export function tryOfdLock(fd: number, type: LockType): boolean {
  const { koffi, fcntlLock } = load();
  if (fcntlLock(fd, F_OFD_SETLK, wholeFile(type)) === 0) return true;
  const errno = koffi.errno();
  if (errno === 11 || errno === 13) return false; // EAGAIN / EACCES: held by someone else
  throw new SyscallError('fcntl(F_OFD_SETLK)', errno);
}

/**
 * Take an OFD lock, waiting as long as it takes. The blocking call runs on koffi's
 * worker thread so the event loop keeps running (timers, signals) meanwhile.
 */
export async function ofdLock(fd: number, type: LockType): Promise<void> {
  if (tryOfdLock(fd, type)) return;
  const { koffi, fcntlLock } = load();
  for (;;) {
    const errno = await new Promise<number>((resolve, reject) => {
      fcntlLock.async(fd, F_OFD_SETLKW, wholeFile(type), (err, res) => {
        if (err !== null && err !== undefined) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve(res === 0 ? 0 : koffi.errno());
      });
    });
    if (errno === 0) return;
    // c/storage retries forever on error; EINTR and EDEADLK are transient here too.
    if (errno !== 4 && errno !== 35) throw new SyscallError('fcntl(F_OFD_SETLKW)', errno);
  }
}

// File-creation calls Node lacks, for layer extraction (storage/layer-apply.ts): the 0:0
// character device that is an overlay whiteout, FIFOs, and xattrs on a path without
// following a final symlink. Bound on first use, separately from the lock calls.
interface FileCalls {
  mknod: (path: string, mode: number, dev: bigint) => number;
  lsetxattr: (path: string, name: string, value: Buffer, size: number, flags: number) => number;
  lgetxattr: (path: string, name: string, value: Buffer | null, size: number) => number;
  llistxattr: (path: string, list: Buffer | null, size: number) => number;
}

let fileCalls: FileCalls | undefined;

function loadFileCalls(): FileCalls {
  if (fileCalls !== undefined) return fileCalls;
  const { koffi } = load();
  const lib = koffi.load('libc.so.6');
  fileCalls = {
    mknod: lib.func('int mknod(const char *path, uint32_t mode, uint64_t dev)') as FileCalls['mknod'],
    lsetxattr: lib.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)') as FileCalls['lsetxattr'],
    lgetxattr: lib.func('long lgetxattr(const char *path, const char *name, _Out_ void *value, size_t size)') as FileCalls['lgetxattr'],
    llistxattr: lib.func('long llistxattr(const char *path, _Out_ void *list, size_t size)') as FileCalls['llistxattr'],
  };
  return fileCalls;
}

/** mknod(2); `dev` is makedev(major, minor). Throws SyscallError. */
export function mknod(path: string, mode: number, dev = 0n): void {
  if (loadFileCalls().mknod(path, mode, dev) !== 0) throw new SyscallError(`mknod ${path}`, load().koffi.errno());
}

/** lsetxattr(2): set an extended attribute without following a final symlink. */
export function lsetxattr(path: string, name: string, value: Buffer): void {
  if (loadFileCalls().lsetxattr(path, name, value, value.length, 0) !== 0) {
    throw new SyscallError(`lsetxattr ${path} ${name}`, load().koffi.errno());
  }
}

/** lgetxattr(2); undefined when the attribute is absent (ENODATA). */
export function lgetxattr(path: string, name: string): Buffer | undefined {
  const calls = loadFileCalls();
  const buf = Buffer.alloc(65536);
  const n = calls.lgetxattr(path, name, buf, buf.length);
  if (n >= 0) return buf.subarray(0, n);
  const errno = load().koffi.errno();
  if (errno === 61) return undefined; // ENODATA
  throw new SyscallError(`lgetxattr ${path} ${name}`, errno);
}

/** llistxattr(2): the attribute names of a path (a final symlink not followed). */
export function llistxattr(path: string): string[] {
  const buf = Buffer.alloc(65536);
  const n = loadFileCalls().llistxattr(path, buf, buf.length);
  if (n < 0) {
    const errno = load().koffi.errno();
    if (errno === 95) return []; // EOPNOTSUPP: the file system has no xattrs
    throw new SyscallError(`llistxattr ${path}`, errno);
  }
  return buf.subarray(0, n).toString('utf8').split('\0').filter((s) => s !== '');
}

// zstd layer decompression through the system libzstd (deps.md §5: Node 20 has no zstd
// in zlib; libzstd1 is present wherever dpkg is). One DStream per layer.
interface ZstdCalls {
  create: () => unknown;
  free: (ds: unknown) => number;
  decompress: (ds: unknown, out: { dst: Buffer; size: number; pos: number }, inp: { src: Buffer; size: number; pos: number }) => number;
  isError: (code: number) => number;
  errorName: (code: number) => string;
}

let zstdCalls: ZstdCalls | null | undefined;

function loadZstd(): ZstdCalls | null {
  if (zstdCalls !== undefined) return zstdCalls;
  const { koffi } = load();
  try {
    const lib = koffi.load('libzstd.so.1');
    koffi.struct('rrun_zstd_in', { src: 'const void *', size: 'size_t', pos: 'size_t' });
    koffi.struct('rrun_zstd_out', { dst: 'void *', size: 'size_t', pos: 'size_t' });
    zstdCalls = {
      create: lib.func('void *ZSTD_createDStream(void)') as ZstdCalls['create'],
      free: lib.func('size_t ZSTD_freeDStream(void *ds)') as ZstdCalls['free'],
      decompress: lib.func('size_t ZSTD_decompressStream(void *ds, _Inout_ rrun_zstd_out *out, _Inout_ rrun_zstd_in *in)') as ZstdCalls['decompress'],
      isError: lib.func('unsigned int ZSTD_isError(size_t code)') as ZstdCalls['isError'],
      errorName: lib.func('const char *ZSTD_getErrorName(size_t code)') as ZstdCalls['errorName'],
    };
  } catch {
    zstdCalls = null;
  }
  return zstdCalls;
}

export interface ZstdStream {
  /** Decompress a chunk; returns the output produced (copies, safe to keep). */
  push(chunk: Buffer): Buffer[];
  /** True when the last frame ended exactly at the end of the input. */
  finished(): boolean;
  close(): void;
}

/** A streaming zstd decoder, or undefined when libzstd.so.1 is not installed. */
export function zstdStream(): ZstdStream | undefined {
  const z = loadZstd();
  if (z === null) return undefined;
  const ds = z.create();
  const out = Buffer.alloc(1 << 17);
  let last = 0;
  return {
    push(chunk) {
      const produced: Buffer[] = [];
      let pos = 0;
      for (;;) {
        const inp = { src: chunk, size: chunk.length, pos };
        const o = { dst: out, size: out.length, pos: 0 };
        last = z.decompress(ds, o, inp);
        if (z.isError(last) !== 0) throw new Error(`zstd: ${z.errorName(last)}`);
        pos = Number(inp.pos);
        if (o.pos > 0) produced.push(Buffer.from(out.subarray(0, Number(o.pos))));
        // Done with this chunk once it is consumed and the output buffer was not filled.
        if (pos >= chunk.length && Number(o.pos) < out.length) return produced;
      }
    },
    finished: () => last === 0,
    close: () => void z.free(ds),
  };
}
