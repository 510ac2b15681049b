// The security settings of one container: capability sets, no_new_privs, the seccomp
// profile resolved for those capabilities (the spec's `linux.seccomp`) and its compiled
// BPF (the plan's). The only I/O is reading the profile file; everything is checked
// before `run` writes anything, so a bad flag or profile leaves no container behind.
//
// Cost on `rrun run`'s start-up path (podman's 20 KB default profile, this machine, cold
// process): read + parse ≈ 1 ms, resolve + compile ≈ 3 ms, 176 instructions. Once the rest
// of the start-up was down to ~80 ms that mattered: the resolved profile and its program
// are kept in the user's cache (storage/content-cache.ts), named by the profile text,
// the bounding set, the architecture and the kernel release they were derived from; a
// profile that fails to parse or compile is never kept.
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { RrunError, errnoCode } from '../../oci/errors.js';
import type { LinuxSeccomp } from '../../oci/runtime.js';
import { contentCacheDir, contentKey, readCachedJson, writeCachedJson } from '../../storage/content-cache.js';
import { encodeProgram } from './bpf.js';
import { resolveCapabilities, type CapabilitySets } from './capabilities.js';
import { compilePolicy } from './seccomp-compile.js';
import { buildPolicy, resolveProfile } from './seccomp-policy.js';
import { parseSeccompProfile } from './seccomp-profile.js';
import { parseSecurityOpts, type SeccompChoice } from './security-opt.js';

/** What the caller asked for (run options / CLI flags), undecoded. */
export interface SecurityRequest {
  capAdd?: readonly string[];
  capDrop?: readonly string[];
  privileged?: boolean;
  securityOpt?: readonly string[];
}

export interface ContainerSecurity {
  capabilities: CapabilitySets;
  noNewPrivileges: boolean;
  privileged: boolean;
  /** Absent: unconfined (--privileged or seccomp=unconfined). */
  seccomp?: LinuxSeccomp;
  bpf?: Uint8Array;
}

/** containers/common's lookup: the admin's override first, then the packaged default. */
export const SECCOMP_PROFILE_PATHS = ['/etc/containers/seccomp.json', '/usr/share/containers/seccomp.json'];

function readProfile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new RrunError({
      code: 'ERR_SECCOMP_PROFILE',
      message: `cannot read seccomp profile ${path}: ${errnoCode(err) ?? String(err)}`,
      subject: path,
      hint: 'make the file readable, or run with --security-opt seccomp=unconfined',
      cause: err,
    });
  }
}

/** The profile text and where it came from; undefined when unconfined. */
export function profileSource(choice: SeccompChoice, paths = SECCOMP_PROFILE_PATHS): { text: string; path: string } | undefined {
  if (choice.kind === 'unconfined') return undefined;
  const candidates = choice.kind === 'file' ? [choice.path] : paths;
  for (const path of candidates) {
    const text = readProfile(path);
    if (text !== undefined) return { text, path };
  }
  throw new RrunError({
    code: 'ERR_SECCOMP_PROFILE',
    message: choice.kind === 'file' ? `seccomp profile ${choice.path} does not exist` : `no default seccomp profile (looked in ${paths.join(', ')})`,
    subject: candidates[0],
    hint: choice.kind === 'file'
      ? 'give the path of a seccomp.json, or --security-opt seccomp=unconfined'
      : 'install containers-common (it ships podman\'s seccomp.json), or run with --security-opt seccomp=unconfined',
  });
}

export function containerSecurity(req: SecurityRequest, uid: number, paths = SECCOMP_PROFILE_PATHS, cacheDir = contentCacheDir('seccomp')): ContainerSecurity {
  const opts = parseSecurityOpts(req.securityOpt ?? []);
  const privileged = req.privileged ?? false;
  const capabilities = resolveCapabilities({ add: req.capAdd ?? [], drop: req.capDrop ?? [], privileged, uid });
  const out: ContainerSecurity = { capabilities, noNewPrivileges: opts.noNewPrivileges, privileged };
  // --privileged turns seccomp off even when a profile is named (podman 4.3, measured).
  const source = privileged ? undefined : profileSource(opts.seccomp, paths);
  if (source === undefined) return out;
  const kernel = release();
  const key = contentKey(source.text, capabilities.bounding.join(','), 'amd64', kernel);
  const hit = cachedFilter(readCachedJson(cacheDir, key));
  if (hit !== undefined) return { ...out, ...hit };
  const profile = parseSeccompProfile(source.text, source.path);
  out.seccomp = resolveProfile(profile, { arch: 'amd64', caps: capabilities.bounding, kernel });
  out.bpf = seccompProgram(out.seccomp);
  writeCachedJson(cacheDir, key, { seccomp: out.seccomp, bpf: Buffer.from(out.bpf).toString('base64') });
  return out;
}

/** A cache entry back as the profile and its program; undefined when it is not one. */
function cachedFilter(v: unknown): { seccomp: LinuxSeccomp; bpf: Uint8Array } | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { seccomp, bpf } = v as { seccomp?: unknown; bpf?: unknown };
  if (typeof bpf !== 'string' || typeof seccomp !== 'object' || seccomp === null) return undefined;
  const s = seccomp as Partial<LinuxSeccomp>;
  if (typeof s.defaultAction !== 'string' || !Array.isArray(s.syscalls)) return undefined;
  const program = Buffer.from(bpf, 'base64');
  if (program.length === 0 || program.length % 8 !== 0) return undefined;
  return { seccomp: s as LinuxSeccomp, bpf: new Uint8Array(program) };
}

/** The BPF program for a container's resolved seccomp profile (its spec's `linux.seccomp`). */
export function seccompProgram(resolved: LinuxSeccomp): Uint8Array {
  return encodeProgram(compilePolicy(buildPolicy(resolved)).program);
}
