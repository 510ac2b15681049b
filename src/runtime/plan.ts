// LaunchPlan: everything the helper will do, decided here, as data (pure; no I/O).
//
// The op list follows podman/crun's rootless order (runtime notes §1.3–1.10, §1.14):
// propagation → rootfs → /proc → /dev → /sys → read-only and masked paths → caller's
// mounts and generated /etc files → read-only root → hostname, rlimits → pivot_root.
// Every path before pivot_root is a host path under the new root.
import { posix } from 'node:path';
import { RrunError } from '../../oci/errors.js';
import { CLONE, MS, type CapSets, type LaunchPlan, type RlimitValue, type SetupOp } from '../../helpers/protocol.js';

export type RootfsSpec =
  /**
   * A host directory as root. `mountpoint` (an empty directory) is where it is bound;
   * without it the directory is bound onto itself, which cannot work for `/` (the
   * process root would still be the covered mount and pivot_root refuses).
   */
  | { kind: 'bind'; path: string; readonly: boolean; mountpoint?: string }
  | {
      kind: 'overlay';
      lowerdirs: string[];
      upperdir: string;
      workdir: string;
      /** Extra overlay options, e.g. `userxattr` (always added) or `volatile`. */
      options?: string[];
      mountpoint: string;
      /** chdir here first, for relative `l/…` lowerdirs when the data would exceed a page. */
      cwd?: string;
      readonly?: boolean;
    }
  | { kind: 'fuse-overlayfs'; argv: string[]; mountpoint: string; readonly?: boolean };

export interface BindMount {
  source: string;
  destination: string;
  readonly?: boolean;
  recursive?: boolean;
  /** What the mount point must be; the caller stat()s the source. Default 'dir'. */
  kind?: 'dir' | 'file';
}

export interface TmpfsMount {
  destination: string;
  /** tmpfs data, e.g. `mode=1777,size=65536k`. */
  data?: string;
  flags?: number;
}

export type MaskedPath = { path: string; kind: 'file' | 'dir' };

export interface RlimitSpec {
  type: keyof typeof RLIMITS;
  soft: RlimitValue;
  hard: RlimitValue;
}

export interface ProcessInput {
  argv: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids?: number[];
  /** Capability names per set (`CAP_CHOWN` or `CHOWN`); omitted sets are empty. */
  capabilities?: Partial<Record<keyof CapSets, string[]>>;
  noNewPrivs?: boolean;
  seccomp?: Uint8Array;
  umask?: number;
  rlimits?: RlimitSpec[];
}

export interface PlanInput {
  rootfs: RootfsSpec;
  /** 'private': own network namespace (slirp4netns, pasta, none); 'host': the host's. */
  network: 'private' | 'host';
  cgroupns?: boolean;
  propagation?: 'private' | 'slave';
  hostname?: string;
  /** From helpers/idmap.ts mappingFacts(): gid 5 for devpts, whether setgroups works. */
  idmap: { gidCount: number; setgroupsAllowed: boolean };
  binds?: BindMount[];
  tmpfs?: TmpfsMount[];
  /** Host paths of generated files, bind-mounted over /etc/… */
  etc?: { hosts?: string; hostname?: string; resolvConf?: string; containerenv?: string };
  /** Create /etc/mtab → /proc/mounts (podman does when the image has none). */
  mtabLink?: boolean;
  maskedPaths?: MaskedPath[];
  readonlyPaths?: string[];
  shmSize?: string;
  /** Written under /proc/sys of the container's own netns before /proc/sys turns read-only (podman's default_sysctls). */
  sysctls?: Record<string, string>;
  /** An interface the helper sets up before pivot_root when no network helper does (--network none: `lo`). */
  loopbackUp?: string;
  process: ProcessInput;
}

/** Kernel numbering of capabilities (linux/capability.h). */
export const CAPABILITIES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
] as const;

/** containers/common DefaultCapabilities (podman's set for root in the container). */
export const PODMAN_DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT',
];

