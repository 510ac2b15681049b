// What an image (or a --rootfs directory) contributes to a container: its id and layers,
// its config, and a reader for its files (the user's /etc/passwd, whether /etc/mtab exists)
// — read from the layer directories before anything runs. A missing image is pulled first
// under the request's pull policy.
import { readFileSync } from 'node:fs';
import type { ImageRuntimeConfig } from '../../oci/image.js';
import { layerDirs } from '../../storage/paths.js';
import type { ImageRecord } from '../../storage/records.js';
import { checkLayerDirs, layerChain, readSnapshot, type StoreSnapshot } from '../../storage/store.js';
import { isRrunError } from '../../oci/errors.js';
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
  const name = req.image as string;
  // Resolve under the same lock hold, then read only that image's config.
  const find = async (): Promise<{ snap: StoreSnapshot; image: ImageRecord }> => {
    let chosen: ImageRecord | undefined;
    const snap = await readSnapshot(ctx.storage, {
      imageBigData: (i) => [configKey(i)],
      bigDataImages: (images) => {
        chosen = resolveLocalImage(ctx, { images }, name);
        return [chosen];
      },
    });
    return { snap, image: chosen ?? resolveLocalImage(ctx, snap, name) };
  };
  const pull = req.pull;
  let found: Awaited<ReturnType<typeof find>>;
  if (pull === undefined || pull.policy === 'never') found = await find();
  else if (pull.policy === 'missing') {
    // The usual case, an image that is there, reads the store once.
    try {
      found = await find();
    } catch (err) {
      if (!isRrunError(err, 'ERR_IMAGE_NOT_FOUND')) throw err;
      await ensureImage(ctx, name, pull);
      found = await find();
    }
  } else {
    await ensureImage(ctx, name, pull);
    found = await find();
  }
  const { snap, image } = found;
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

