// Registering an image in images.json with its big-data files, as c/image's storage
// destination does after a pull (storage-format §6, §12.2): id = sha256(config), the
// config under its digest, the manifest under `manifest-<digest>` and `manifest` (and a
// manifest list under its own digest), an empty signature item, names taken away from
// any other image and prepended to names-history. Also tagging and untagging.
import { mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { atomicWriteFile } from './atomic.js';
import type { HeldLock } from './lockfile.js';
import { imageBigDataPath, type StorePaths } from './paths.js';
import { updateRecordFile } from './record-file.js';
import { imageSchema, type ImageRecord } from './records.js';

export interface NewImage {
  /** Hex of sha256(config). */
  id: string;
  topLayer: string | undefined;
  config: Buffer;
  manifest: Buffer;
  manifestDigest: string;
  /** The manifest list or index the image was chosen from. */
  list?: { bytes: Buffer; digest: string } | undefined;
  names: string[];
  /** The config's `created`, or now. */
  created: string;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function bigDataItems(img: NewImage): [string, Buffer][] {
  const hex = img.manifestDigest.replace(/^sha256:/, '');
  return [
    [`sha256:${img.id}`, img.config],
    [`manifest-${img.manifestDigest}`, img.manifest],
    ...(img.list !== undefined ? [[`manifest-${img.list.digest}`, img.list.bytes] as [string, Buffer]] : []),
    ['manifest', img.manifest],
    [`signature-${hex}`, Buffer.alloc(0)],
  ];
}

function mergeUnique(first: readonly string[], rest: readonly string[] | undefined): string[] {
  return [...new Set([...first, ...(rest ?? [])])];
}

/** Take `names` away from every image but `keep`: a name lives on exactly one image. */
export function withoutNames(records: ImageRecord[], names: readonly string[], keep: string): ImageRecord[] {
  return records.map((r) => {
    if (r.id === keep || !r.names?.some((n) => names.includes(n))) return r;
    const left = r.names.filter((n) => !names.includes(n));
    const { names: _old, ...rest } = r;
    return left.length > 0 ? { ...rest, names: left } : rest;
  });
}

/** Go's encoder writes map keys sorted. */
function sortedKeys<T>(m: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function imageRecord(img: NewImage, items: [string, Buffer][], old: ImageRecord | undefined): ImageRecord {
  const sizes: Record<string, number> = { ...(old?.['big-data-sizes'] ?? {}) };
  const digests: Record<string, string> = { ...(old?.['big-data-digests'] ?? {}) };
  for (const [key, data] of items) {
    sizes[key] = data.length;
    // Manifest keys record the manifest digest, which for schema 2 and OCI is its sha256.
    digests[key] = `sha256:${sha256Hex(data)}`;
  }
  const sigSizes = { 'signatures-sizes': { [img.manifestDigest]: [] } };
  return {
    ...(old ?? {}),
    id: img.id,
    digest: img.manifestDigest,
    names: mergeUnique(img.names, old?.names),
    'names-history': mergeUnique(img.names, old?.['names-history']),
    ...(img.topLayer !== undefined ? { layer: img.topLayer } : {}),
    metadata: old?.metadata ?? JSON.stringify(sigSizes),
    'big-data-names': mergeUnique(old?.['big-data-names'] ?? [], items.map(([k]) => k)),
    'big-data-sizes': sortedKeys(sizes),
    'big-data-digests': sortedKeys(digests),
    created: old?.created ?? img.created,
  };
}

/** Write the big-data files and the record. The caller holds images.lock for writing. */
export async function commitImage(paths: StorePaths, lock: HeldLock, img: NewImage): Promise<ImageRecord> {
  const items = bigDataItems(img);
  mkdirSync(`${paths.imagesDir}/${img.id}`, { recursive: true, mode: 0o700 });
  for (const [key, data] of items) atomicWriteFile(imageBigDataPath(paths, img.id, key), data, 0o600);
  let written: ImageRecord | undefined;
  await updateRecordFile<ImageRecord>(lock, paths.imagesJson, imageSchema, (all) => {
    const old = all.find((r) => r.id === img.id);
    written = imageRecord(img, items, old);
    const others = withoutNames(all, img.names, img.id);
    return old === undefined ? [...others, written] : others.map((r) => (r.id === img.id ? (written as ImageRecord) : r));
  });
  return written as ImageRecord;
}

/** Add `names` to image `id` (taking them from any other image), as `podman tag`. */
export async function addImageNames(paths: StorePaths, lock: HeldLock, id: string, names: readonly string[]): Promise<void> {
  await updateRecordFile<ImageRecord>(lock, paths.imagesJson, imageSchema, (all) =>
    withoutNames(all, names, id).map((r) =>
      r.id === id ? { ...r, names: mergeUnique(r.names ?? [], names), 'names-history': mergeUnique(names, r['names-history']) } : r,
    ),
  );
}

/** Remove `name` from image `id` (`podman untag`, and `rmi` of one of several names). */
export async function removeImageName(paths: StorePaths, lock: HeldLock, id: string, name: string): Promise<void> {
  await updateRecordFile<ImageRecord>(lock, paths.imagesJson, imageSchema, (all) =>
    all.map((r) => {
      if (r.id !== id) return r;
      const left = (r.names ?? []).filter((n) => n !== name);
      const { names: _old, ...rest } = r;
      return left.length > 0 ? { ...rest, names: left } : rest;
    }),
  );
}
