// Facts about the images of a store snapshot that podman derives rather than stores:
// repo tags and digests, sizes, parent/child relations (c/common libimage semantics,
// re-derived from its documented behaviour: a parent shares all its diff IDs with the
// child and has exactly one history entry fewer, matching entry by entry).
import { parseImageConfig, type HistoryEntry, type ImageConfig } from '../../oci/image.js';
import { parseTimeNanos, parseTimeSeconds } from '../../oci/time.js';
import type { ImageRecord, LayerRecord } from '../../storage/records.js';
import { layerChain, type StoreSnapshot } from '../../storage/store.js';

/** The big-data key of an image's config: its config digest, `sha256:<image id>`. */
export function configKey(image: ImageRecord): string {
  return `sha256:${image.id}`;
}

export function imageConfig(snap: StoreSnapshot, image: ImageRecord): ImageConfig | undefined {
  const bytes = snap.bigData.get(image.id)?.get(configKey(image));
  return bytes === undefined ? undefined : parseImageConfig(bytes, `config of image ${image.id}`);
}

/** Split a stored name into repository and tag/digest parts. */
export function splitName(name: string): { repo: string; tag?: string; digest?: string } {
  const at = name.indexOf('@');
  if (at >= 0) return { repo: name.slice(0, at), digest: name.slice(at + 1) };
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return { repo: name.slice(0, colon), tag: name.slice(colon + 1) };
  return { repo: name };
}

/** Names that carry a tag (podman's RepoTags). */
export function repoTags(image: ImageRecord): string[] {
  return (image.names ?? []).filter((n) => splitName(n).tag !== undefined);
}

/** The record's digest first, then every other manifest digest it stores (c/storage Digests). */
export function imageDigests(image: ImageRecord): string[] {
  const out: string[] = [];
  const add = (d: string | undefined): void => {
    if (d !== undefined && d !== '' && !out.includes(d)) out.push(d);
  };
  add(image.digest);
  for (const key of image['big-data-names'] ?? []) {
    if (key.startsWith('manifest')) add(image['big-data-digests']?.[key]);
  }
  return out;
}

/** `repo@digest` for every name and every digest of the image (podman's RepoDigests). */
export function repoDigests(image: ImageRecord): string[] {
  const out: string[] = [];
  for (const name of image.names ?? []) {
    const { repo } = splitName(name);
    for (const digest of imageDigests(image)) {
      const ref = `${repo}@${digest}`;
      if (!out.includes(ref)) out.push(ref);
    }
  }
  return out;
}

/** Layer bytes (uncompressed) of the whole chain plus the image's big data, as c/storage sums them. */
export function imageSize(snap: StoreSnapshot, image: ImageRecord): number {
  const layers = layerChain(snap, image.layer, image.id).reduce((n, l) => n + (l['diff-size'] ?? 0), 0);
  const bigData = Object.values(image['big-data-sizes'] ?? {}).reduce((n, s) => n + s, 0);
  return layers + bigData;
}

function sameHistoryEntry(a: HistoryEntry, b: HistoryEntry): boolean {
  const time = (t: string | undefined): bigint | undefined => (t === undefined ? undefined : parseTimeNanos(t));
  return (
    time(a.created) === time(b.created) &&
    (a.created_by ?? '') === (b.created_by ?? '') &&
    (a.author ?? '') === (b.author ?? '') &&
    (a.comment ?? '') === (b.comment ?? '') &&
    (a.empty_layer ?? false) === (b.empty_layer ?? false)
  );
}

/** True when `child` is directly built on `parent`. */
export function isParentOf(parent: ImageConfig, child: ImageConfig): boolean {
  const pd = parent.rootfs?.diff_ids ?? [];
  const cd = child.rootfs?.diff_ids ?? [];
  if (pd.length > cd.length || pd.some((d, i) => cd[i] !== d)) return false;
  const ph = parent.history ?? [];
  const ch = child.history ?? [];
  if (ph.length + 1 !== ch.length) return false;
  return ph.every((entry, i) => sameHistoryEntry(entry, ch[i] as HistoryEntry));
}

/** Parent and child relations for all images of a snapshot (configs must be loaded). */
export class ImageTree {
  private readonly byLayer = new Map<string, ImageRecord[]>();
  private readonly configs = new Map<string, ImageConfig | undefined>();

  constructor(private readonly snap: StoreSnapshot) {
    for (const image of snap.images) {
      if (image.layer === undefined || image.layer === '') continue;
      const list = this.byLayer.get(image.layer) ?? [];
      list.push(image);
      this.byLayer.set(image.layer, list);
    }
  }

  config(image: ImageRecord): ImageConfig | undefined {
    if (!this.configs.has(image.id)) this.configs.set(image.id, imageConfig(this.snap, image));
    return this.configs.get(image.id);
  }

  private related(a: ImageRecord, b: ImageRecord): boolean {
    const pa = this.config(a);
    const cb = this.config(b);
    return a.id !== b.id && pa !== undefined && cb !== undefined && isParentOf(pa, cb);
  }

  /** Images on the same top layer, then on the parent layer. */
  parent(child: ImageRecord): ImageRecord | undefined {
    return parentCandidates(child, this.snap.images, this.snap.layers).find((p) => this.related(p, child));
  }

  hasChildren(parent: ImageRecord): boolean {
    if (parent.layer === undefined || parent.layer === '') return false;
    const childLayers = [...this.snap.layers.values()].filter((l) => l.parent === parent.layer).map((l) => l.id);
    const candidates = [parent.layer, ...childLayers].flatMap((id) => this.byLayer.get(id) ?? []);
    return candidates.some((c) => this.related(parent, c));
  }
}

/**
 * The images that can be `child`'s parent (podman's rule): those on its top layer, then
 * those on that layer's parent. Only their configs are needed to find it.
 */
export function parentCandidates(child: ImageRecord, images: readonly ImageRecord[], layers: ReadonlyMap<string, LayerRecord>): ImageRecord[] {
  if (child.layer === undefined || child.layer === '') return [];
  const parentLayer = layers.get(child.layer)?.parent;
  return [
    ...images.filter((i) => i.layer === child.layer),
    ...(parentLayer ? images.filter((i) => i.layer === parentLayer) : []),
  ];
}

/** podman's created time of an image record, in seconds. */
export function createdSeconds(image: ImageRecord): number {
  return parseTimeSeconds(image.created);
}
