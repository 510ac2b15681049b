// The build cache is the store itself, as with buildah's --layers: every layer step
// commits an unnamed intermediate image, and a step is a hit when some image sits on
// the current top layer (its own top layer's parent is ours for a step that adds a
// layer; the same layer for the final metadata-only commit) and its history is ours
// plus this step. The history holds every instruction as expanded text, the RUN's
// build-arg values and the COPY sources' content digest, so equal history means an equal
// result. No index file to keep consistent; `podman rmi`/prune clears the cache.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { HistoryEntry, ImageConfig } from '../../oci/image.js';
import type { StoreSnapshot } from '../../storage/store.js';
import { imageConfig } from '../image/catalog.js';
import { isIgnored, type IgnoreRule } from './ignore.js';

export interface CacheHit {
  imageId: string;
  config: ImageConfig;
}

const key = (h: readonly HistoryEntry[]): string => JSON.stringify(h.map((e) => [e.created_by ?? '', e.empty_layer === true]));

/** An image on `top` (newLayer: one layer above it) whose history is `history`. */
export function findCached(snap: StoreSnapshot, top: string | undefined, history: readonly HistoryEntry[], newLayer: boolean): CacheHit | undefined {
  const want = key(history);
  for (const image of snap.images) {
    const onTop = newLayer ? image.layer !== undefined && snap.layers.get(image.layer)?.parent === top : image.layer === top;
    if (!onTop) continue;
    let config: ImageConfig | undefined;
    try {
      config = imageConfig(snap, image);
    } catch {
      continue; // a damaged config is never a hit
    }
    if (config !== undefined && key(config.history ?? []) === want) return { imageId: image.id, config };
  }
  return undefined;
}

/** Content digest of COPY sources in the context: names, modes, link targets, bytes. */
export function contentDigest(root: string, rels: readonly string[], rules: readonly IgnoreRule[]): { hex: string; kind: string } {
  const h = createHash('sha256');
  let dirs = 0;
  const visit = (rel: string): void => {
    if (rel !== '' && isIgnored(rules, rel)) return;
    const path = rel === '' ? root : `${root}/${rel}`;
    const st = lstatSync(path);
    h.update(`${rel}\0${st.mode}\0`);
    if (st.isSymbolicLink()) h.update(readlinkSync(path));
    else if (st.isFile()) h.update(readFileSync(path));
    else if (st.isDirectory()) {
      dirs++;
      for (const n of readdirSync(path).sort()) visit(rel === '' ? n : `${rel}/${n}`);
    }
    h.update('\0');
  };
  for (const r of rels) visit(r);
  return { hex: h.digest('hex'), kind: rels.length > 1 ? 'multi' : dirs > 0 ? 'dir' : 'file' };
}
