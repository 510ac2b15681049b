// `rrun system df`: what images, rrun's containers and rrun's volumes take, the data
// podman 4.3 reports (libimage's per-image disk usage: an image with children shares
// all of its size, one with only a parent shares the parent's size; one entry per tag).
import { parseTimeSeconds } from '../../oci/time.js';
import { layerDirs } from '../../storage/paths.js';
import { readSnapshot, type StoreSnapshot } from '../../storage/store.js';
import { treeSize } from '../../storage/tree-size.js';
import type { ImageRecord } from '../../storage/records.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { configKey, createdSeconds, ImageTree, imageSize, repoTags, splitName } from '../image/catalog.js';
import { listVolumes, volumePaths } from '../volumes/store.js';
import { volumesOf } from '../volumes/remove.js';
import { listContainers, type RrunContainer } from './container-store.js';

export interface ImageUsage {
  Repository: string;
  Tag: string;
  ImageID: string;
  /** Unix seconds. */
  Created: number;
  Size: number;
  SharedSize: number;
  UniqueSize: number;
  Containers: number;
}

export interface ContainerUsage {
  ContainerID: string;
  Image: string;
  Command: string[];
  LocalVolumes: number;
  /** The writable layer's size. */
  RWSize: number;
  Created: number;
  Status: string;
  Names: string;
}

export interface VolumeUsage {
  VolumeName: string;
  Links: number;
  Size: number;
}

export interface DiskUsage {
  Images: ImageUsage[];
  Containers: ContainerUsage[];
  Volumes: VolumeUsage[];
}

function imageUsage(snap: StoreSnapshot, tree: ImageTree, image: ImageRecord): ImageUsage[] {
  const size = imageSize(snap, image);
  const parent = tree.parent(image);
  const shared = tree.hasChildren(image) ? size : parent !== undefined ? imageSize(snap, parent) : 0;
  const base: ImageUsage = {
    Repository: '<none>', Tag: '<none>', ImageID: image.id, Created: createdSeconds(image),
    Size: size, SharedSize: shared, UniqueSize: size - shared,
    Containers: snap.containers.filter((c) => c.image === image.id).length,
  };
  const tags = repoTags(image);
  return tags.length === 0 ? [base] : tags.map((t) => ({ ...base, Repository: splitName(t).repo, Tag: splitName(t).tag ?? '<none>' }));
}

function containerUsage(snap: StoreSnapshot, c: RrunContainer): ContainerUsage {
  const layer = c.record.layer;
  return {
    ContainerID: c.id,
    Image: c.imageId,
    Command: c.config?.spec.process.args ?? [],
    LocalVolumes: volumesOf(c.record).length,
    RWSize: layer === undefined ? 0 : treeSize(layerDirs(snap.paths, layer).diff),
    Created: parseTimeSeconds(c.created),
    Status: c.state.status,
    Names: c.name,
  };
}

export async function systemDf(opts: GlobalOptions = {}, ctx?: Context): Promise<DiskUsage> {
  const context = ctx ?? (await createContext(opts));
  const snap = await readSnapshot(context.storage, { containers: true, imageBigData: (i) => [configKey(i)] });
  const tree = new ImageTree(snap);
  const containers = await listContainers(context);
  const graphRoot = context.storage.graphRoot;
  const links = new Map<string, number>();
  for (const record of snap.containers) for (const v of volumesOf(record)) links.set(v.name, (links.get(v.name) ?? 0) + 1);
  return {
    Images: snap.images.flatMap((image) => imageUsage(snap, tree, image)),
    // Newest first, as podman lists them.
    Containers: containers.map((c) => containerUsage(snap, c)).sort((a, b) => b.Created - a.Created),
    Volumes: listVolumes(graphRoot).map((v) => ({
      VolumeName: v.Name, Links: links.get(v.Name) ?? 0, Size: treeSize(volumePaths(graphRoot, v.Name).data),
    })),
  };
}

/** One line of the summary table. */
export interface DfSummary {
  Type: 'Images' | 'Containers' | 'Local Volumes';
  Total: number;
  Active: number;
  RawSize: number;
  RawReclaimable: number;
}

/** podman's summary: totals over the entries (an image counted per tag), reclaimable = unused. */
export function summarizeDf(du: DiskUsage): DfSummary[] {
  const sum = <T>(list: readonly T[], size: (x: T) => number): number => list.reduce((n, x) => n + size(x), 0);
  const unusedImages = du.Images.filter((i) => i.Containers === 0);
  const stopped = du.Containers.filter((c) => c.Status !== 'running');
  const unusedVolumes = du.Volumes.filter((v) => v.Links === 0);
  return [
    { Type: 'Images', Total: du.Images.length, Active: du.Images.length - unusedImages.length, RawSize: sum(du.Images, (i) => i.Size), RawReclaimable: sum(unusedImages, (i) => i.Size) },
    { Type: 'Containers', Total: du.Containers.length, Active: du.Containers.length - stopped.length, RawSize: sum(du.Containers, (c) => c.RWSize), RawReclaimable: sum(stopped, (c) => c.RWSize) },
    { Type: 'Local Volumes', Total: du.Volumes.length, Active: du.Volumes.length - unusedVolumes.length, RawSize: sum(du.Volumes, (v) => v.Size), RawReclaimable: sum(unusedVolumes, (v) => v.Size) },
  ];
}

/** podman's RECLAIMABLE cell: `6.433MB (75%)`, the share rounded half away from zero. */
export function reclaimableText(s: DfSummary, size: (n: number) => string): string {
  const percent = s.RawSize === 0 ? 0 : Math.round((s.RawReclaimable * 100) / s.RawSize);
  return `${size(s.RawReclaimable)} (${percent}%)`;
}
