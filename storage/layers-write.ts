// Registering extracted layers in podman's store (storage-format §12.2). Everything slow
// happened before (download, extraction into a private staging directory, tar-split);
// here, under one continuous layers.lock write hold per call, each new layer gets its
// record with `incomplete`, its directories (the staging dir renamed into place), its
// link, lower and tar-split file, and then loses the flag. A layer somebody else
// registered meanwhile is reused; a stale incomplete one (a killed pull) is replaced.
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { HeldLock } from './lockfile.js';
import { layerDirs, type StorePaths } from './paths.js';
import { loadRecordFile, updateRecordFile } from './record-file.js';
import { layerSchema, type LayerRecord } from './records.js';
import { lowerFor, newLinkId, removeLayerDirs } from './layer-dirs.js';
import { nowRfc3339Nano } from './containers.js';

/** c/image's layer id: the diffID hex for a base layer, else sha256(parentID + "+" + diffID hex). */
export function layerId(parent: string | undefined, diffId: string): string {
  const hex = diffId.replace(/^sha256:/, '');
  return parent === undefined ? hex : createHash('sha256').update(`${parent}+${hex}`).digest('hex');
}

/** The layer ids of an image, base first, from its config's diff_ids. */
export function layerIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) out.push(layerId(out.at(-1), d));
  return out;
}

export interface StagedLayer {
  id: string;
  parent: string | undefined;
  diffDigest: string;
  diffSize: number;
  compressedDigest: string;
  compressedSize: number;
  /** c/storage's enum: 0 none, 2 gzip, 4 zstd. */
  compression: number;
  uidset: number[];
  gidset: number[];
  /** The extracted tree (becomes `overlay/<id>/diff`), on the store's file system. */
  stagingDir: string;
  /** The gzipped tar-split (becomes `overlay-layers/<id>.tar-split.gz`). */
  tarSplitFile: string;
}

export function layerRecord(l: StagedLayer, created: string): LayerRecord {
  return {
    id: l.id,
    ...(l.parent !== undefined ? { parent: l.parent } : {}),
    created,
    'compressed-diff-digest': l.compressedDigest,
    'compressed-size': l.compressedSize,
    'diff-digest': l.diffDigest,
    'diff-size': l.diffSize,
    ...(l.compression !== 0 ? { compression: l.compression } : {}),
    ...(l.uidset.length > 0 ? { uidset: l.uidset } : {}),
    ...(l.gidset.length > 0 ? { gidset: l.gidset } : {}),
  };
}

function withoutIncomplete(layer: LayerRecord): LayerRecord {
  const { flags, ...rest } = layer;
  const { incomplete: _drop, ...other } = flags ?? {};
  return Object.keys(other).length > 0 ? { ...rest, flags: other } : rest;
}

/** Move the staged tree and files into place and create the driver's bookkeeping. */
function placeLayer(paths: StorePaths, l: StagedLayer): void {
  const dirs = layerDirs(paths, l.id);
  mkdirSync(paths.linkDir, { recursive: true, mode: 0o755 });
  mkdirSync(dirs.base, { mode: 0o700 });
  // diff takes the parent diff's mode; a base layer's is 0555 (c/storage defaultPerms).
  const mode = l.parent === undefined ? 0o555 : statSync(layerDirs(paths, l.parent).diff).mode & 0o7777;
  // Renaming a directory rewrites its "..": chmod only once it is in place.
  renameSync(l.stagingDir, dirs.diff);
  chmodSync(dirs.diff, mode);
  mkdirSync(dirs.work, { mode: 0o700 });
  mkdirSync(dirs.merged, { mode: 0o700 });
  if (l.parent === undefined) mkdirSync(dirs.empty, { mode: 0o700 });
  else writeFileSync(dirs.lower, lowerFor(paths, l.parent), { mode: 0o644 });
  let link = newLinkId();
  while (existsSync(`${paths.linkDir}/${link}`)) link = newLinkId();
  writeFileSync(dirs.link, link, { mode: 0o644 });
  symlinkSync(`../${l.id}/diff`, `${paths.linkDir}/${link}`);
  chmodSync(l.tarSplitFile, 0o600);
  renameSync(l.tarSplitFile, `${paths.layersDir}/${l.id}.tar-split.gz`);
}

export type RemoveTree = (dir: string) => Promise<void>;

/**
 * Register `layers` (base first). The caller holds layers.lock for writing. Returns the
 * ids that were already present (their staging dirs are left for the caller to remove).
 */
export async function commitLayers(
  paths: StorePaths,
  lock: HeldLock,
  layers: readonly StagedLayer[],
  removeTree: RemoveTree,
): Promise<Set<string>> {
  const reused = new Set<string>();
  for (const l of layers) {
    const existing = (await loadRecordFile<LayerRecord>(paths.layersJson, layerSchema)).find((r) => r.id === l.id);
    if (existing !== undefined && existing.flags?.['incomplete'] !== true) {
      reused.add(l.id);
      continue;
    }
    if (existing !== undefined) {
      // Left by a killed writer: c/storage would delete it on its next write; we do it now.
      await removeLayerDirs(paths, l.id, removeTree);
      rmSync(`${paths.layersDir}/${l.id}.tar-split.gz`, { force: true });
    }
    const record: LayerRecord = { ...layerRecord(l, nowRfc3339Nano()), flags: { incomplete: true } };
    await updateRecordFile<LayerRecord>(lock, paths.layersJson, layerSchema, (all) => [...all.filter((r) => r.id !== l.id), record]);
    try {
      placeLayer(paths, l);
    } catch (err) {
      await removeLayerDirs(paths, l.id, removeTree);
      await updateRecordFile<LayerRecord>(lock, paths.layersJson, layerSchema, (all) => all.filter((r) => r.id !== l.id));
      throw err;
    }
    await updateRecordFile<LayerRecord>(lock, paths.layersJson, layerSchema, (all) =>
      all.map((r) => (r.id === l.id ? withoutIncomplete(r) : r)),
    );
  }
  return reused;
}
