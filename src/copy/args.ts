// `rrun cp SRC DEST`: which side is the container, and where a copy lands. Pure.
//
// podman's reading of an argument: a path that starts with `/` or `.` is on the host,
// `-` is a tar stream on stdin/stdout, and otherwise `NAME:PATH` names a container.
// Where the copy lands follows `docker cp`: into an existing directory under the
// source's name (or its contents for `SRC/.`), over an existing file, or as a new
// entry whose parent must exist.
import { posix } from 'node:path';
import { RrunError } from '../../oci/errors.js';

export interface CopyArg {
  /** Absent: a host path (or `-`). */
  container?: string | undefined;
  path: string;
}

export interface CopyRequest {
  direction: 'in' | 'out';
  container: string;
  containerPath: string;
  /** Host path, or `-` for a tar stream (stdin for `in`, stdout for `out`). */
  hostPath: string;
}

export function parseCopyArg(arg: string): CopyArg {
  if (arg === '-' || arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const colon = arg.indexOf(':');
  if (colon < 0) return { path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

function usage(message: string): RrunError {
  return new RrunError({ code: 'ERR_USAGE', message });
}

/** Exactly one side must be a container; podman's messages otherwise. */
export function copyRequest(src: string, dest: string): CopyRequest {
  const s = parseCopyArg(src);
  const d = parseCopyArg(dest);
  if (s.container !== undefined && d.container !== undefined) {
    throw new RrunError({ code: 'ERR_CP_UNSUPPORTED', message: 'copying between containers is not supported by rrun', hint: 'copy to the host, then into the other container' });
  }
  const ctr = s.container ?? d.container;
  if (ctr === undefined || ctr === '') throw usage('name or ID cannot be empty');
  const host = s.container !== undefined ? d.path : s.path;
  const inside = s.container !== undefined ? s.path : d.path;
  return { direction: s.container !== undefined ? 'out' : 'in', container: ctr, containerPath: inside === '' ? '/' : inside, hostPath: host };
}

export type Kind = 'dir' | 'file' | 'none';

/** Where the source's tar is extracted: directory `dir`, the top entry named `name` ('.' = contents). */
export type Landing = { dir: string; name: string } | { error: 'not-found' | 'not-dir' };

export interface DestFacts {
  dest: string;
  destKind: Kind;
  parentKind: Kind;
  srcIsDir: boolean;
  /** The source's own name (`SRC/.` → '.'). */
  srcName: string;
}

export function landing(f: DestFacts): Landing {
  if (f.destKind === 'dir') return { dir: f.dest, name: f.srcName };
  if (f.destKind === 'file') return f.srcIsDir ? { error: 'not-dir' } : { dir: posix.dirname(f.dest), name: posix.basename(f.dest) };
  if (f.dest.endsWith('/') || f.parentKind !== 'dir') return { error: 'not-found' };
  return { dir: posix.dirname(f.dest), name: posix.basename(f.dest) };
}

/** The name a source contributes: its base name, or '.' for `DIR/.` and `/` (its contents). */
export function sourceName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '.' || trimmed.endsWith('/.')) return '.';
  return posix.basename(trimmed);
}
