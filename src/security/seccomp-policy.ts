// What a seccomp profile means for one container on x86_64, as data: the profile's
// includes/excludes resolved against the container's capabilities, arch and kernel (the
// OCI `linux.seccomp` podman writes into config.json), then a table syscall number →
// ordered rules with 64-bit argument conditions. `evaluatePolicy` is the reference
// semantics the BPF compiler is tested against. Pure.
//
// Semantics, learned from podman + libseccomp behaviour (not code):
// - rules are looked up by syscall number; names this arch does not have are skipped;
// - a rule whose action equals the default action is dropped (libseccomp refuses it);
// - an unconditional rule wins over conditional ones; between unconditional rules the
//   first wins (podman's profile allows `setns` unconditionally and later denies it
//   without CAP_SYS_ADMIN: measured, setns stays allowed);
// - otherwise the first conditional rule, in profile order, whose conditions all hold;
// - args of one rule are ANDed, unless two of them test the same argument: then each
//   arg becomes a rule of its own (ORed), as runc and crun do for old docker profiles.
import { RrunError } from '../../oci/errors.js';
import type { LinuxSeccomp, LinuxSeccompArg } from '../../oci/runtime.js';
import type { ProfileFilter, SeccompProfile } from './seccomp-profile.js';
import { X86_64_SYSCALLS } from './syscalls-x86_64.js';

/** SECCOMP_RET_* (linux/seccomp.h); the low 16 bits carry errno or data. */
export const RET = {
  KILL_PROCESS: 0x80000000, KILL_THREAD: 0x00000000, TRAP: 0x00030000, ERRNO: 0x00050000,
  USER_NOTIF: 0x7fc00000, TRACE: 0x7ff00000, LOG: 0x7ffc0000, ALLOW: 0x7fff0000,
} as const;
export const AUDIT_ARCH_X86_64 = 0xc000003e;
/** x32 syscalls are x86_64 numbers with this bit set (__X32_SYSCALL_BIT). */
export const X32_SYSCALL_BIT = 0x40000000;
const EPERM = 1;
const ENOSYS = 38;

export type CmpOp = 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';
export interface Condition {
  index: number;
  op: CmpOp;
  /** For MASKED_EQ the mask; else the operand. */
  value: bigint;
  /** For MASKED_EQ the value the masked argument must equal. */
  valueTwo: bigint;
}
export interface PolicyRule {
  ret: number;
  conditions: Condition[];
}
export interface SyscallPolicy {
  defaultRet: number;
  /** Foreign audit arch (i386 through int 0x80, …): never looked up in the x86_64 table. */
  badArchRet: number;
  /** x32 numbers: ENOSYS, which is what the kernel itself answers when x32 is off (Debian's default). */
  x32Ret: number;
  /** By syscall number, rules in evaluation order; absent numbers get `defaultRet`. */
  syscalls: Map<number, PolicyRule[]>;
}

export interface ResolveContext {
  /** Go arch name of the target, `amd64`. */
  arch: string;
  /** The bounding set (CAP_ names): podman tests includes/excludes against it. */
  caps: readonly string[];
  /** Running kernel, `uname -r` (e.g. `6.1.0-25-amd64`). */
  kernel: string;
}

function kernelAtLeast(kernel: string, min: string): boolean {
  const [a = 0, b = 0] = kernel.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const [c = 0, d = 0] = min.split('.').map((x) => Number.parseInt(x, 10) || 0);
  return a > c || (a === c && b >= d);
}

function included(f: ProfileFilter | undefined, ctx: ResolveContext): boolean {
  if (f === undefined) return true;
  if (f.arches && f.arches.length > 0 && !f.arches.includes(ctx.arch)) return false;
  if (f.caps && !f.caps.every((c) => ctx.caps.includes(c))) return false;
  return f.minKernel === undefined || kernelAtLeast(ctx.kernel, f.minKernel);
}

function excluded(f: ProfileFilter | undefined, ctx: ResolveContext): boolean {
  if (f === undefined) return false;
  if (f.arches?.includes(ctx.arch)) return true;
  if (f.caps?.some((c) => ctx.caps.includes(c))) return true;
  return f.minKernel !== undefined && kernelAtLeast(ctx.kernel, f.minKernel);
}

/** The profile for this container: the OCI `linux.seccomp` podman would write. */
export function resolveProfile(p: SeccompProfile, ctx: ResolveContext): LinuxSeccomp {
  const out: LinuxSeccomp = { defaultAction: p.defaultAction, syscalls: [] };
  if (p.defaultErrnoRet !== undefined) out.defaultErrnoRet = p.defaultErrnoRet;
  if (p.architectures !== undefined) out.architectures = [...p.architectures];
  for (const { includes, excludes, ...rule } of p.syscalls) {
    if (included(includes, ctx) && !excluded(excludes, ctx)) out.syscalls?.push(rule);
  }
  return out;
}

