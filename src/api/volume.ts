// `rrun volume create|ls|inspect|rm|prune|exists` over rrun's volumes (src/volumes/).
import { RrunError } from '../../oci/errors.js';
import { newRandomId } from '../../storage/containers.js';
import { createContext, type Context } from '../context.js';
import { newVolumeRecord, chownSources } from '../volumes/attach.js';
import { removeVolume, volumeInUse, volumeUsers } from '../volumes/remove.js';
import { checkVolumeName, createVolumeDirs, listVolumes, noSuchVolume, readVolume, volumePaths, withVolumesLock, type VolumeRecord } from '../volumes/store.js';
import { idMapping } from './run.js';
import { rm } from './rm.js';
import type { RunRequest } from '../runtime/request.js';

export interface VolumeCreateOptions {
  /** `-o KEY=VALUE`: `o=uid=N,gid=N` (others of `o` are kept as given). */
  options?: string[];
  /** `-l KEY=VALUE`. */
  labels?: string[];
}

const defaultIdmap = () => idMapping({ singleIdMap: false } as RunRequest);

function keyValues(list: readonly string[]): Record<string, string> {
  return Object.fromEntries(list.map((kv) => (kv.includes('=') ? [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] : [kv, ''])));
}

/** podman's local-driver options: `o` (uid=, gid= understood), nothing that needs a mount. */
function driverOptions(opts: Record<string, string>): Partial<VolumeRecord> {
  const out: Partial<VolumeRecord> & { Options: Record<string, string> } = { Options: { ...opts } };
  for (const [key, value] of Object.entries(opts)) {
    if (key !== 'o') {
      throw new RrunError({ code: 'ERR_VOLUME_OPTION', message: `invalid mount option ${key} for driver 'local': invalid argument`, subject: key, hint: 'rrun supports -o o=uid=N,gid=N' });
    }
    for (const o of value.split(',')) {
      const [k, v = ''] = o.split('=');
      if (k === 'uid') Object.assign(out, { UID: Number(v) }, { Options: { ...out.Options, UID: v } });
      else if (k === 'gid') Object.assign(out, { GID: Number(v) }, { Options: { ...out.Options, GID: v } });
    }
  }
  if (out.UID !== undefined || out.GID !== undefined) out.NeedsChown = false;
  return out;
}

export async function volumeCreate(name: string | undefined, opts: VolumeCreateOptions = {}, ctx?: Context): Promise<string> {
  const context = ctx ?? (await createContext());
  const graphRoot = context.storage.graphRoot;
  const volName = name ?? newRandomId();
  checkVolumeName(volName);
  const record = newVolumeRecord(graphRoot, volName, { Labels: keyValues(opts.labels ?? []), ...driverOptions(keyValues(opts.options ?? [])) });
  await withVolumesLock(graphRoot, () => createVolumeDirs(graphRoot, record));
  if (record.UID !== undefined || record.GID !== undefined) {
    const data = volumePaths(graphRoot, volName).data;
    await chownSources(context.storage.runRoot, [{ source: data, destination: '/', readonly: false, chown: true }], { uid: record.UID ?? 0, gid: record.GID ?? 0 }, defaultIdmap());
  }
  return volName;
}

export interface VolumeFilters {
  name?: string[];
  label?: string[];
  dangling?: boolean;
}

function matches(v: VolumeRecord, f: VolumeFilters, used: ReadonlyMap<string, string[]>): boolean {
  if (f.name?.length && !f.name.some((n) => v.Name.includes(n))) return false;
  const labelOk = (l: string): boolean => (l.includes('=') ? v.Labels[l.slice(0, l.indexOf('='))] === l.slice(l.indexOf('=') + 1) : l in v.Labels);
  if (f.label?.length && !f.label.every(labelOk)) return false;
  if (f.dangling !== undefined && f.dangling === (used.get(v.Name)?.length ?? 0) > 0) return false;
  return true;
}

export async function volumeList(filters: VolumeFilters = {}, ctx?: Context): Promise<VolumeRecord[]> {
  const context = ctx ?? (await createContext());
  const used = await volumeUsers(context);
  return listVolumes(context.storage.graphRoot).filter((v) => matches(v, filters, used));
}

/** The records found, and the names that were not. */
export async function volumeInspect(names: readonly string[], ctx?: Context): Promise<{ found: VolumeRecord[]; missing: string[] }> {
  const context = ctx ?? (await createContext());
  const found: VolumeRecord[] = [];
  const missing: string[] = [];
  for (const n of names) {
    const v = readVolume(context.storage.graphRoot, n);
    if (v === undefined) missing.push(n);
    else found.push(v);
  }
  return { found, missing };
}

export async function volumeExists(name: string, ctx?: Context): Promise<boolean> {
  const context = ctx ?? (await createContext());
  return readVolume(context.storage.graphRoot, name) !== undefined;
}

/** `volume rm [-f]`: -f first removes the containers that use the volume, as podman does. */
export async function volumeRm(name: string, force: boolean, ctx?: Context): Promise<void> {
  const context = ctx ?? (await createContext());
  if (readVolume(context.storage.graphRoot, name) === undefined) {
    const e = noSuchVolume(name);
    throw new RrunError({ code: e.code, message: e.message, subject: name, exitCode: 1 });
  }
  const users = (await volumeUsers(context)).get(name) ?? [];
  if (users.length > 0 && !force) throw volumeInUse(name, users);
  for (const id of users) await rm(id, { force: true }, context);
  await removeVolume(context, name, defaultIdmap());
}

/** `volume prune`: rrun's volumes no container uses (and that `selected` picks); returns their names. */
export async function volumePrune(ctx?: Context, selected: (v: VolumeRecord) => boolean = () => true): Promise<string[]> {
  const context = ctx ?? (await createContext());
  const unused = (await volumeList({ dangling: true }, context)).filter(selected);
  for (const v of unused) await removeVolume(context, v.Name, defaultIdmap());
  return unused.map((v) => v.Name);
}
