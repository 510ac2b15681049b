// The one definition of the wire format between rrun (Node) and rrun-helper (C).
// helpers/native/protocol.h mirrors the numbers; test/unit/protocol.test.ts checks that
// the two agree, and golden files pin the encoding.
//
//   rrun (Node)                                  rrun-helper (C, single-threaded)
//   spawn helper, stdio[3] = socketpair
//   plan ──────────────────────────────────────▶ stage 0: [lock the state file (state)]
//                                                 clone(CLONE_NEW* from the plan)
//                                                 [idmapTools: newuidmap/newgidmap pid]
//                              ◀──────────────── NeedIdmap{pid}          (stage 0, then it
//   [single map: write uid_map/gid_map]                                  closes its fd 3)
//   IdmapDone ─────────────────────────────────▶ stage 1 (pid 1 inside): setresuid/gid(0),
//   [meanwhile: network helper against pid]       run setup ops in order, pivot_root,
//                                                 [terminal: open /dev/ptmx, master → stage 0]
//                              ◀──────────────── Ready | Error{opIndex, errno, what}
//   Start (once Ready and the network) ────────▶ fork workload (pid 2): [setsid, TIOCSCTTY],
//                                                 groups, ids, caps, no_new_privs, seccomp,
//                                                 chdir, execve
//                              ◀──────────────── Started | ExecFailed{step, errno}
//   [detach: close fd 3, unref, exit]
//                              ◀──────────────── Exited{exitCode, signal}  (if Node still listens)
//                              ◀──────────────── EOF; stage 0 writes the exit file, exits with
//                                                 exitCode [detach: execs the exit command]
//
// Meanwhile stage 0 (monitor.c) relays signals to pid 1 and moves output: the pty to
// the caller's terminal (raw mode, SIGWINCH), or, detached, stdout/stderr (or the pty) to
// the k8s-file log. exec (join): stage 0 setns()es into a running container's init
// instead of cloning, then forks; no NeedIdmap/IdmapDone and no setup ops — Node
// waits for Ready directly.
//
// Plan:     "RRUNPLAN" | u32 version | u32 bodyLength | records
// Record:   u32 op | u32 flags | u32 argc | argc × (u32 length | bytes)
// Message:  u32 type | u32 length | payload            (both directions)
// Integers are little-endian; numeric arguments are u64 (8 bytes); strings are UTF-8
// without a terminator; an empty string means NULL where C accepts NULL (mount).

export const PLAN_MAGIC = 'RRUNPLAN';
export const PLAN_VERSION = 1;

/** Record codes. Setup ops run in order inside the namespaces; proc* configure the workload. */
export const OpCode = {
  namespaces: 1,
  mkdir: 2,
  mount: 3,
  remount: 4,
  symlink: 5,
  writeFile: 6,
  touch: 7,
  chdir: 8,
  pivotRoot: 9,
  sethostname: 10,
  setrlimit: 11,
  execWait: 12,
  root: 13,
  linkUp: 14,
  procArgv: 32,
  procEnv: 33,
  procCwd: 34,
  procUser: 35,
  procCaps: 36,
  procNoNewPrivs: 37,
  procSeccomp: 38,
  procUmask: 39,
  state: 48,
  detach: 49,
  join: 50,
  terminal: 51,
  idmap: 52,
  log: 53,
  defer: 54,
} as const;

export const OpFlag = { optional: 1 } as const;

export const MsgType = {
  NeedIdmap: 1,
  Ready: 2,
  Error: 3,
  ExecFailed: 4,
  Exited: 5,
  Started: 6,
  IdmapDone: 16,
  Start: 17,
  Proceed: 18,
} as const;

/** Where the workload stopped before its execve succeeded. */
export const ExecStep = {
  exec: 0,
  chdir: 1,
  credentials: 2,
  capabilities: 3,
  seccomp: 4,
  noNewPrivs: 5,
  terminal: 6,
} as const;
export type ExecStepName = keyof typeof ExecStep;

/** Kernel ABI: mount(2) flags. */
export const MS = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  REMOUNT: 0x20,
  NOATIME: 0x400,
  NODIRATIME: 0x800,
  BIND: 0x1000,
  MOVE: 0x2000,
  REC: 0x4000,
  PRIVATE: 0x40000,
  SLAVE: 0x80000,
  SHARED: 0x100000,
  RELATIME: 0x200000,
  STRICTATIME: 0x1000000,
} as const;

