// seccomp profiles as containers/common writes them (seccomp.json: defaultAction,
// defaultErrnoRet, archMap, syscalls[] with names/action/errnoRet/args/includes/excludes)
// and the OCI `linux.seccomp` they become once resolved for one container. Parsing is
// strict about what changes the filter and lenient about what does not (comments,
// unknown keys). Pure.
import { RrunError } from '../../oci/errors.js';
import type { LinuxSeccomp, LinuxSeccompArg, LinuxSyscall } from '../../oci/runtime.js';

export interface ProfileFilter {
  /** Go architecture names (amd64, x32, x86, arm64, …). */
  arches?: string[];
  /** Capability names (CAP_…). */
  caps?: string[];
  /** `major.minor` kernel version. */
  minKernel?: string;
}

export interface ProfileSyscall extends LinuxSyscall {
  includes?: ProfileFilter;
  excludes?: ProfileFilter;
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  syscalls: ProfileSyscall[];
}

export const ACTIONS = [
  'SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY',
] as const;
export const OPERATORS = [
  'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ',
] as const;

type Json = Record<string, unknown>;

class ProfileError extends Error {}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(where: string, what: string): never {
  throw new ProfileError(`${where}: ${what}`);
}

function str(v: unknown, where: string): string {
  return typeof v === 'string' ? v : fail(where, `expected a string, got ${JSON.stringify(v)}`);
}

function strings(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(where, 'expected a list of strings');
  return v.map((x, i) => str(x, `${where}[${i}]`));
}

/** A uint that JSON carried exactly (no 64-bit value beyond 2^53 survives JSON.parse). */
function uint(v: unknown, where: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(where, `expected an unsigned integer, got ${JSON.stringify(v)}`);
  if (v > max) fail(where, `${v} is larger than ${max}`);
  return v;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], where: string): T {
  const s = str(v, where);
  return (allowed as readonly string[]).includes(s) ? (s as T) : fail(where, `unknown value "${s}" (one of ${allowed.join(', ')})`);
}

function parseArg(v: unknown, where: string): LinuxSeccompArg {
  if (!isObject(v)) fail(where, 'expected an object');
  const arg: LinuxSeccompArg = { index: uint(v['index'], `${where}.index`, 5), value: uint(v['value'] ?? 0, `${where}.value`), op: oneOf(v['op'], OPERATORS, `${where}.op`) };
  if (v['valueTwo'] !== undefined && v['valueTwo'] !== null) arg.valueTwo = uint(v['valueTwo'], `${where}.valueTwo`);
  return arg;
}

function parseFilter(v: unknown, where: string): ProfileFilter | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) fail(where, 'expected an object');
  const f: ProfileFilter = {};
  if (v['arches'] != null) f.arches = strings(v['arches'], `${where}.arches`);
  if (v['caps'] != null) f.caps = strings(v['caps'], `${where}.caps`);
  if (v['minKernel'] != null && v['minKernel'] !== '') {
    f.minKernel = str(v['minKernel'], `${where}.minKernel`);
    if (!/^\d+\.\d+$/.test(f.minKernel)) fail(`${where}.minKernel`, `"${f.minKernel}" is not MAJOR.MINOR`);
  }
  return f;
}

function parseSyscall(v: unknown, where: string): ProfileSyscall {
  if (!isObject(v)) fail(where, 'expected an object');
  // Old docker profiles name one syscall per entry with `name`.
  const names = v['names'] != null ? strings(v['names'], `${where}.names`) : v['name'] != null ? [str(v['name'], `${where}.name`)] : [];
  if (names.length === 0) fail(where, 'no syscall names');
  const rule: ProfileSyscall = { names, action: oneOf(v['action'], ACTIONS, `${where}.action`) };
  if (v['errnoRet'] != null) rule.errnoRet = uint(v['errnoRet'], `${where}.errnoRet`, 0xffff);
  if (v['args'] != null) {
    if (!Array.isArray(v['args'])) fail(`${where}.args`, 'expected a list');
    rule.args = v['args'].map((a, i) => parseArg(a, `${where}.args[${i}]`));
  }
  const includes = parseFilter(v['includes'], `${where}.includes`);
  const excludes = parseFilter(v['excludes'], `${where}.excludes`);
  if (includes) rule.includes = includes;
  if (excludes) rule.excludes = excludes;
  return rule;
}

function parseProfileObject(v: unknown): SeccompProfile {
  if (!isObject(v)) fail('profile', 'expected a JSON object');
  if (v['listenerPath'] != null && v['listenerPath'] !== '') fail('listenerPath', 'seccomp notify listeners are not supported');
  const profile: SeccompProfile = { defaultAction: oneOf(v['defaultAction'], ACTIONS, 'defaultAction'), syscalls: [] };
  if (v['defaultErrnoRet'] != null) profile.defaultErrnoRet = uint(v['defaultErrnoRet'], 'defaultErrnoRet', 0xffff);
  const arches = [...strings(v['architectures'], 'architectures')];
  if (v['archMap'] != null) {
    if (!Array.isArray(v['archMap'])) fail('archMap', 'expected a list');
    v['archMap'].forEach((m, i) => {
      if (!isObject(m)) fail(`archMap[${i}]`, 'expected an object');
      arches.push(str(m['architecture'], `archMap[${i}].architecture`), ...strings(m['subArchitectures'], `archMap[${i}].subArchitectures`));
    });
  }
  if (arches.length > 0) profile.architectures = arches;
  if (v['syscalls'] != null) {
    if (!Array.isArray(v['syscalls'])) fail('syscalls', 'expected a list');
    profile.syscalls = v['syscalls'].map((s, i) => parseSyscall(s, `syscalls[${i}]`));
  }
  return profile;
}

/** Parses seccomp.json text; `source` names the file in errors. */
export function parseSeccompProfile(text: string, source: string): SeccompProfile {
  try {
    return parseProfileObject(JSON.parse(text));
  } catch (err) {
    if (!(err instanceof ProfileError) && !(err instanceof SyntaxError)) throw err;
    throw new RrunError({
      code: 'ERR_SECCOMP_PROFILE',
      message: `invalid seccomp profile ${source}: ${err.message}`,
      subject: source,
      hint: 'fix the profile (containers/common seccomp.json format), or run with --security-opt seccomp=unconfined',
      cause: err,
    });
  }
}

/** The OCI form of a profile that needs no resolution (no includes/excludes). */
export function toLinuxSeccomp(p: SeccompProfile): LinuxSeccomp {
  const out: LinuxSeccomp = { defaultAction: p.defaultAction, syscalls: p.syscalls.map(({ includes: _i, excludes: _e, ...rest }) => rest) };
  if (p.defaultErrnoRet !== undefined) out.defaultErrnoRet = p.defaultErrnoRet;
  if (p.architectures !== undefined) out.architectures = p.architectures;
  return out;
}
