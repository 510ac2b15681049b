// `rrun history IMAGE` as a library function: the image config's history, newest first,
// with the layer sizes and image ids podman's libimage derives (History in
// c/common libimage, re-derived from its observed behaviour):
//   - walk the history from the newest entry down, starting on the image's top layer;
//   - a non-empty entry shows the size of the current layer, then steps to its parent;
//   - an entry shows the id of the first image (images.json order) whose top layer is
//     the current layer, once per id; otherwise `<missing>` (the newest entry starts
//     with the image's own id, which that rule may replace).
import type { HistoryEntry } from '../../oci/image.js';
import type { LayerRecord } from '../../storage/records.js';
import { readSnapshot } from '../../storage/store.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { configKey, imageConfig } from '../image/catalog.js';
import { resolveLocalImage } from '../image/local.js';

/** One row of `podman history` (libimage ImageHistory). */
export interface ImageHistoryEntry {
  /** A full image id, or `<missing>`. */
  id: string;
  /** RFC 3339 text as the config has it, or undefined when absent. */
  created: string | undefined;
  createdBy: string;
  /** Uncompressed bytes of the entry's layer; 0 for empty-layer entries. */
  size: number;
  comment: string;
}

export const MISSING_ID = '<missing>';

export async function imageHistory(nameOrId: string, opts: GlobalOptions = {}, ctx?: Context): Promise<ImageHistoryEntry[]> {
  const context = ctx ?? (await createContext(opts));
  const snap = await readSnapshot(context.storage, { imageBigData: (i) => [configKey(i)] });
  const image = resolveLocalImage(context, snap, nameOrId);
  const history: HistoryEntry[] = imageConfig(snap, image)?.history ?? [];
  const firstImageOn = new Map<string, string>();
  for (const img of snap.images) {
    if (img.layer !== undefined && img.layer !== '' && !firstImageOn.has(img.layer)) firstImageOn.set(img.layer, img.id);
  }
  const used = new Set<string>();
  let layer: LayerRecord | undefined = image.layer ? snap.layers.get(image.layer) : undefined;
  const out: ImageHistoryEntry[] = [];
  for (let x = history.length - 1; x >= 0; x--) {
    const h = history[x] as HistoryEntry;
    const empty = h.empty_layer === true;
    const entry: ImageHistoryEntry = {
      id: x === history.length - 1 ? image.id : MISSING_ID,
      created: h.created,
      createdBy: h.created_by ?? '',
      size: 0,
      comment: h.comment ?? '',
    };
    if (layer !== undefined) {
      if (!empty) entry.size = layer['diff-size'] ?? 0;
      const id = firstImageOn.get(layer.id);
      if (id !== undefined && !used.has(id)) {
        entry.id = id;
        used.add(id);
      }
      if (layer.parent && !empty) layer = snap.layers.get(layer.parent);
    }
    out.push(entry);
  }
  return out;
}
