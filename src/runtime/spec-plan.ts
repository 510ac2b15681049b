// OCI runtime spec → the helper's plan input. Pure: the host facts it needs (what kind
// of thing each bind source is, the generated /etc files, the rootfs mount) come in.
import { RrunError } from '../../oci/errors.js';
import type { RuntimeSpec } from '../../oci/runtime.js';
import { MS } from '../../helpers/protocol.js';
import { DEFAULT_MASKED_PATHS, type BindMount, type MaskedPath, type PlanInput, type RootfsSpec, type TmpfsMount } from './plan.js';

export interface PlanFacts {
  rootfs: RootfsSpec;
  idmap: PlanInput['idmap'];
  /** Host paths of generated files bound over /etc/… */
  etc: PlanInput['etc'];
  /** The image has no /etc/mtab: link it to /proc/mounts. */
  mtabLink: boolean;
  /** Whether each bind source is a file (else a directory), by source path. */
  sourceKinds: ReadonlyMap<string, 'file' | 'dir'>;
  /** `linux.seccomp` compiled to struct sock_filter[] (src/security); absent: unconfined. */
  seccomp?: Uint8Array;
}

// Mount options that are flags rather than filesystem data (mount(8) names).
const flagOptions: Readonly<Record<string, { set?: number; clear?: number }>> = {
  ro: { set: MS.RDONLY },
  rw: { clear: MS.RDONLY },
  nosuid: { set: MS.NOSUID },
  suid: { clear: MS.NOSUID },
  nodev: { set: MS.NODEV },
  dev: { clear: MS.NODEV },
  noexec: { set: MS.NOEXEC },
  exec: { clear: MS.NOEXEC },
  strictatime: { set: MS.STRICTATIME },
};

export function tmpfsMount(destination: string, options: readonly string[]): TmpfsMount {
  let flags = 0;
  const data: string[] = [];
  for (const opt of options) {
    const flag = flagOptions[opt];
    if (flag === undefined) {
      if (!/^(size|mode|uid|gid|nr_inodes|nr_blocks)=[^,]+$/.test(opt)) {
        throw new RrunError({
          code: 'ERR_INVALID_TMPFS',
          message: `invalid tmpfs option "${opt}" for ${destination}`,
          subject: opt,
          hint: 'use ro, rw, nosuid, nodev, noexec, exec, size=…, mode=…, uid=…, gid=…',
        });
      }
      data.push(opt);
    } else flags = (flags | (flag.set ?? 0)) & ~(flag.clear ?? 0);
  }
  return { destination, flags, ...(data.length > 0 ? { data: data.join(',') } : {}) };
}

function binds(spec: RuntimeSpec, facts: PlanFacts): BindMount[] {
  return spec.mounts
    .filter((m) => m.type === 'bind' && m.destination !== '/sys')
    .map((m) => ({
      source: m.source,
      destination: m.destination,
      readonly: m.options.includes('ro'),
      recursive: m.options.includes('rbind'),
      kind: facts.sourceKinds.get(m.source) ?? 'dir',
    }));
}

/** Masks files with /dev/null and directories with an empty tmpfs: podman's paths have a known kind. */
function maskedPaths(spec: RuntimeSpec): MaskedPath[] {
  return spec.linux.maskedPaths.map((path) => DEFAULT_MASKED_PATHS.find((m) => m.path === path) ?? { path, kind: 'dir' });
}

function tmpfs(spec: RuntimeSpec): TmpfsMount[] {
  const builtIn = new Set(['/dev', '/dev/shm']);
  return spec.mounts
    .filter((m) => m.type === 'tmpfs' && !builtIn.has(m.destination))
    .map((m) => tmpfsMount(m.destination, m.options));
}

export function planInput(spec: RuntimeSpec, facts: PlanFacts): PlanInput {
  const p = spec.process;
  return {
    rootfs: facts.rootfs,
    network: spec.linux.namespaces.some((n) => n.type === 'network') ? 'private' : 'host',
    hostname: spec.hostname,
    idmap: facts.idmap,
    binds: binds(spec, facts),
    tmpfs: tmpfs(spec),
    etc: facts.etc,
    mtabLink: facts.mtabLink,
    maskedPaths: maskedPaths(spec),
    readonlyPaths: spec.linux.readonlyPaths,
    process: {
      argv: p.args,
      env: p.env,
      cwd: p.cwd,
      uid: p.user.uid,
      gid: p.user.gid,
      additionalGids: p.user.additionalGids ?? [],
      capabilities: {
        bounding: p.capabilities.bounding,
        effective: p.capabilities.effective,
        permitted: p.capabilities.permitted,
        inheritable: p.capabilities.inheritable,
        ambient: p.capabilities.ambient,
      },
      noNewPrivs: p.noNewPrivileges,
      ...(facts.seccomp !== undefined ? { seccomp: facts.seccomp } : {}),
    },
  };
}
