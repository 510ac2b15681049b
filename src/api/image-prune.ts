// `rrun image prune`: removes dangling images (no name, no child), or with `all` every
// image no container uses, in rounds as podman 4.3 does — removing a dangling image can
// leave its parent dangling, which the next round removes — until a round finds none.
// Within a round images go in store order. Removal is storage's deleteImage (locks,
// layers nobody else needs), which refuses an image a container took meanwhile.
import { userInfo } from 'node:os';
import { nowNanos } from '../../oci/time-input.js';
import { subidMapping } from '../../helpers/idmap.js';
import { deleteImage } from '../../storage/image-remove.js';
import { storePaths } from '../../storage/paths.js';
import { readSnapshot } from '../../storage/store.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { configKey, ImageTree, imageSize } from '../image/catalog.js';
import { removeTreeInUserns } from '../runtime/remove-tree.js';
import { imagePredicate, parseImageFilters } from './image-filter.js';
import { filterFacts, imageAnchor } from './images.js';

export interface ImagePruneOptions extends GlobalOptions {
  /** Every image no container uses, not only dangling ones. */
  all?: boolean;
  /** `--filter KEY=VALUE`, the keys of `images --filter`. */
  filters?: readonly string[];
}

export interface PrunedImage {
  id: string;
  /** The image's size when it went (podman adds these up as reclaimed space). */
  size: number;
}

/** What one round would remove, in store order. */
async function candidates(context: Context, specs: readonly string[]): Promise<PrunedImage[]> {
  const now = nowNanos();
  const filters = parseImageFilters(specs, now);
  const snap = await readSnapshot(context.storage, { containers: true, imageBigData: (i) => [configKey(i)] });
  const tree = new ImageTree(snap);
  const selected = imagePredicate(filters, imageAnchor(context, snap), now);
  return snap.images.filter((image) => selected(filterFacts(snap, tree, image))).map((image) => ({ id: image.id, size: imageSize(snap, image) }));
}

/** Removes the images; returns them in the order they went. */
export async function imagePrune(opts: ImagePruneOptions = {}, ctx?: Context): Promise<PrunedImage[]> {
  const context = ctx ?? (await createContext(opts));
  const specs = [opts.all === true ? 'containers=false' : 'dangling=true', ...(opts.filters ?? [])];
  const paths = storePaths(context.storage);
  const me = userInfo();
  const map = subidMapping({ name: me.username, uid: me.uid, gid: me.gid });
  const removed: PrunedImage[] = [];
  for (;;) {
    const round = (await candidates(context, specs)).filter((c) => !removed.some((r) => r.id === c.id));
    if (round.length === 0) return removed;
    for (const image of round) {
      await deleteImage(paths, image.id, (dir) => removeTreeInUserns(dir, map));
      removed.push(image);
    }
  }
}