/** Kernel ABI: clone(2) namespace flags. */
export const CLONE = {
  NEWNS: 0x00020000,
  NEWCGROUP: 0x02000000,
  NEWUTS: 0x04000000,
  NEWIPC: 0x08000000,
  NEWUSER: 0x10000000,
  NEWPID: 0x20000000,
  NEWNET: 0x40000000,
} as const;

/** u64 on the wire; `'unlimited'` is RLIM_INFINITY. */
export type RlimitValue = number | bigint | 'unlimited';

export type SetupOp =
  | { op: 'mkdir'; path: string; mode: number; optional?: boolean }
  | {
      op: 'mount';
      source: string | null;
      target: string;
      fstype: string | null;
      flags: number;
      data: string | null;
      optional?: boolean;
    }
  | { op: 'remount'; target: string; flags: number; optional?: boolean }
  | { op: 'symlink'; target: string; linkpath: string }
  | { op: 'write-file'; path: string; content: Uint8Array; mode: number }
  | { op: 'touch'; path: string; mode: number; optional?: boolean }
  | { op: 'chdir'; path: string }
  | { op: 'pivot-root'; newRoot: string }
  | { op: 'sethostname'; name: string }
  | { op: 'setrlimit'; resource: number; soft: RlimitValue; hard: RlimitValue }
  | { op: 'exec-wait'; argv: string[] }
  /** Set a network interface of the container's netns up (`lo` with --network none). */
  | { op: 'link-up'; name: string }
  /** Later paths under `path` are resolved inside it (no symlink in the image escapes). */
  | { op: 'root'; path: string };

/** Capability sets as bit masks (bit n = capability number n). */
export interface CapSets {
  bounding: bigint;
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
  ambient: bigint;
}

export interface ProcessPlan {
  argv: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  /** Supplementary groups; only applied when `setgroups` (not possible with a `deny` map). */
  additionalGids: number[];
  setgroups: boolean;
  caps?: CapSets | undefined;
  noNewPrivs: boolean;
  /** Raw `struct sock_filter[]` (8 bytes per instruction). */
  seccomp?: Uint8Array | undefined;
  umask?: number | undefined;
}

/** What stage 0, the process that stays outside the container, does besides waiting. */
export interface Stage0Plan {
  /** Hold a write lock on `lockPath` while alive; write the exit code to `exitPath`. */
  state?: { lockPath: string; exitPath: string };
  /** Outlive Node: workload output to a k8s-file log, then exec `exitCommand`. */
  detach?: { logPath: string; exitCommand: string[] };
  /** exec: setns into this (host) pid's namespaces, `namespaces` naming which. */
  join?: number;
  /** A pty from the container's devpts; `forwardStdin` proxies the caller's terminal. */
  terminal?: { forwardStdin: boolean };
  /** Attached and kept: the output goes to the caller and to this k8s-file log (not with detach). */
  log?: { path: string };
  /**
   * newuidmap/newgidmap argv without the pid: stage 0 runs both with the child's pid as
   * argv[1] before NeedIdmap (reported as Error `idmap\t<tool>\t<pid>\t<status>\t<stderr>`).
   */
  idmapTools?: { uid: string[]; gid: string[] };
}

export interface LaunchPlan {
  /** CLONE_NEW* flags for the helper's clone() (or the namespaces to join). */
  namespaces: number;
  ops: SetupOp[];
  process: ProcessPlan;
  stage0?: Stage0Plan;
}

export type HelperMessage =
  | { type: 'NeedIdmap'; pid: number }
  | { type: 'Ready' }
  | { type: 'Error'; opIndex: number; errno: number; what: string }
  | { type: 'ExecFailed'; step: ExecStepName; errno: number }
  | { type: 'Exited'; exitCode: number; signal: number }
  | { type: 'Started' };

export type ControlMessage = 'IdmapDone' | 'Start' | 'Proceed';

/**
 * What the helper needs before anything else: the namespaces to create and what stage 0
 * does. Sent first, it lets clone and the id maps run while Node still resolves the image
 * and registers the container; the whole plan follows (see encodeEarlyPlan).
 */
export interface EarlyPlan {
  namespaces: number;
  stage0: Stage0Plan;
}

// ---------------------------------------------------------------- plan encoding