/** podman 4.3's masked paths (containers/common + /sys/dev/block as measured). */
export const DEFAULT_MASKED_PATHS: MaskedPath[] = [
  { path: '/proc/acpi', kind: 'dir' },
  { path: '/proc/kcore', kind: 'file' },
  { path: '/proc/keys', kind: 'file' },
  { path: '/proc/latency_stats', kind: 'file' },
  { path: '/proc/timer_list', kind: 'file' },
  { path: '/proc/timer_stats', kind: 'file' },
  { path: '/proc/sched_debug', kind: 'file' },
  { path: '/proc/scsi', kind: 'dir' },
  { path: '/proc/interrupts', kind: 'file' },
  { path: '/sys/firmware', kind: 'dir' },
  { path: '/sys/fs/selinux', kind: 'dir' },
  { path: '/sys/dev/block', kind: 'dir' },
  { path: '/sys/devices/virtual/powercap', kind: 'dir' },
];

export const DEFAULT_READONLY_PATHS = ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export const RLIMITS = {
  RLIMIT_CPU: 0, RLIMIT_FSIZE: 1, RLIMIT_DATA: 2, RLIMIT_STACK: 3, RLIMIT_CORE: 4, RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6, RLIMIT_NOFILE: 7, RLIMIT_MEMLOCK: 8, RLIMIT_AS: 9, RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11, RLIMIT_MSGQUEUE: 12, RLIMIT_NICE: 13, RLIMIT_RTPRIO: 14, RLIMIT_RTTIME: 15,
} as const;

/** Device nodes bound from the host: mknod is never allowed in a user namespace. */
const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];
const DEV_LINKS: [string, string][] = [
  ['pts/ptmx', 'ptmx'], ['/proc/self/fd', 'fd'], ['/proc/self/fd/0', 'stdin'],
  ['/proc/self/fd/1', 'stdout'], ['/proc/self/fd/2', 'stderr'],
];
const KERNEL_FS = MS.NOSUID | MS.NODEV | MS.NOEXEC;

const mount = (source: string | null, target: string, fstype: string | null, flags: number, data: string | null = null,
  optional?: boolean): SetupOp => (optional ? { op: 'mount', source, target, fstype, flags, data, optional } : { op: 'mount', source, target, fstype, flags, data });
const bind = (source: string, target: string, recursive = false): SetupOp => mount(source, target, null, MS.BIND | (recursive ? MS.REC : 0));
const mkdir = (path: string, mode = 0o755): SetupOp => ({ op: 'mkdir', path, mode });
const readonly = (target: string, flags = 0, optional?: boolean): SetupOp =>
  optional ? { op: 'remount', target, flags: MS.RDONLY | flags, optional } : { op: 'remount', target, flags: MS.RDONLY | flags };

/** `dest` inside `root`; `..` cannot climb out because the path is normalised from `/` first. */
function under(root: string, dest: string): string {
  return posix.join(root, posix.normalize(`/${dest}`));
}

function rootfsOps(r: RootfsSpec): { root: string; ops: SetupOp[]; readonly: boolean } {
  switch (r.kind) {
    case 'bind':
      // pivot_root needs the new root to be a mount point.
      return { root: r.mountpoint ?? r.path, ops: [bind(r.path, r.mountpoint ?? r.path, true)], readonly: r.readonly };
    case 'overlay': {
      if (r.lowerdirs.length === 0) throw new RrunError({ code: 'ERR_PLAN', message: 'overlay rootfs without lower layers' });
      const opts = [`lowerdir=${r.lowerdirs.join(':')}`, `upperdir=${r.upperdir}`, `workdir=${r.workdir}`,
        ...new Set(['userxattr', ...(r.options ?? [])])];
      const ops: SetupOp[] = r.cwd ? [{ op: 'chdir', path: r.cwd }] : [];
      ops.push(mount('overlay', r.mountpoint, 'overlay', 0, opts.join(',')));
      return { root: r.mountpoint, ops, readonly: r.readonly ?? false };
    }
    case 'fuse-overlayfs':
      return { root: r.mountpoint, ops: [{ op: 'exec-wait', argv: r.argv }], readonly: r.readonly ?? false };
  }
}

