// The one module that loads native code through koffi: syscalls Node lacks but that are
// safe from a multithreaded process. Each binding gets a hand-written signature, since
// koffi's own types are `any`. Loaded lazily so commands that need none pay nothing.
import { createRequire } from 'node:module';

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

function load(): Libc {
  if (libc !== undefined) return libc;
  const koffi = createRequire(import.meta.url)('koffi') as Koffi;
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
  35: 'EDEADLK', 37: 'ENOLCK', 95: 'EOPNOTSUPP',
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