type Arg = string | Uint8Array | bigint;

const RLIM_INFINITY = (1n << 64n) - 1n;

function u64(v: RlimitValue | number): bigint {
  if (v === 'unlimited') return RLIM_INFINITY;
  const b = BigInt(v);
  if (b < 0n || b > RLIM_INFINITY) throw new RangeError(`value out of u64 range: ${String(v)}`);
  return b;
}

/** One record in one buffer (a plan has ~80 records; per-argument buffers cost ~2 ms). */
function record(code: number, args: Arg[], optional = false): Buffer {
  let size = 12;
  for (const a of args) size += 4 + (typeof a === 'bigint' ? 8 : typeof a === 'string' ? Buffer.byteLength(a, 'utf8') : a.length);
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32LE(code, 0);
  out.writeUInt32LE(optional ? OpFlag.optional : 0, 4);
  out.writeUInt32LE(args.length, 8);
  let off = 12;
  for (const a of args) {
    if (typeof a === 'bigint') {
      out.writeUInt32LE(8, off);
      out.writeBigUInt64LE(a, off + 4);
      off += 12;
    } else if (typeof a === 'string') {
      const n = out.write(a, off + 4, 'utf8');
      out.writeUInt32LE(n, off);
      off += 4 + n;
    } else {
      out.writeUInt32LE(a.length, off);
      out.set(a, off + 4);
      off += 4 + a.length;
    }
  }
  return out;
}

function setupRecord(op: SetupOp): Buffer {
  switch (op.op) {
    case 'mkdir':
      return record(OpCode.mkdir, [op.path, u64(op.mode)], op.optional);
    case 'mount':
      return record(
        OpCode.mount,
        [op.source ?? '', op.target, op.fstype ?? '', u64(op.flags), op.data ?? ''],
        op.optional,
      );
    case 'remount':
      return record(OpCode.remount, [op.target, u64(op.flags)], op.optional);
    case 'symlink':
      return record(OpCode.symlink, [op.target, op.linkpath]);
    case 'write-file':
      return record(OpCode.writeFile, [op.path, op.content, u64(op.mode)]);
    case 'touch':
      return record(OpCode.touch, [op.path, u64(op.mode)], op.optional);
    case 'chdir':
      return record(OpCode.chdir, [op.path]);
    case 'pivot-root':
      return record(OpCode.pivotRoot, [op.newRoot]);
    case 'sethostname':
      return record(OpCode.sethostname, [op.name]);
    case 'setrlimit':
      return record(OpCode.setrlimit, [u64(op.resource), u64(op.soft), u64(op.hard)]);
    case 'exec-wait':
      return record(OpCode.execWait, op.argv);
    case 'link-up':
      return record(OpCode.linkUp, [op.name]);
    case 'root':
      return record(OpCode.root, [op.path]);
  }
}

function processRecords(p: ProcessPlan): Buffer[] {
  if (p.argv.length === 0) throw new RangeError('process.argv must not be empty');
  const out = [
    record(OpCode.procArgv, p.argv),
    record(OpCode.procEnv, p.env),
    record(OpCode.procCwd, [p.cwd]),
    record(OpCode.procUser, [p.uid, p.gid, p.setgroups ? 1 : 0, ...p.additionalGids].map(u64)),
  ];
  if (p.caps) {
    const c = p.caps;
    out.push(record(OpCode.procCaps, [c.bounding, c.effective, c.permitted, c.inheritable, c.ambient]));
  }
  if (p.noNewPrivs) out.push(record(OpCode.procNoNewPrivs, []));
  if (p.seccomp) {
    if (p.seccomp.length === 0 || p.seccomp.length % 8 !== 0)
      throw new RangeError('seccomp program must be a non-empty array of 8-byte sock_filter');
    out.push(record(OpCode.procSeccomp, [p.seccomp]));
  }
  if (p.umask !== undefined) out.push(record(OpCode.procUmask, [u64(p.umask)]));
  return out;
}

