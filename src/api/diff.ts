// `rrun diff CONTAINER`: the changes in a container's writable layer against its image,
// as podman lists them. The upper directory is walked on the host with lstat only:
// files of subordinate ids keep their names and types readable from outside the userns
// (a directory we may not list is skipped). An overlay whiteout (a 0:0 character device)
// is a deletion; anything else is a change when its path exists in the image, else an
// addition. Opaque directories (rm -rf then mkdir of an image directory) are reported as
// changed only; their hidden image contents are not listed as deleted.
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { RrunError, errnoCode } from '../../oci/errors.js';
import { layerDirs, storePaths, type StorePaths } from '../../storage/paths.js';
import type { LayerRecord } from '../../storage/records.js';
import { readSnapshot } from '../../storage/store.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { findContainer } from './container-store.js';

export type ChangeKind = 'C' | 'A' | 'D';

export interface Change {
  kind: ChangeKind;
  path: string;
}

/** Paths the runtime mounts or creates in every container; podman leaves them out. */
const RUNTIME_PATHS = new Set([
  '/dev', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/etc/mtab', '/proc', '/run',
  '/run/.containerenv', '/run/notify', '/run/secrets', '/sys',
]);

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR' || errnoCode(err) === 'EACCES') return undefined;
    throw err;
  }
}

function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/** The image's layers' diff dirs, topmost first (the container layer's parents). */
function lowerDirs(paths: StorePaths, layers: ReadonlyMap<string, LayerRecord>, parent: string | undefined): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (let id = parent; id !== undefined && id !== '' && !seen.has(id); ) {
    seen.add(id);
    out.push(layerDirs(paths, id).diff);
    id = layers.get(id)?.parent;
  }
  return out;
}

/** Whether `rel` exists in the image: the topmost layer that has it decides. */
function inImage(lowers: readonly string[], rel: string): boolean {
  for (const dir of lowers) {
    const st = lstatOrUndefined(`${dir}${rel}`);
    if (st !== undefined) return !isWhiteout(st);
  }
  return false;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if (errnoCode(err) === 'EACCES') return [];
    throw err;
  }
}

/** Walks `upper`; `rel` is the container path of `upper + rel` ('' at the root). */
export function layerChanges(upper: string, lowers: readonly string[]): Change[] {
  const out: Change[] = [];
  const walk = (rel: string, parentNew: boolean): void => {
    for (const name of listDir(`${upper}${rel}`)) {
      const path = `${rel}/${name}`;
      const st = lstatOrUndefined(`${upper}${path}`);
      if (st === undefined) continue;
      if (isWhiteout(st)) {
        out.push({ kind: 'D', path });
        continue;
      }
      const isNew = parentNew || !inImage(lowers, path);
      out.push({ kind: isNew ? 'A' : 'C', path });
      if (st.isDirectory()) walk(path, isNew);
    }
  };
  walk('', false);
  // Go compares strings bytewise.
  return out
    .filter((c) => !RUNTIME_PATHS.has(c.path))
    .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

/** podman's `diff` JSON: only the non-empty lists. */
export function changesJson(changes: readonly Change[]): Record<string, string[]> {
  const keys: Record<ChangeKind, string> = { C: 'changed', A: 'added', D: 'deleted' };
  const out: Record<string, string[]> = {};
  for (const kind of ['C', 'A', 'D'] as const) {
    const paths = changes.filter((c) => c.kind === kind).map((c) => c.path);
    if (paths.length > 0) out[keys[kind]] = paths;
  }
  return out;
}

export async function containerDiff(nameOrId: string, o: GlobalOptions = {}, ctx?: Context): Promise<Change[]> {
  const context = ctx ?? (await createContext(o));
  const c = await findContainer(context, nameOrId).catch((err: unknown) => {
    if (err instanceof RrunError && err.code === 'ERR_NO_SUCH_CONTAINER') {
      // podman looks the name up as a container, then as an image, then as a layer.
      throw new RrunError({ code: err.code, message: `${nameOrId} not found: layer not known`, subject: nameOrId, hint: err.hint });
    }
    throw err;
  });
  const snap = await readSnapshot(context.storage);
  const paths = storePaths(context.storage);
  const layerId = c.record.layer ?? '';
  return layerChanges(layerDirs(paths, layerId).diff, lowerDirs(paths, snap.layers, snap.layers.get(layerId)?.parent));
}