function devOps(root: string, in_: PlanInput): SetupOp[] {
  const dev = under(root, '/dev');
  const ops: SetupOp[] = [mkdir(dev), mount('tmpfs', dev, 'tmpfs', MS.NOSUID | MS.NOEXEC | MS.STRICTATIME, 'mode=755,size=65536k')];
  for (const d of DEVICES) ops.push({ op: 'touch', path: `${dev}/${d}`, mode: 0o666 }, bind(`/dev/${d}`, `${dev}/${d}`));
  // gid=5 (tty) only when it exists inside: devpts rejects an unmapped gid with EINVAL.
  const pts = `newinstance,ptmxmode=0666,mode=0620${in_.idmap.gidCount > 5 ? ',gid=5' : ''}`;
  ops.push(mkdir(`${dev}/pts`), mount('devpts', `${dev}/pts`, 'devpts', MS.NOSUID | MS.NOEXEC, pts));
  ops.push(mkdir(`${dev}/shm`, 0o1777), mount('shm', `${dev}/shm`, 'tmpfs', KERNEL_FS, `mode=1777,size=${in_.shmSize ?? '65536k'}`));
  ops.push(mkdir(`${dev}/mqueue`), mount('mqueue', `${dev}/mqueue`, 'mqueue', KERNEL_FS));
  for (const [target, name] of DEV_LINKS) ops.push({ op: 'symlink', target, linkpath: `${dev}/${name}` });
  return ops;
}

/** A fresh sysfs needs our own netns (§1.8); with the host's, podman binds /sys and hides /sys/kernel. */
function sysOps(root: string, network: PlanInput['network']): SetupOp[] {
  const sys = under(root, '/sys');
  if (network === 'private') return [mkdir(sys), mount('sysfs', sys, 'sysfs', KERNEL_FS | MS.RDONLY)];
  return [mkdir(sys), bind('/sys', sys, true), readonly(sys, KERNEL_FS)];
}

/** Namespaced sysctls and `lo`: only in our own netns, after /proc is mounted and before it is read-only. */
function sysctlOps(root: string, input: PlanInput): SetupOp[] {
  if (input.network !== 'private') return [];
  const ops: SetupOp[] = Object.entries(input.sysctls ?? {}).map(([key, value]) => ({
    op: 'write-file' as const, path: under(root, `/proc/sys/${key.replace(/\./g, '/')}`), content: new TextEncoder().encode(`${value}\n`), mode: 0o644,
  }));
  if (input.loopbackUp !== undefined) ops.push({ op: 'link-up', name: input.loopbackUp });
  return ops;
}

function maskOps(root: string, masked: MaskedPath[], ro: string[]): SetupOp[] {
  const ops: SetupOp[] = [];
  for (const p of ro) ops.push(mount(under(root, p), under(root, p), null, MS.BIND | MS.REC, null, true), readonly(under(root, p), 0, true));
  for (const m of masked) {
    const target = under(root, m.path);
    ops.push(m.kind === 'file'
      ? mount('/dev/null', target, null, MS.BIND, null, true)
      : mount('tmpfs', target, 'tmpfs', MS.RDONLY | KERNEL_FS, 'size=0k,nr_inodes=1', true));
  }
  return ops;
}

function bindOps(root: string, binds: BindMount[]): SetupOp[] {
  const depth = (b: BindMount): number => posix.normalize(`/${b.destination}`).split('/').length;
  const ops: SetupOp[] = [];
  for (const b of [...binds].sort((a, c) => depth(a) - depth(c))) {
    const target = under(root, b.destination);
    if (b.kind === 'file') ops.push(mkdir(posix.dirname(target)), { op: 'touch', path: target, mode: 0o644 });
    else ops.push(mkdir(target));
    ops.push(bind(b.source, target, b.recursive ?? true));
    if (b.readonly) ops.push(readonly(target));
  }
  return ops;
}

function etcBinds(etc: PlanInput['etc'] = {}): BindMount[] {
  const files: [string | undefined, string][] = [
    [etc.hosts, '/etc/hosts'], [etc.hostname, '/etc/hostname'], [etc.resolvConf, '/etc/resolv.conf'],
    [etc.containerenv, '/run/.containerenv'],
  ];
  return files.flatMap(([source, destination]) => (source ? [{ source, destination, kind: 'file' as const, recursive: false }] : []));
}

