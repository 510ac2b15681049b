// c/storage's lock files (`storage.lock`, `overlay-layers/layers.lock`, …) taken the way
// podman takes them: whole-file fcntl record locks. We use OFD locks, which conflict with
// podman's classic POSIX locks but, unlike them, are not dropped when some other fd of
// the same file is closed in this process. The first 64 bytes of a lock file are the
// "LastWrite" token a writer refreshes before every change (storage-format §8.3).
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { randomBytes } from './random.js';
import { LockType, ofdLock } from '../helpers/syscalls.js';
import { RrunError, errnoCode } from '../oci/errors.js';

export type LockMode = 'read' | 'write';

export interface HeldLock {
  readonly path: string;
  readonly fd: number;
  readonly mode: LockMode;
}

async function acquire(path: string, mode: LockMode): Promise<HeldLock> {
  // Readers open read-only so a read-only store (or another user's) still works;
  // writers create the file with c/storage's mode when it does not exist yet.
  const flags = mode === 'read' ? constants.O_RDONLY : constants.O_RDWR | constants.O_CREAT;
  let fd: number;
  try {
    fd = openSync(path, flags, 0o644); // libuv opens with O_CLOEXEC
  } catch (err) {
    throw new RrunError({
      code: 'ERR_STORE_LOCK',
      message: `cannot open lock file ${path}: ${errnoCode(err) ?? String(err)}`,
      subject: path,
      hint: 'check that the store belongs to you and is readable (`rrun info` shows its paths)',
      cause: err,
    });
  }
  try {
    await ofdLock(fd, mode === 'read' ? LockType.Read : LockType.Write);
  } catch (err) {
    closeSync(fd);
    throw new RrunError({
      code: 'ERR_STORE_LOCK',
      message: `cannot lock ${path}: ${(err as Error).message}`,
      subject: path,
      cause: err,
    });
  }
  return { path, fd, mode };
}

/** Closing the descriptor releases the OFD lock. */
function release(lock: HeldLock): void {
  closeSync(lock.fd);
}

/**
 * Run `fn` while holding `locks`, taken in the order given (callers pass c/storage's
 * order: storage → layers → images → containers) and released in reverse.
 */
export async function withLocks<T>(
  locks: readonly { path: string; mode: LockMode }[],
  fn: (held: readonly HeldLock[]) => Promise<T> | T,
): Promise<T> {
  const held: HeldLock[] = [];
  try {
    for (const { path, mode } of locks) held.push(await acquire(path, mode));
    return await fn(held);
  } finally {
    for (const lock of held.reverse()) release(lock);
  }
}

const tokenSize = 64;
let tokenCounter = 0n;

/** The current LastWrite token (64 bytes; shorter when the file is new or empty). */
export function readToken(lock: HeldLock): Buffer {
  const buf = Buffer.alloc(tokenSize);
  const n = readSync(lock.fd, buf, 0, tokenSize, 0);
  return buf.subarray(0, n);
}

/**
 * Write a fresh LastWrite token through the locked fd: u64 LE nanoseconds, u64 LE
 * per-process counter, u32 LE pid, 44 random bytes. Done before the JSON is replaced so
 * a crash in between still makes every other process reload.
 */
export function recordWrite(lock: HeldLock): void {
  if (lock.mode !== 'write') throw new Error(`recordWrite on ${lock.path} needs the write lock`);
  const token = Buffer.alloc(tokenSize);
  const nowNs = BigInt(Date.now()) * 1_000_000n + process.hrtime.bigint() % 1_000_000n;
  tokenCounter += 1n;
  token.writeBigUInt64LE(nowNs, 0);
  token.writeBigUInt64LE(tokenCounter, 8);
  token.writeUInt32LE(process.pid, 16);
  randomBytes(44).copy(token, 20);
  writeSync(lock.fd, token, 0, tokenSize, 0);
}
