// Resource limits (--memory, --cpus, --pids-limit). A rootless process can only limit
// resources inside a cgroup v2 subtree delegated to it (systemd's user@UID.service).
// Where there is none — cgroup v1 or hybrid, or v2 without a user session — the flags
// are refused with the reason, never silently ignored (podman only warns).
import { mkdirSync, readFileSync, rmdirSync, statfsSync, writeFileSync } from 'node:fs';
import { RrunError, errnoCode } from '../../oci/errors.js';

export interface ResourceLimits {
  /** Bytes (memory.max). */
  memory?: number | undefined;
  /** CPUs, fractional (cpu.max quota/period). */
  cpus?: number | undefined;
  /** Processes (pids.max); -1 or 0 = unlimited. */
  pidsLimit?: number | undefined;
}

const CGROUP2_MAGIC = 0x63677270;
const units: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** podman's --memory syntax: a number with an optional b, k, m, g, t suffix. */
export function parseMemory(value: string): number {
  const m = /^(\d+(?:\.\d+)?)([bkmgt]?)b?$/i.exec(value.trim());
  const bytes = m ? Math.floor(Number(m[1]) * (units[(m[2] ?? '').toLowerCase()] ?? 1)) : NaN;
  if (!Number.isFinite(bytes) || bytes < 6 * 1024 * 1024) {
    throw new RrunError({
      code: 'ERR_INVALID_LIMIT',
      message: `invalid --memory "${value}"${Number.isFinite(bytes) ? ': the minimum is 6m' : ''}`,
      subject: value,
      hint: 'use a size such as 512m or 2g',
    });
  }
  return bytes;
}

export function hasLimits(l: ResourceLimits): boolean {
  return l.memory !== undefined || l.cpus !== undefined || (l.pidsLimit !== undefined && l.pidsLimit > 0);
}

/** The files to write in the container's cgroup (pure). */
export function limitFiles(l: ResourceLimits): [string, string][] {
  const out: [string, string][] = [];
  if (l.memory !== undefined) out.push(['memory.max', String(l.memory)]);
  if (l.cpus !== undefined) out.push(['cpu.max', `${Math.round(l.cpus * 100_000)} 100000`]);
  if (l.pidsLimit !== undefined && l.pidsLimit > 0) out.push(['pids.max', String(l.pidsLimit)]);
  return out;
}

const controllerOf: Record<string, string> = { 'memory.max': 'memory', 'cpu.max': 'cpu', 'pids.max': 'pids' };

/** The delegated subtree for this user, or a refusal that says why and how to fix it. */
export function delegatedCgroup(uid: number, limits: ResourceLimits, root = '/sys/fs/cgroup'): string {
  let v2 = false;
  try {
    v2 = statfsSync(root).type === CGROUP2_MAGIC;
  } catch {
    v2 = false;
  }
  if (!v2) {
    throw new RrunError({
      code: 'ERR_CGROUP_LIMITS',
      message: `--memory, --cpus and --pids-limit need cgroup v2: ${root} is cgroup v1 or a v1/v2 hybrid, which cannot be delegated to unprivileged users`,
      hint: 'boot with systemd.unified_cgroup_hierarchy=1 and log in through a systemd session, or run without resource limits (`rrun doctor` shows the cgroup setup)',
    });
  }
  const base = `${root}/user.slice/user-${uid}.slice/user@${uid}.service`;
  let available: string[] = [];
  try {
    available = readFileSync(`${base}/cgroup.subtree_control`, 'utf8').trim().split(/\s+/);
  } catch {
    available = [];
  }
  const missing = limitFiles(limits).map(([f]) => controllerOf[f] as string).filter((c) => !available.includes(c));
  if (missing.length > 0) {
    throw new RrunError({
      code: 'ERR_CGROUP_LIMITS',
      message: `no delegated cgroup with the ${[...new Set(missing)].join(', ')} controller(s) for uid ${uid} under ${base}`,
      hint: `sudo loginctl enable-linger $(id -un), log in again, and make sure systemd delegates ${missing.join(',')} to user@.service`,
    });
  }
  return base;
}

/** Create the container's cgroup, set the limits and move `pid` into it. */
export function applyLimits(base: string, id: string, pid: number, limits: ResourceLimits): () => void {
  const dir = `${base}/rrun-${id.slice(0, 12)}.scope`;
  try {
    mkdirSync(dir);
    for (const [file, value] of limitFiles(limits)) writeFileSync(`${dir}/${file}`, value);
    writeFileSync(`${dir}/cgroup.procs`, String(pid));
  } catch (err) {
    throw new RrunError({ code: 'ERR_CGROUP_LIMITS', message: `cannot set resource limits in ${dir}: ${errnoCode(err) ?? String(err)}`, subject: dir, cause: err });
  }
  return () => {
    try {
      rmdirSync(dir);
    } catch {
      // still busy or already gone: the kernel removes nothing, systemd may
    }
  };
}
