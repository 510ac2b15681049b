// `rrun images` and `rrun image inspect` as library functions: they read the store and
// return data shaped like podman's (field names and values), never print.
import { RrunError } from '../../oci/errors.js';
import { formatRfc3339Seconds, parseTimeNanos } from '../../oci/time.js';
import { nowNanos } from '../../oci/time-input.js';
import { manifestMediaType, parseImageManifest, type HistoryEntry, type ImageRuntimeConfig } from '../../oci/image.js';
import type { ImageRecord } from '../../storage/records.js';
import { checkLayerDirs, layerChain, readSnapshot, type StoreSnapshot } from '../../storage/store.js';
import { layerDirs } from '../../storage/paths.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import {
  ImageTree,
  configKey,
  createdSeconds,
  imageSize,
  parentCandidates,
  repoDigests,
  repoTags,
} from '../image/catalog.js';
import { resolveLocalImage } from '../image/local.js';
import { anchorError, imagePredicate, parseImageFilters, type FilterableImage, type ImageAnchor } from './image-filter.js';

/** One image as `podman images` describes it (podman's entities.ImageSummary). */
export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  Size: number;
  SharedSize: number;
  VirtualSize: number;
  Labels: Record<string, string> | null;
  Containers: number;
  Names?: string[];
  Dangling?: boolean;
  Digest: string;
  /** Omitted when empty, as podman's omitempty does. */
  History?: string[];
  /** Seconds since the epoch. */
  Created: number;
  CreatedAt: string;
}

export interface ListImagesOptions extends GlobalOptions {
  /** Include intermediate images (podman images -a). */
  all?: boolean;
  /** `--filter KEY=VALUE` (see image-filter.ts). */
  filters?: readonly string[];
}