function stage0Records(s: Stage0Plan = {}): Buffer[] {
  const out: Buffer[] = [];
  if (s.state) out.push(record(OpCode.state, [s.state.lockPath, s.state.exitPath]));
  if (s.detach) {
    if (s.detach.exitCommand.length === 0) throw new RangeError('detach.exitCommand must not be empty');
    out.push(record(OpCode.detach, [s.detach.logPath, ...s.detach.exitCommand]));
  }
  if (s.join !== undefined) out.push(record(OpCode.join, [u64(s.join)]));
  if (s.terminal) out.push(record(OpCode.terminal, [u64(s.terminal.forwardStdin ? 1 : 0)]));
  if (s.log) {
    if (s.detach) throw new RangeError('stage0.log is for attached containers; detach has its own log');
    out.push(record(OpCode.log, [s.log.path]));
  }
  if (s.idmapTools) {
    if (s.idmapTools.uid.length === 0 || s.idmapTools.gid.length === 0) throw new RangeError('idmapTools argv must not be empty');
    out.push(record(OpCode.idmap, s.idmapTools.uid), record(OpCode.idmap, s.idmapTools.gid));
  }
  return out;
}

/** Encodes a plan. Record order: namespaces, setup ops (their index = opIndex + 1), process, stage 0. */
export function encodePlan(plan: LaunchPlan): Buffer {
  return framePlan(Buffer.concat([
    record(OpCode.namespaces, [u64(plan.namespaces)]),
    ...plan.ops.map(setupRecord),
    ...processRecords(plan.process),
    ...stage0Records(plan.stage0),
  ]));
}

function framePlan(body: Buffer): Buffer {
  const head = Buffer.alloc(16);
  head.write(PLAN_MAGIC, 0, 'latin1');
  head.writeUInt32LE(PLAN_VERSION, 8);
  head.writeUInt32LE(body.length, 12);
  return Buffer.concat([head, body]);
}

/**
 * An early plan: the namespaces record, stage 0's records and OP_DEFER. Stage 0 clones
 * and writes the maps at once, then waits for Proceed; stage 1 reads the whole plan
 * (encodePlan, with the same namespaces and stage 0) after IdmapDone.
 */
export function encodeEarlyPlan(early: EarlyPlan): Buffer {
  if (early.stage0.join !== undefined) throw new RangeError('an exec (join) plan cannot be deferred');
  return framePlan(Buffer.concat([
    record(OpCode.namespaces, [u64(early.namespaces)]),
    ...stage0Records(early.stage0),
    record(OpCode.defer, []),
  ]));
}

/** The index the helper reports in Error{opIndex} for `plan.ops[i]` (the namespaces record is 0). */
export function opIndexToSetupIndex(opIndex: number): number {
  return opIndex - 1;
}

// ---------------------------------------------------------------- messages

function frame(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

export function encodeControl(msg: ControlMessage): Buffer {
  return frame(MsgType[msg]);
}

const stepNames = Object.fromEntries(Object.entries(ExecStep).map(([k, v]) => [v, k])) as Record<
  number,
  ExecStepName
>;

/** Encodes a helper reply; the helper does this in C, tests use it to fake a helper. */
export function encodeMessage(m: HelperMessage): Buffer {
  const p = Buffer.alloc(8);
  switch (m.type) {
    case 'NeedIdmap':
      p.writeUInt32LE(m.pid, 0);
      return frame(MsgType.NeedIdmap, p.subarray(0, 4));
    case 'Ready':
      return frame(MsgType.Ready);
    case 'Error':
      p.writeInt32LE(m.opIndex, 0);
      p.writeInt32LE(m.errno, 4);
      return frame(MsgType.Error, Buffer.concat([p, Buffer.from(m.what, 'utf8')]));
    case 'ExecFailed':
      p.writeUInt32LE(ExecStep[m.step], 0);
      p.writeInt32LE(m.errno, 4);
      return frame(MsgType.ExecFailed, p);
    case 'Exited':
      p.writeInt32LE(m.exitCode, 0);
      p.writeInt32LE(m.signal, 4);
      return frame(MsgType.Exited, p);
    case 'Started':
      return frame(MsgType.Started);
  }
}

function decodeOne(type: number, p: Buffer): HelperMessage {
  const need = (n: number): void => {
    if (p.length < n) throw new Error(`helper message ${type}: payload of ${p.length} bytes, need ${n}`);
  };
  switch (type) {
    case MsgType.NeedIdmap:
      need(4);
      return { type: 'NeedIdmap', pid: p.readUInt32LE(0) };
    case MsgType.Ready:
      return { type: 'Ready' };
    case MsgType.Error:
      need(8);
      return { type: 'Error', opIndex: p.readInt32LE(0), errno: p.readInt32LE(4), what: p.toString('utf8', 8) };
    case MsgType.ExecFailed: {
      need(8);
      const step = stepNames[p.readUInt32LE(0)];
      if (step === undefined) throw new Error(`helper ExecFailed with unknown step ${p.readUInt32LE(0)}`);
      return { type: 'ExecFailed', step, errno: p.readInt32LE(4) };
    }
    case MsgType.Exited:
      need(8);
      return { type: 'Exited', exitCode: p.readInt32LE(0), signal: p.readInt32LE(4) };
    case MsgType.Started:
      return { type: 'Started' };
    default:
      throw new Error(`unknown helper message type ${type}`);
  }
}

/** Reassembles framed helper messages from a byte stream (the socket may split or merge them). */
export class MessageDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): HelperMessage[] {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const out: HelperMessage[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32LE(4);
      if (this.buf.length < 8 + len) break;
      out.push(decodeOne(this.buf.readUInt32LE(0), this.buf.subarray(8, 8 + len)));
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }

