// A container's runtime state: one directory per container under
// $XDG_RUNTIME_DIR/rrun (else /tmp/rrun-<uid>, which must be ours and 0700).
//
//   lock          rrun commands serialise on it (OFD write lock) per container
//   monitor.lock  the helper's stage 0 holds a POSIX write lock on it while it lives
//   exit          the exit code, written by stage 0 when the container's init is reaped
//   state.json    written by rrun: status, pids, start time, what `container cleanup` did
//
// Whether a container runs is never taken from state.json alone: "running" also needs
// a live monitor (its lock held) and no exit file. So a monitor killed with -9, or a
// /tmp state that survived a reboot, reads as exited — never as running.
import { closeSync, lstatSync, mkdirSync, openSync, readFileSync, rmSync, statSync, constants } from 'node:fs';
import { RrunError, errnoCode } from '../../oci/errors.js';
import { atomicWriteFile } from '../../storage/atomic.js';
import { withLocks } from '../../storage/lockfile.js';
import { LockType, tryOfdLock } from '../../helpers/syscalls.js';
import type { PortMapping } from './request.js';

export type Status = 'created' | 'running' | 'exited';

export interface ContainerState {
  status: Status;
  /** Host pid of the container's init (stage 1), while running. */
  pid?: number;
  /** RFC 3339 times (nanoseconds). */
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  /** Why the exit status is unknown (monitor gone). */
  error?: string;
  detached?: boolean;
  /** The network helper of a detached container, stopped by `container cleanup`. */
  network?: { pid: number; comm: string[] } | undefined;
  /** The ports published while it runs, host port 0 and `-P` resolved to the ports chosen. */
  ports?: PortMapping[];
}

export interface StateFiles {
  dir: string;
  lock: string;
  monitorLock: string;
  exit: string;
  state: string;
}

/** `$XDG_RUNTIME_DIR/rrun`, else a private directory per uid in /tmp. */
export function stateRoot(env: Readonly<Record<string, string | undefined>>, uid = process.getuid?.() ?? 0): string {
  const xdg = env['XDG_RUNTIME_DIR'];
  return xdg ? `${xdg}/rrun` : `/tmp/rrun-${uid}`;
}

function ensurePrivate(root: string): void {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const st = lstatSync(root);
  const uid = process.getuid?.() ?? 0;
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new RrunError({
      code: 'ERR_STATE_DIR',
      message: `runtime state directory ${root} is not a private directory of uid ${uid}`,
      subject: root,
      hint: 'set XDG_RUNTIME_DIR, or remove the directory so rrun can create it with mode 0700',
    });
  }
}

export function stateFiles(root: string, id: string): StateFiles {
  const dir = `${root}/${id}`;
  return { dir, lock: `${dir}/lock`, monitorLock: `${dir}/monitor.lock`, exit: `${dir}/exit`, state: `${dir}/state.json` };
}

/** Run `fn` holding the container's lock (creating its state directory). */
export async function withContainerLock<T>(files: StateFiles, fn: () => Promise<T> | T): Promise<T> {
  ensurePrivate(files.dir.slice(0, files.dir.lastIndexOf('/')));
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  return withLocks([{ path: files.lock, mode: 'write' }], () => fn());
}

export function readState(files: StateFiles): ContainerState | undefined {
  try {
    return JSON.parse(readFileSync(files.state, 'utf8')) as ContainerState;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

export function writeState(files: StateFiles, state: ContainerState): void {
  atomicWriteFile(files.state, `${JSON.stringify(state)}\n`);
}

/** The `ports` field of a running state: absent when nothing is published. */
export function publishedPorts(ports: readonly PortMapping[]): Pick<ContainerState, 'ports'> {
  return ports.length > 0 ? { ports: [...ports] } : {};
}

export function removeState(files: StateFiles): void {
  rmSync(files.dir, { recursive: true, force: true });
}

/** Go's RFC3339Nano (UTC) for a time in nanoseconds since the epoch. */
export function rfc3339Nano(ns: bigint): string {
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const base = new Date(Number(ns / 1_000_000n)).toISOString().replace(/\.\d{3}Z$/, '');
  return `${base}${frac ? `.${frac}` : ''}Z`;
}

export function nowNano(): string {
  return rfc3339Nano(BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n));
}

/** The code in the exit file and when it was written, if stage 0 wrote one. */
export function readExit(files: StateFiles): { code: number; at: string } | undefined {
  try {
    const text = readFileSync(files.exit, 'utf8');
    const at = rfc3339Nano(statSync(files.exit, { bigint: true }).mtimeNs);
    const code = Number.parseInt(text, 10);
    return Number.isNaN(code) ? undefined : { code, at };
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** True while some process (the monitor) holds monitor.lock. */
export function monitorAlive(files: StateFiles): boolean {
  let fd: number;
  try {
    fd = openSync(files.monitorLock, constants.O_RDONLY);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
  try {
    return !tryOfdLock(fd, LockType.Read);
  } finally {
    closeSync(fd); // also drops the read lock if we got it
  }
}

export interface Observed {
  exit: { code: number; at: string } | undefined;
  alive: boolean;
}

/**
 * The state as it really is (pure: the observations come in). A "running" record is
 * believed only while the monitor lives and has written no exit file.
 */
export function effectiveState(recorded: ContainerState | undefined, seen: Observed): ContainerState {
  const s = recorded ?? { status: 'created' };
  if (s.status !== 'running') return s;
  if (seen.exit) return { ...s, status: 'exited', exitCode: seen.exit.code, finishedAt: seen.exit.at };
  if (seen.alive) return s;
  return {
    ...s,
    status: 'exited',
    exitCode: -1,
    error: 'the container monitor is gone (killed, or the machine rebooted): exit status unknown',
  };
}

export function observe(files: StateFiles): ContainerState {
  const recorded = readState(files);
  if (recorded?.status !== 'running') return effectiveState(recorded, { exit: undefined, alive: false });
  // The exit file is read after the lock test: a monitor that wrote it and then exited
  // must not look like one that died without writing it.
  const alive = monitorAlive(files);
  return effectiveState(recorded, { exit: readExit(files), alive });
}