/** Go marshals maps with sorted keys. */
function sortedKeys<T>(map: Record<string, T> | undefined): Record<string, T> | undefined {
  return map === undefined ? undefined : Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const withConfig = (image: ImageRecord): string[] => [configKey(image), 'manifest'];

function summarize(snap: StoreSnapshot, tree: ImageTree, image: ImageRecord): ImageSummary {
  const names = image.names ?? [];
  const created = createdSeconds(image);
  const size = imageSize(snap, image);
  const dangling = names.length === 0 && !tree.hasChildren(image);
  const history = image['names-history'] ?? [];
  // Key order is podman's JSON order; Names and Dangling are omitted when empty.
  return {
    Id: image.id,
    ParentId: tree.parent(image)?.id ?? '',
    RepoTags: repoTags(image),
    RepoDigests: repoDigests(image),
    Size: size,
    SharedSize: 0,
    VirtualSize: size,
    Labels: sortedKeys(tree.config(image)?.config?.Labels) ?? null,
    Containers: snap.containers.filter((c) => c.image === image.id).length,
    ...(names.length > 0 ? { Names: names } : {}),
    ...(dangling ? { Dangling: true } : {}),
    Digest: image.digest ?? '',
    ...(history.length > 0 ? { History: history } : {}),
    Created: created,
    CreatedAt: formatRfc3339Seconds(created),
  };
}

/** What the filters see of an image. */
export function filterFacts(snap: StoreSnapshot, tree: ImageTree, image: ImageRecord): FilterableImage {
  const names = image.names ?? [];
  const children = tree.hasChildren(image);
  return {
    id: image.id,
    names,
    created: parseTimeNanos(image.created ?? '') ?? 0n,
    labels: tree.config(image)?.config?.Labels ?? {},
    dangling: names.length === 0 && !children,
    intermediate: names.length === 0 && children,
    containers: snap.containers.filter((c) => c.image === image.id).length,
  };
}

/** Resolves before=/since= against the snapshot, failing as podman does. */
export function imageAnchor(context: Context, snap: StoreSnapshot): ImageAnchor {
  return (key, ref) => {
    if (ref === '') throw anchorError(key, ref, 'repository name must have at least one component');
    let image: ImageRecord;
    try {
      image = resolveLocalImage(context, snap, ref);
    } catch {
      throw anchorError(key, ref, `${ref}: image not known`);
    }
    return parseTimeNanos(image.created ?? '') ?? 0n;
  };
}

/** The images of the store that the filters select, newest first; intermediate images only with `all`. */
export async function listImages(opts: ListImagesOptions = {}, ctx?: Context): Promise<ImageSummary[]> {
  const context = ctx ?? (await createContext(opts));
  const now = nowNanos();
  // Without -a podman hides intermediate images through a filter of its own.
  const filters = parseImageFilters([...(opts.all === true ? [] : ['intermediate=false']), ...(opts.filters ?? [])], now);
  const snap = await readSnapshot(context.storage, { containers: true, imageBigData: withConfig });
  const tree = new ImageTree(snap);
  const selected = imagePredicate(filters, imageAnchor(context, snap), now);
  const visible = snap.images.filter((image) => selected(filterFacts(snap, tree, image)));
  return visible.map((image) => summarize(snap, tree, image)).sort((a, b) => b.Created - a.Created);
}

/** `podman image inspect` data (c/common libimage ImageData). */
export interface ImageInspect {
  Id: string;
  Digest: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string | null;
  Config: ImageRuntimeConfig;
  Version: string;
  Author: string;
  Architecture: string;
  Os: string;
  Size: number;
  VirtualSize: number;
  GraphDriver: { Name: string; Data: Record<string, string> };
  RootFS: { Type: string; Layers: string[] };
  Labels: Record<string, string> | null;
  Annotations: Record<string, string>;
  ManifestType: string;
  User: string;
  History: HistoryEntry[];
  NamesHistory: string[];
  Healthcheck?: unknown;
}

// The OCI ImageConfig fields in the order Go marshals them.
const runtimeConfigFields = [
  'User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'ArgsEscaped',
] as const;

function ociRuntimeConfig(cfg: ImageRuntimeConfig | undefined): ImageRuntimeConfig {
  const out: ImageRuntimeConfig = {};
  for (const field of runtimeConfigFields) {
    const value = cfg?.[field];
    const empty =
      value === undefined || value === null || value === '' || value === false ||
      (Array.isArray(value) && value.length === 0) ||
      (typeof value === 'object' && Object.keys(value).length === 0);
    if (!empty) (out as Record<string, unknown>)[field] = value;
  }
  return out;
}

function ociHistory(history: HistoryEntry[] | undefined): HistoryEntry[] {
  return (history ?? []).map((h) => {
    const out: HistoryEntry = {};
    if (h.created !== undefined) out.created = h.created;
    if (h.created_by) out.created_by = h.created_by;
    if (h.author) out.author = h.author;
    if (h.comment) out.comment = h.comment;
    if (h.empty_layer) out.empty_layer = true;
    return out;
  });
}

function graphDriver(snap: StoreSnapshot, image: ImageRecord): ImageInspect['GraphDriver'] {
  const chain = layerChain(snap, image.layer, image.id);
  const [top, ...lower] = chain;
  const data: Record<string, string> = {};
  if (lower.length > 0) data['LowerDir'] = lower.map((l) => layerDirs(snap.paths, l.id).diff).join(':');
  if (top !== undefined) {
    data['UpperDir'] = layerDirs(snap.paths, top.id).diff;
    data['WorkDir'] = layerDirs(snap.paths, top.id).work;
  }
  return { Name: snap.options.driver, Data: data };
}

function inspectRecord(snap: StoreSnapshot, tree: ImageTree, image: ImageRecord): ImageInspect {
  const config = tree.config(image);
  if (config === undefined) {
    throw new RrunError({
      code: 'ERR_IMAGE_CONFIG_MISSING',
      message: `image ${image.id} has no config in the store`,
      subject: image.id,
      hint: 'the image is damaged; remove it and pull or build it again',
    });
  }
  const rawManifest = snap.bigData.get(image.id)?.get('manifest');
  const manifest = rawManifest === undefined ? undefined : parseImageManifest(rawManifest, `manifest of image ${image.id}`);
  const manifestType = manifest === undefined ? '' : manifestMediaType(manifest);
  const isOci = manifestType === 'application/vnd.oci.image.manifest.v1+json';
  const history = ociHistory(config.history);
  const size = imageSize(snap, image);
  const data: ImageInspect = {
    Id: image.id,
    Digest: image.digest ?? '',
    RepoTags: repoTags(image),
    RepoDigests: repoDigests(image),
    Parent: tree.parent(image)?.id ?? '',
    Comment: (isOci ? history[0]?.comment : config.comment) ?? '',
    Created: config.created ?? null,
    Config: ociRuntimeConfig(config.config),
    Version: config.docker_version ?? '',
    Author: config.author ?? '',
    Architecture: config.architecture ?? '',
    Os: config.os ?? '',
    Size: size,
    VirtualSize: size,
    GraphDriver: graphDriver(snap, image),
    RootFS: { Type: config.rootfs?.type ?? '', Layers: config.rootfs?.diff_ids ?? [] },
    Labels: sortedKeys(config.config?.Labels) ?? null,
    Annotations: (isOci ? manifest?.annotations : undefined) ?? {},
    ManifestType: manifestType,
    User: config.config?.User ?? '',
    History: history,
    NamesHistory: image['names-history'] ?? [],
  };
  const health = config.container_config?.Healthcheck ?? config.config?.Healthcheck;
  if (!isOci && health !== undefined && health !== null) data.Healthcheck = health;
  return data;
}

/** Inspect one image by name, short name, id or id prefix. */
export async function inspectImage(nameOrId: string, opts: GlobalOptions = {}, ctx?: Context): Promise<ImageInspect> {
  const context = ctx ?? (await createContext(opts));
  // Only the image and the images that can be its parent: their configs and manifests.
  let chosen: ImageRecord | undefined;
  const snap = await readSnapshot(context.storage, {
    imageBigData: withConfig,
    bigDataImages: (images, layers) => {
      chosen = resolveLocalImage(context, { images }, nameOrId);
      return [chosen, ...parentCandidates(chosen, images, layers).filter((i) => i.id !== chosen?.id)];
    },
  });
  const image = chosen ?? resolveLocalImage(context, snap, nameOrId);
  await checkLayerDirs(snap, layerChain(snap, image.layer, image.id), nameOrId);
  return inspectRecord(snap, new ImageTree(snap), image);
}
