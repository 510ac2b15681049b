// rrun's named volumes, where podman keeps its own: `$GRAPHROOT/volumes/<name>/_data`.
// podman's metadata lives in its bolt database, which rrun cannot write, so rrun keeps
// its own beside the data: `volumes/<name>/rrun-volume.json` (podman's inspect fields).
// A directory without that file is podman's volume: rrun uses it by name but does not
// list, prune or remove it. Creation and removal serialise on `volumes/rrun-volumes.lock`.
import { readFileSync, readdirSync, renameSync } from 'node:fs';
import { RrunError, errnoCode } from '../../oci/errors.js';
import { atomicWriteFile } from '../../storage/atomic.js';
import { withLocks } from '../../storage/lockfile.js';
import { mkdirp } from '../../storage/mkdirp.js';

/** What `volume inspect` shows, in podman's field order. */
export interface VolumeRecord {
  Name: string;
  Driver: string;
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string>;
  Scope: string;
  Options: Record<string, string>;
  UID?: number;
  GID?: number;
  Anonymous?: boolean;
  MountCount: number;
  NeedsCopyUp?: boolean;
  NeedsChown?: boolean;
}

export const VOLUME_META = 'rrun-volume.json';
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function volumesDir(graphRoot: string): string {
  return `${graphRoot}/volumes`;
}

export function volumePaths(graphRoot: string, name: string): { dir: string; data: string; meta: string } {
  const dir = `${volumesDir(graphRoot)}/${name}`;
  return { dir, data: `${dir}/_data`, meta: `${dir}/${VOLUME_META}` };
}

export function checkVolumeName(name: string): void {
  if (!NAME.test(name)) {
    throw new RrunError({ code: 'ERR_INVALID_VOLUME_NAME', message: 'running volume create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument', subject: name });
  }
}

export function noSuchVolume(name: string): RrunError {
  return new RrunError({ code: 'ERR_NO_SUCH_VOLUME', message: `no volume with name "${name}" found: no such volume`, subject: name, hint: 'see `rrun volume ls`' });
}

export function readVolume(graphRoot: string, name: string): VolumeRecord | undefined {
  if (!NAME.test(name)) return undefined;
  try {
    return JSON.parse(readFileSync(volumePaths(graphRoot, name).meta, 'utf8')) as VolumeRecord;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR' || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** A volume directory exists (rrun's or podman's). */
export function volumeDirExists(graphRoot: string, name: string): boolean {
  try {
    readdirSync(volumePaths(graphRoot, name).dir);
    return true;
  } catch {
    return false;
  }
}

export function writeVolume(graphRoot: string, v: VolumeRecord): void {
  atomicWriteFile(volumePaths(graphRoot, v.Name).meta, `${JSON.stringify(v)}\n`);
}

/** rrun's volumes, by name. */
export function listVolumes(graphRoot: string): VolumeRecord[] {
  let names: string[];
  try {
    names = readdirSync(volumesDir(graphRoot));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
  return names.sort().flatMap((n) => readVolume(graphRoot, n) ?? []);
}

export function withVolumesLock<T>(graphRoot: string, fn: () => Promise<T> | T): Promise<T> {
  mkdirp(volumesDir(graphRoot));
  return withLocks([{ path: `${volumesDir(graphRoot)}/rrun-volumes.lock`, mode: 'write' }], () => fn());
}

/** Makes `volumes/<name>/_data` and the record; the caller holds the volumes lock. */
export function createVolumeDirs(graphRoot: string, v: VolumeRecord): void {
  if (volumeDirExists(graphRoot, v.Name)) {
    throw new RrunError({ code: 'ERR_VOLUME_EXISTS', message: `volume with name ${v.Name} already exists: volume already exists`, subject: v.Name, exitCode: 125 });
  }
  const p = volumePaths(graphRoot, v.Name);
  mkdirp(p.dir, 0o700);
  mkdirp(p.data, 0o755);
  writeVolume(graphRoot, v);
}

/**
 * Removes a volume's directory. The record goes first (renamed aside), so a half-removed
 * volume is never listed; files of subordinate ids are removed by `removeTree`.
 */
export async function removeVolumeDirs(graphRoot: string, name: string, removeTree: (dir: string) => Promise<void>): Promise<void> {
  const p = volumePaths(graphRoot, name);
  const trash = `${volumesDir(graphRoot)}/.rrun-removing-${name}-${process.pid}`;
  renameSync(p.dir, trash);
  await removeTree(trash);
}