export function capMask(names: string[] = []): bigint {
  let mask = 0n;
  for (const name of names) {
    const bare = name.toUpperCase().replace(/^CAP_/, '');
    const bit = (CAPABILITIES as readonly string[]).indexOf(bare);
    if (bit < 0) throw new RrunError({ code: 'ERR_UNKNOWN_CAPABILITY', message: `unknown capability ${name}`, subject: name });
    mask |= 1n << BigInt(bit);
  }
  return mask;
}

function processPlan(p: ProcessInput, setgroupsAllowed: boolean): LaunchPlan['process'] {
  if (p.argv.length === 0) throw new RrunError({ code: 'ERR_PLAN', message: 'no command given for the container process' });
  const c = p.capabilities;
  return {
    argv: p.argv,
    env: p.env,
    cwd: p.cwd,
    uid: p.uid,
    gid: p.gid,
    additionalGids: setgroupsAllowed ? (p.additionalGids ?? []) : [],
    setgroups: setgroupsAllowed,
    caps: c && {
      bounding: capMask(c.bounding), effective: capMask(c.effective), permitted: capMask(c.permitted),
      inheritable: capMask(c.inheritable), ambient: capMask(c.ambient),
    },
    noNewPrivs: p.noNewPrivs ?? false,
    seccomp: p.seccomp,
    umask: p.umask,
  };
}

export function buildLaunchPlan(input: PlanInput): LaunchPlan {
  const r = rootfsOps(input.rootfs);
  const root = r.root;
  const propagation = input.propagation === 'slave' ? MS.SLAVE : MS.PRIVATE;
  const ops: SetupOp[] = [
    // pivot_root refuses shared mounts, and host mount events should not leak in.
    mount(null, '/', null, MS.REC | propagation),
    ...r.ops,
    // From here on every path under the root is resolved inside it by the helper.
    { op: 'root', path: root },
    mkdir(under(root, '/proc')),
    mount('proc', under(root, '/proc'), 'proc', KERNEL_FS),
    ...sysctlOps(root, input),
    ...devOps(root, input),
    ...sysOps(root, input.network),
    ...maskOps(root, [
      ...(input.maskedPaths ?? DEFAULT_MASKED_PATHS),
      ...(input.network === 'host' ? [{ path: '/sys/kernel', kind: 'dir' as const }] : []),
    ], input.readonlyPaths ?? DEFAULT_READONLY_PATHS),
    ...bindOps(root, [...(input.binds ?? []), ...etcBinds(input.etc)]),
    ...(input.mtabLink ? [mkdir(under(root, '/etc')), { op: 'symlink' as const, target: '/proc/mounts', linkpath: under(root, '/etc/mtab') }] : []),
  ];
  for (const t of input.tmpfs ?? [])
    ops.push(mkdir(under(root, t.destination)), mount('tmpfs', under(root, t.destination), 'tmpfs', t.flags ?? MS.NOSUID | MS.NODEV, t.data ?? null));
  if (r.readonly) ops.push(readonly(root));
  if (input.hostname !== undefined) ops.push({ op: 'sethostname', name: input.hostname });
  for (const l of input.process.rlimits ?? []) ops.push({ op: 'setrlimit', resource: RLIMITS[l.type], soft: l.soft, hard: l.hard });
  ops.push({ op: 'pivot-root', newRoot: root });
  return { namespaces: planNamespaces(input.network, input.cgroupns), ops, process: processPlan(input.process, input.idmap.setgroupsAllowed) };
}

/** The namespaces a container gets: known from the network mode alone, before its plan. */
export function planNamespaces(network: PlanInput['network'], cgroupns = false): number {
  let namespaces = CLONE.NEWUSER | CLONE.NEWNS | CLONE.NEWPID | CLONE.NEWIPC | CLONE.NEWUTS;
  if (network === 'private') namespaces |= CLONE.NEWNET;
  if (cgroupns) namespaces |= CLONE.NEWCGROUP;
  return namespaces;
}