  /** Bytes of an incomplete message left over (non-zero at EOF means a truncated reply). */
  get pending(): number {
    return this.buf.length;
  }
}

// ---------------------------------------------------------------- decoding plans (tests, --dry-run)

export interface PlanRecord {
  code: number;
  optional: boolean;
  args: Buffer[];
}

/** Splits an encoded plan back into records, with the same checks the helper makes. */
export function decodePlanRecords(buf: Buffer): PlanRecord[] {
  if (buf.length < 16 || buf.toString('latin1', 0, 8) !== PLAN_MAGIC) throw new Error('not an rrun plan');
  if (buf.readUInt32LE(8) !== PLAN_VERSION) throw new Error(`plan version ${buf.readUInt32LE(8)}`);
  const end = 16 + buf.readUInt32LE(12);
  if (end !== buf.length) throw new Error('plan length mismatch');
  const out: PlanRecord[] = [];
  let pos = 16;
  const take = (n: number): Buffer => {
    if (pos + n > end) throw new Error('truncated plan record');
    const b = buf.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  while (pos < end) {
    const head = take(12);
    const args: Buffer[] = [];
    for (let i = head.readUInt32LE(8); i > 0; i--) args.push(take(take(4).readUInt32LE(0)));
    out.push({ code: head.readUInt32LE(0), optional: (head.readUInt32LE(4) & OpFlag.optional) !== 0, args });
  }
  return out;
}

/** One line naming a setup op, for error messages: `mount bind /home/u/data → /data`. */
export function describeOp(op: SetupOp): string {
  switch (op.op) {
    case 'mount':
      if ((op.flags & MS.BIND) !== 0) return `bind ${op.source ?? ''} → ${op.target}`;
      if (op.source === null && op.fstype === null) return `propagation of ${op.target}`;
      return `mount ${op.fstype ?? ''} ${op.source ?? ''} on ${op.target}${op.data ? ` (${op.data})` : ''}`;
    case 'remount':
      return `remount ${op.target}${(op.flags & MS.RDONLY) !== 0 ? ' read-only' : ''}`;
    case 'mkdir':
      return `mkdir ${op.path}`;
    case 'symlink':
      return `symlink ${op.linkpath} → ${op.target}`;
    case 'write-file':
      return `write ${op.path}`;
    case 'touch':
      return `create mount point ${op.path}`;
    case 'chdir':
      return `chdir ${op.path}`;
    case 'pivot-root':
      return `pivot_root into ${op.newRoot}`;
    case 'sethostname':
      return `sethostname ${op.name}`;
    case 'setrlimit':
      return `setrlimit ${op.resource} ${String(op.soft)}/${String(op.hard)}`;
    case 'link-up':
      return `set link ${op.name} up`;
    case 'exec-wait':
      return `run ${op.argv.join(' ')}`;
    case 'root':
      return `open the container root ${op.path}`;
  }
}

/** `hexdump -C`-style text of an encoded plan: what golden files store and --debug prints. */
export function hexDump(buf: Uint8Array): string {
  const lines: string[] = [];
  for (let off = 0; off < buf.length; off += 16) {
    const row = Buffer.from(buf.subarray(off, off + 16));
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  |${ascii}|`);
  }
  return `${lines.join('\n')}\n`;
}