const actionRets: Readonly<Record<string, (data: number) => number>> = {
  SCMP_ACT_KILL: () => RET.KILL_THREAD,
  SCMP_ACT_KILL_THREAD: () => RET.KILL_THREAD,
  SCMP_ACT_KILL_PROCESS: () => RET.KILL_PROCESS,
  SCMP_ACT_TRAP: (d) => RET.TRAP | d,
  SCMP_ACT_ERRNO: (d) => RET.ERRNO | d,
  SCMP_ACT_TRACE: (d) => RET.TRACE | d,
  SCMP_ACT_ALLOW: () => RET.ALLOW,
  SCMP_ACT_LOG: () => RET.LOG,
};

/** SECCOMP_RET_* for an action; ERRNO without a number is EPERM, as in runc and crun. */
export function actionRet(action: string, errnoRet: number | undefined, where: string): number {
  const make = actionRets[action];
  if (make === undefined) {
    throw new RrunError({
      code: 'ERR_SECCOMP_PROFILE',
      message: `seccomp action ${action} (${where}) is not supported`,
      subject: action,
      hint: action === 'SCMP_ACT_NOTIFY' ? 'rrun has no seccomp notify listener; use SCMP_ACT_ERRNO' : undefined,
    });
  }
  const data = errnoRet ?? (action === 'SCMP_ACT_ERRNO' ? EPERM : 0);
  return (make(data & 0xffff) >>> 0);
}

function condition(a: LinuxSeccompArg): Condition {
  return { index: a.index, op: a.op as CmpOp, value: BigInt(a.value), valueTwo: BigInt(a.valueTwo ?? 0) };
}

/** One rule, or one per arg when two args test the same argument (see the header). */
function splitArgs(args: readonly LinuxSeccompArg[]): Condition[][] {
  const indexes = new Set(args.map((a) => a.index));
  return indexes.size === args.length ? [args.map(condition)] : args.map((a) => [condition(a)]);
}

function addRule(list: PolicyRule[], rule: PolicyRule): void {
  if (list.some((r) => r.conditions.length === 0)) return; // an unconditional rule already decides
  if (rule.conditions.length === 0) list.splice(0, list.length, rule);
  else list.push(rule);
}

/** The x86_64 decision table for a resolved profile. */
export function buildPolicy(s: LinuxSeccomp): SyscallPolicy {
  const defaultRet = actionRet(s.defaultAction, s.defaultErrnoRet, 'defaultAction');
  const syscalls = new Map<number, PolicyRule[]>();
  (s.syscalls ?? []).forEach((rule, i) => {
    const ret = actionRet(rule.action, rule.errnoRet, `syscalls[${i}]`);
    if (ret === defaultRet) return;
    const condSets = rule.args && rule.args.length > 0 ? splitArgs(rule.args) : [[]];
    for (const name of rule.names) {
      const nr = X86_64_SYSCALLS.get(name);
      if (nr === undefined) continue;
      const list = syscalls.get(nr) ?? [];
      for (const conditions of condSets) addRule(list, { ret, conditions });
      syscalls.set(nr, list);
    }
  });
  return { defaultRet, badArchRet: RET.KILL_PROCESS, x32Ret: RET.ERRNO | ENOSYS, syscalls };
}

const U64 = (1n << 64n) - 1n;
const compare: Readonly<Record<CmpOp, (arg: bigint, c: Condition) => boolean>> = {
  SCMP_CMP_NE: (a, c) => a !== c.value,
  SCMP_CMP_LT: (a, c) => a < c.value,
  SCMP_CMP_LE: (a, c) => a <= c.value,
  SCMP_CMP_EQ: (a, c) => a === c.value,
  SCMP_CMP_GE: (a, c) => a >= c.value,
  SCMP_CMP_GT: (a, c) => a > c.value,
  SCMP_CMP_MASKED_EQ: (a, c) => (a & c.value) === c.valueTwo,
};

export const conditionHolds = (c: Condition, args: readonly bigint[]): boolean =>
  compare[c.op]((args[c.index] ?? 0n) & U64, c);

/** The reference semantics: what the filter must return for this syscall. */
export function evaluatePolicy(p: SyscallPolicy, d: { nr: number; arch: number; args?: readonly bigint[] }): number {
  if (d.arch >>> 0 !== AUDIT_ARCH_X86_64) return p.badArchRet;
  if (d.nr >>> 0 >= X32_SYSCALL_BIT) return p.x32Ret;
  for (const rule of p.syscalls.get(d.nr >>> 0) ?? []) {
    if (rule.conditions.every((c) => conditionHolds(c, d.args ?? []))) return rule.ret;
  }
  return p.defaultRet;
}
