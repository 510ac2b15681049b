// `-v`, `--tmpfs` and `-e`/`--env-file` decoders with podman's rules and messages. Pure
// except where a host fact must be read (the env of this process, env files).
import { RrunError } from '../../oci/errors.js';
import type { TmpfsRequest, VolumeRequest } from './request.js';

// Options podman accepts on -v that have no effect for a rootless bind (SELinux
// relabels, propagation, idmapping hints) are accepted and ignored, as podman does
// where the kernel has no SELinux.
const ignoredVolumeOptions = new Set(['z', 'Z', 'rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave', 'rbind', 'bind', 'nocopy', 'copy', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev']);

function volumeError(spec: string, what: string, hint?: string): RrunError {
  return new RrunError({ code: 'ERR_INVALID_VOLUME', message: `invalid volume "${spec}": ${what}`, subject: spec, hint });
}

/** `HOST:CONTAINER[:OPTIONS]` for bind mounts of host paths. */
export function parseVolume(spec: string): VolumeRequest {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) {
    throw volumeError(spec, 'expected HOST-DIR:CONTAINER-DIR[:OPTIONS]', 'anonymous and named volumes are not supported yet; bind a host path');
  }
  const [source = '', destination = '', options = ''] = parts;
  if (!source.startsWith('/')) {
    throw volumeError(spec, `"${source}" is not an absolute host path`, 'named volumes are not supported yet; give an absolute host path (e.g. "$PWD/data:/data")');
  }
  if (!destination.startsWith('/')) {
    throw volumeError(spec, `invalid container path "${destination}", must be an absolute path`);
  }
  let readonly = false;
  for (const opt of options.split(',').filter(Boolean)) {
    if (opt === 'ro') readonly = true;
    else if (opt === 'rw') readonly = false;
    else if (!ignoredVolumeOptions.has(opt)) throw volumeError(spec, `invalid option "${opt}"`, 'use ro, rw, z or Z');
  }
  return { source, destination, readonly };
}

/** `--tmpfs /path[:opts]`. */
export function parseTmpfs(spec: string): TmpfsRequest {
  const colon = spec.indexOf(':');
  const destination = colon < 0 ? spec : spec.slice(0, colon);
  if (!destination.startsWith('/')) {
    throw new RrunError({ code: 'ERR_INVALID_TMPFS', message: `invalid tmpfs "${spec}": the container path must be absolute`, subject: spec });
  }
  const options = colon < 0 ? [] : spec.slice(colon + 1).split(',').filter(Boolean);
  return { destination, options };
}

/** `-e NAME=VALUE`, or `-e NAME` taking the value from rrun's environment (skipped when unset). */
export function resolveEnvArg(arg: string, env: Readonly<Record<string, string | undefined>>): string[] {
  if (arg.includes('=')) {
    if (arg.startsWith('=')) throw new RrunError({ code: 'ERR_INVALID_ENV', message: `invalid environment variable "${arg}": empty name`, subject: arg });
    return [arg];
  }
  const value = env[arg];
  return value === undefined ? [] : [`${arg}=${value}`];
}

/** The lines of an env file: `NAME=VALUE`, `NAME` (from the environment), comments and blanks skipped. */
export function parseEnvFile(text: string, env: Readonly<Record<string, string | undefined>>): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))
    .flatMap((l) => resolveEnvArg(l.trimStart(), env));
}
