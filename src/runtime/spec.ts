// RunRequest + image config → OCI runtime spec, with podman's rules for the command,
// environment, working directory and capabilities. Pure: everything it needs (the
// resolved user, the id maps, the container id) is handed in.
import { RrunError } from '../../oci/errors.js';
import type { ImageRuntimeConfig } from '../../oci/image.js';
import { OCI_RUNTIME_VERSION, type RuntimeMount, type RuntimeSpec } from '../../oci/runtime.js';
import type { ContainerSecurity } from '../security/container-security.js';
import type { ResolvedUser } from './passwd.js';
import type { RunRequest } from './request.js';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, PODMAN_DEFAULT_CAPS } from './plan.js';

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface SpecInput {
  request: RunRequest;
  image: ImageRuntimeConfig | undefined;
  user: ResolvedUser;
  containerId: string;
  containerName: string;
  rootPath: string;
  uidMappings: RuntimeSpec['linux']['uidMappings'];
  gidMappings: RuntimeSpec['linux']['gidMappings'];
  /** Capabilities, no_new_privs, seccomp (src/security); absent: podman's defaults, no seccomp. */
  security?: Pick<ContainerSecurity, 'capabilities' | 'noNewPrivileges' | 'privileged' | 'seccomp'>;
}

/**
 * podman's makeCommand: the entrypoint (request's, else the image's; `[""]` means none),
 * then the request's command, else the image's Cmd — but the image's Cmd only when the
 * caller did not set an entrypoint.
 */
export function containerCommand(request: RunRequest, image: ImageRuntimeConfig | undefined): string[] {
  const entrypoint = request.entrypoint ?? image?.Entrypoint ?? [];
  const out = entrypoint.length === 1 && entrypoint[0] === '' ? [] : [...entrypoint];
  const command = request.command.length > 0 ? request.command : request.entrypoint === undefined ? (image?.Cmd ?? []) : [];
  out.push(...command);
  if (out.length === 0) {
    throw new RrunError({
      code: 'ERR_NO_COMMAND',
      message: 'no command or entrypoint provided, and no CMD or ENTRYPOINT from image',
      hint: 'give a command after the image name, or --entrypoint',
    });
  }
  return out;
}

/** Later entries replace earlier ones with the same name; order of first appearance kept. */
export function mergeEnv(...lists: readonly (readonly string[])[]): string[] {
  const map = new Map<string, string>();
  for (const list of lists) {
    for (const entry of list) {
      const eq = entry.indexOf('=');
      map.set(eq < 0 ? entry : entry.slice(0, eq), entry);
    }
  }
  return [...map.values()];
}

function containerEnv(input: SpecInput, hostname: string): string[] {
  const base = [DEFAULT_PATH, 'container=rrun'];
  const merged = mergeEnv(base, input.image?.Env ?? [], input.request.env);
  const extra: string[] = [];
  if (!merged.some((e) => e.startsWith('HOME='))) extra.push(`HOME=${input.user.home}`);
  if (!merged.some((e) => e.startsWith('HOSTNAME='))) extra.push(`HOSTNAME=${hostname}`);
  return [...merged, ...extra];
}

function mounts(request: RunRequest): RuntimeMount[] {
  const out: RuntimeMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    request.network === 'host'
      ? { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] }
      : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  ];
  for (const v of request.volumes) {
    out.push({ destination: v.destination, type: 'bind', source: v.source, options: ['rbind', v.readonly ? 'ro' : 'rw'] });
  }
  for (const t of request.tmpfs) {
    out.push({ destination: t.destination, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', ...t.options] });
  }
  return out;
}

export function buildSpec(input: SpecInput): RuntimeSpec {
  const { request, user } = input;
  const hostname = request.hostname ?? input.containerId.slice(0, 12);
  // Root in the container gets podman's default set; another user none (bounding stays).
  const caps = PODMAN_DEFAULT_CAPS;
  const effective = user.uid === 0 ? caps : [];
  const security = input.security;
  const namespaces: RuntimeSpec['linux']['namespaces'] = [
    { type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'user' },
    ...(request.network === 'host' ? [] : [{ type: 'network' as const }]),
  ];
  return {
    ociVersion: OCI_RUNTIME_VERSION,
    process: {
      terminal: false,
      user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length > 0 ? { additionalGids: user.additionalGids } : {}) },
      args: containerCommand(request, input.image),
      env: containerEnv(input, hostname),
      cwd: request.workdir || input.image?.WorkingDir || '/',
      capabilities: security?.capabilities ?? { bounding: [...caps], effective: [...effective], inheritable: [], permitted: [...effective], ambient: [] },
      noNewPrivileges: security?.noNewPrivileges ?? true,
    },
    root: { path: input.rootPath, readonly: request.readOnly },
    hostname,
    mounts: mounts(request),
    annotations: { 'io.podman.annotations.autoremove': request.remove ? 'TRUE' : 'FALSE', 'rrun.container.name': input.containerName },
    linux: {
      uidMappings: input.uidMappings,
      gidMappings: input.gidMappings,
      namespaces,
      // --privileged: nothing masked or read-only (podman's BlockAccessToKernelFilesystems off).
      maskedPaths: security?.privileged ? [] : DEFAULT_MASKED_PATHS.map((m) => m.path),
      readonlyPaths: security?.privileged ? [] : [...DEFAULT_READONLY_PATHS],
      ...(security?.seccomp !== undefined ? { seccomp: security.seccomp } : {}),
    },
  };
}
