// Removing an image the way c/storage's DeleteImage does (with `commit` = true): refuse
// when a container (podman's, buildah's or rrun's: all are in containers.json) uses it;
// drop the record and its big-data directory; then remove, top down, every layer of its
// chain that no other image and no other layer still needs: directories, `l/` link,
// tar-split file, record. Lock order: layers (W) → images (W) → containers (R).
import { rmSync } from 'node:fs';
import { RrunError } from '../oci/errors.js';
import { withLocks } from './lockfile.js';
import { removeLayerDirs } from './layer-dirs.js';
import type { RemoveTree } from './layers-write.js';
import type { StorePaths } from './paths.js';
import { loadRecordFile, updateRecordFile } from './record-file.js';
import { containerSchema, imageSchema, layerSchema, type ContainerRecord, type ImageRecord, type LayerRecord } from './records.js';

export interface RemovedImage {
  id: string;
  layers: string[];
}

function chainOf(layers: ReadonlyMap<string, LayerRecord>, top: string | undefined): string[] {
  const out: string[] = [];
  for (let id = top; id && out.length < 500; id = layers.get(id)?.parent) out.push(id);
  return out;
}

/** Layers of `image`'s chain (top first) that nothing else keeps. Pure. */
export function removableLayers(image: ImageRecord, images: readonly ImageRecord[], layers: readonly LayerRecord[]): string[] {
  const byId = new Map(layers.map((l) => [l.id, l]));
  const kept = new Set<string>();
  for (const other of images) {
    if (other.id === image.id) continue;
    for (const top of [other.layer, ...(other['mapped-layers'] ?? [])]) for (const id of chainOf(byId, top)) kept.add(id);
  }
  const out: string[] = [];
  for (const id of chainOf(byId, image.layer)) {
    // A layer is needed while a layer outside the removal set sits on it (a container layer, say).
    const children = layers.filter((l) => l.parent === id && !out.includes(l.id));
    if (kept.has(id) || children.length > 0) break;
    out.push(id);
  }
  return out;
}

/** podman 4.3's message names the first user only, by its full id. */
function inUse(image: ImageRecord, users: readonly ContainerRecord[]): RrunError {
  return new RrunError({
    code: 'ERR_IMAGE_IN_USE',
    message: `image used by ${users[0]?.id ?? ''}: image is in use by a container: consider listing external containers and force-removing image`,
    subject: image.id,
    hint: `remove the container(s) first (\`podman ps -a --external\` lists them), then remove the image`,
  });
}

export async function deleteImage(paths: StorePaths, id: string, removeTree: RemoveTree): Promise<RemovedImage> {
  const locks = [
    { path: paths.layersLock, mode: 'write' as const },
    { path: paths.imagesLock, mode: 'write' as const },
    { path: paths.containersLock, mode: 'read' as const },
  ];
  return withLocks(locks, async ([layersLock, imagesLock]) => {
    const images = await loadRecordFile<ImageRecord>(paths.imagesJson, imageSchema);
    const image = images.find((i) => i.id === id);
    if (image === undefined) throw new RrunError({ code: 'ERR_IMAGE_NOT_FOUND', message: `${id}: image not known`, subject: id });
    const containers = await loadRecordFile<ContainerRecord>(paths.containersJson, containerSchema);
    const users = containers.filter((c) => c.image === id);
    if (users.length > 0) throw inUse(image, users);
    const layers = await loadRecordFile<LayerRecord>(paths.layersJson, layerSchema);
    const doomed = removableLayers(image, images, layers);
    await updateRecordFile<ImageRecord>(imagesLock!, paths.imagesJson, imageSchema, (all) => all.filter((i) => i.id !== id));
    rmSync(`${paths.imagesDir}/${id}`, { recursive: true, force: true });
    for (const layer of doomed) {
      await removeLayerDirs(paths, layer, removeTree);
      rmSync(`${paths.layersDir}/${layer}.tar-split.gz`, { force: true });
      await updateRecordFile<LayerRecord>(layersLock!, paths.layersJson, layerSchema, (all) => all.filter((l) => l.id !== layer));
    }
    return { id, layers: doomed };
  });
}
