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

/** `HOST:CONTAINER[:OPTIONS]` (a bind), `NAME:CONTAINER[:OPTIONS]` (a named volume) or `CONTAINER` (anonymous). */
export function parseVolume(spec: string): VolumeRequest {
  const parts = spec.split(':');
  if (parts.length > 3) throw volumeError(spec, 'expected HOST-DIR:CONTAINER-DIR[:OPTIONS]');
  if (parts.length === 1) return volumeOptions(spec, '', { source: '', destination: checkDestination(spec), readonly: false, volume: { name: '', anonymous: true } });
  const [source = '', destination = '', options = ''] = parts;
  checkDestination(destination);
  if (source.startsWith('/') || source.startsWith('.')) {
    if (!source.startsWith('/')) throw volumeError(spec, `"${source}" is not an absolute host path`, 'give an absolute host path (e.g. "$PWD/data:/data")');
    return volumeOptions(spec, options, { source, destination, readonly: false });
  }
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(source)) {
    throw new RrunError({ code: 'ERR_INVALID_VOLUME_NAME', message: `creating named volume "${source}": running volume create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument`, subject: source });
  }
  return volumeOptions(spec, options, { source: '', destination, readonly: false, volume: { name: source, anonymous: false } });
}

function checkDestination(destination: string): string {
  if (!destination.startsWith('/')) {
    throw new RrunError({ code: 'ERR_INVALID_VOLUME', message: `invalid container path "${destination}", must be an absolute path`, subject: destination });
  }
  return destination;
}

// podman's -v options with an effect here; the others are accepted and ignored.
const volumeFlags: Readonly<Record<string, (v: VolumeRequest) => void>> = {
  ro: (v) => { v.readonly = true; },
  rw: (v) => { v.readonly = false; },
  U: (v) => { v.chown = true; },
  nocopy: (v) => { v.noCopy = true; },
  copy: (v) => { v.noCopy = false; },
};

function volumeOptions(spec: string, options: string, v: VolumeRequest): VolumeRequest {
  for (const opt of options.split(',').filter(Boolean)) {
    const apply = volumeFlags[opt];
    if (apply !== undefined) apply(v);
    else if (opt === 'O') throw volumeError(spec, 'overlay volumes (:O) are not supported by rrun', 'bind the directory, or copy it into a named volume');
    else if (!ignoredVolumeOptions.has(opt)) throw new RrunError({ code: 'ERR_INVALID_VOLUME', message: `invalid option type "${opt}"`, subject: spec });
  }
  return v;
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
