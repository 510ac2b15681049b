// `rrun system prune`: podman's order — rrun's stopped containers first (so the images
// and volumes only they used become unused), then with `volumes` the unused volumes,
// then dangling images (or with `all` every image no container uses), each narrowed by
// the filters. Each removed object comes back with its size, which podman adds up as
// "reclaimed space".
import { layerDirs, storePaths } from '../../storage/paths.js';
import { treeSize } from '../../storage/tree-size.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { volumePaths } from '../volumes/store.js';
import { nowNanos } from '../../oci/time-input.js';
import { listContainers, type RrunContainer } from './container-store.js';
import { checkVolumeFilters, parsePruneFilters, prunable, type PruneFilters } from './prune-filter.js';
import { imagePrune, type PrunedImage } from './image-prune.js';
import { prune as containerPrune } from './rm.js';
import { volumeList, volumePrune } from './volume.js';

export interface SystemPruneOptions extends GlobalOptions {
  all?: boolean;
  volumes?: boolean;
  /** `--filter label=…|label!=…|until=…` (prune-filter.ts). */
  filters?: readonly string[];
}

export interface Pruned {
  name: string;
  size: number;
}

export interface SystemPruneReport {
  containers: Pruned[];
  volumes: Pruned[];
  images: PrunedImage[];
}

async function pruneContainers(context: Context, f: PruneFilters): Promise<Pruned[]> {
  const paths = storePaths(context.storage);
  const sizes = new Map<string, number>();
  for (const c of await listContainers(context)) {
    const layer = c.record.layer;
    if (c.state.status !== 'running') sizes.set(c.id, layer === undefined ? 0 : treeSize(layerDirs(paths, layer).diff));
  }
  // rrun's containers carry no labels.
  const selected = (c: RrunContainer): boolean => prunable(f, {}, c.created);
  return (await containerPrune(context, selected)).map((id) => ({ name: id, size: sizes.get(id) ?? 0 }));
}

async function pruneVolumes(context: Context, f: PruneFilters): Promise<Pruned[]> {
  checkVolumeFilters(f);
  const graphRoot = context.storage.graphRoot;
  const sizes = new Map((await volumeList({ dangling: true }, context)).map((v) => [v.Name, treeSize(volumePaths(graphRoot, v.Name).data)]));
  return (await volumePrune(context, (v) => prunable(f, v.Labels, v.CreatedAt))).map((name) => ({ name, size: sizes.get(name) ?? 0 }));
}

export async function systemPrune(opts: SystemPruneOptions = {}, ctx?: Context): Promise<SystemPruneReport> {
  const context = ctx ?? (await createContext(opts));
  const filters = parsePruneFilters(opts.filters ?? [], nowNanos());
  const containers = await pruneContainers(context, filters);
  const volumes = opts.volumes === true ? await pruneVolumes(context, filters) : [];
  const images = await imagePrune({ all: opts.all ?? false, filters: filters.specs }, context);
  return { containers, volumes, images };
}

/** Total bytes of everything the report removed. */
export function reclaimedBytes(r: SystemPruneReport): number {
  return [...r.containers, ...r.volumes, ...r.images].reduce((n, x) => n + x.size, 0);
}
