// What an image (or a --rootfs directory) contributes to a container: its id and layers,
// its config, and a reader for its files (the user's /etc/passwd, whether /etc/mtab exists)
// — read from the layer directories before anything runs. A missing image is pulled first
// under the request's pull policy.
import { readFileSync } from 'node:fs';
import type { ImageRuntimeConfig } from '../../oci/image.js';
import { layerDirs } from '../../storage/paths.js';
import type { ImageRecord } from '../../storage/records.js';
import { checkLayerDirs, layerChain, readSnapshot } from '../../storage/store.js';
import type { Context } from '../context.js';
import { imagePathExists, readImageFile } from '../runtime/image-files.js';
import type { RunRequest } from '../runtime/request.js';
import { lowerLinks } from '../runtime/rootfs.js';
import { configKey, imageConfig } from './catalog.js';
import { resolveLocalImage } from './local.js';
import { ensureImage } from './pull-policy.js';

/** What the image contributes: id, layers, config, and a reader for its files. */
export interface ImageSource {
  imageId: string | undefined;
  topLayer: string | undefined;
  lowers: string[];
  config: ImageRuntimeConfig | undefined;
  readFile: (path: string) => string | undefined;
  exists: (path: string) => boolean;
  hasMountProgram: string | null;
}

export async function imageSource(ctx: Context, req: RunRequest): Promise<ImageSource> {
  if (req.rootfs !== undefined) {
    return {
      imageId: undefined, topLayer: undefined, lowers: [], config: undefined,
      readFile: (p) => readImageFile([req.rootfs as string], p), exists: (p) => imagePathExists([req.rootfs as string], p),
      hasMountProgram: null,
    };
  }
  if (req.pull !== undefined) await ensureImage(ctx, req.image as string, req.pull);
  // Resolve under the same lock hold, then read only that image's config.
  let chosen: ImageRecord | undefined;
  const snap = await readSnapshot(ctx.storage, {
    imageBigData: (i) => [configKey(i)],
    bigDataImages: (images) => {
      chosen = resolveLocalImage(ctx, { images }, req.image as string);
      return [chosen];
    },
  });
  const image = chosen ?? resolveLocalImage(ctx, snap, req.image as string);
  const chain = layerChain(snap, image.layer, req.image as string);
  await checkLayerDirs(snap, chain, req.image as string);
  const roots = chain.map((l) => layerDirs(snap.paths, l.id).diff);
  let hasMountProgram: string | null = null;
  try {
    hasMountProgram = readFileSync(`${snap.paths.driverHome}/.has-mount-program`, 'utf8').trim();
  } catch {
    hasMountProgram = null;
  }
  return {
    imageId: image.id,
    topLayer: image.layer,
    lowers: lowerLinks(snap.paths, chain),
    config: imageConfig(snap, image)?.config,
    readFile: (p) => readImageFile(roots, p),
    exists: (p) => imagePathExists(roots, p),
    hasMountProgram,
  };
}

