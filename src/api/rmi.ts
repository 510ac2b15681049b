// `rrun rmi IMAGE…` / `rmi -a`: removing by one of several names only untags (podman's
// rule). Otherwise the image record goes with the layers nobody else uses; podman 4.3
// reports an image that still has child images only as untagged (its layers stay for
// the children), any other as deleted, and then also deletes and reports its parents
// left without a name and without another child ("dangling") unless --no-prune. An
// image a container uses (podman's or rrun's) is refused.
import { userInfo } from 'node:os';
import { RrunError } from '../../oci/errors.js';
import { subidMapping } from '../../helpers/idmap.js';
import { withLocks } from '../../storage/lockfile.js';
import { deleteImage } from '../../storage/image-remove.js';
import { removeImageName } from '../../storage/images-write.js';
import { storePaths } from '../../storage/paths.js';
import { readSnapshot, type StoreSnapshot } from '../../storage/store.js';
import type { ImageRecord } from '../../storage/records.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { resolveLocalImage } from '../image/local.js';
import { lookupLocalImage } from '../image/shortnames.js';
import { configKey, imageDigests, ImageTree } from '../image/catalog.js';
import { defaultRegistriesHost, loadRegistriesConfig } from '../config/registries.js';
import { removeTreeInUserns } from '../runtime/remove-tree.js';
import { listContainers } from './container-store.js';
import { rm as removeContainer } from './rm.js';

export interface RmiReport {
  untagged: string[];
  deleted: string[];
}

export interface RmiOptions extends GlobalOptions {
  /**
   * Remove an image by id although it has several names, and remove rrun's containers
   * that use it first (podman's -f; podman's own containers still keep it).
   */
  force?: boolean;
  /** Do not remove parents left dangling (podman's --no-prune). */
  noPrune?: boolean;
}

type Remover = (dir: string) => Promise<void>;

function remover(): Remover {
  const me = userInfo();
  const map = subidMapping({ name: me.username, uid: me.uid, gid: me.gid });
  return (dir) => removeTreeInUserns(dir, map);
}

const snapshot = (ctx: Context): Promise<StoreSnapshot> => readSnapshot(ctx.storage, { imageBigData: (i) => [configKey(i)] });

/** Deletes `image`, then its dangling parents. */
async function removeImage(ctx: Context, image: ImageRecord, opts: RmiOptions, report: RmiReport, rm: Remover): Promise<void> {
  const paths = storePaths(ctx.storage);
  if (opts.force === true) {
    for (const c of await listContainers(ctx)) if (c.imageId === image.id) await removeContainer(c.id, { force: true }, ctx);
  }
  let snap = await snapshot(ctx);
  const hasChildren = new ImageTree(snap).hasChildren(image);
  let parent = new ImageTree(snap).parent(image);
  await deleteImage(paths, image.id, rm);
  report.untagged.push(...(image.names ?? []));
  if (hasChildren) return;
  report.deleted.push(image.id);
  while (opts.noPrune !== true && parent !== undefined) {
    snap = await snapshot(ctx);
    const tree = new ImageTree(snap);
    const current = snap.images.find((i) => i.id === parent?.id);
    if (current === undefined || (current.names ?? []).length > 0 || tree.hasChildren(current)) return;
    if (snap.containers.some((c) => c.image === current.id)) return;
    parent = tree.parent(current);
    await deleteImage(paths, current.id, rm);
    report.deleted.push(current.id);
  }
}

export async function rmi(inputs: readonly string[], o: RmiOptions = {}, ctx?: Context): Promise<RmiReport> {
  const context = ctx ?? (await createContext(o));
  const paths = storePaths(context.storage);
  const rm = remover();
  const report: RmiReport = { untagged: [], deleted: [] };
  for (const input of inputs) {
    const snap = await readSnapshot(context.storage);
    const image = resolveLocalImage(context, snap, input);
    const byId = image.id.startsWith(input.replace(/^sha256:/, ''));
    const names = image.names ?? [];
    const matched = matchedName(context, snap, input);
    if (!byId && names.length > 1 && matched !== undefined) {
      await withLocks([{ path: paths.imagesLock, mode: 'write' }], ([lock]) => removeImageName(paths, lock!, image.id, matched));
      report.untagged.push(matched);
      continue;
    }
    if (byId && names.length > 1 && o.force !== true) {
      throw new RrunError({
        code: 'ERR_IMAGE_MULTIPLE_NAMES',
        message: `unable to delete image "${image.id}" by ID with more than one tag (${names.join(', ')}): please force removal`,
        subject: image.id,
        hint: 'remove it by name, or use --force',
      });
    }
    await removeImage(context, image, o, report, rm);
  }
  return report;
}

export interface RmiAllReport extends RmiReport {
  /** Images that could not go (in use by a container), podman's error for each. */
  failed: RrunError[];
}

/**
 * `rmi -a`: every image, in store order; one that a container uses is reported and
 * the others still go (podman exits 2 then).
 */
export async function rmiAll(o: RmiOptions = {}, ctx?: Context): Promise<RmiAllReport> {
  const context = ctx ?? (await createContext(o));
  const targets = (await readSnapshot(context.storage)).images.map((i) => i.id);
  const rm = remover();
  const report: RmiAllReport = { untagged: [], deleted: [], failed: [] };
  for (const id of targets) {
    const now = await snapshot(context);
    const image = now.images.find((i) => i.id === id);
    if (image === undefined) continue; // pruned as a parent already
    try {
      await removeImage(context, image, o, report, rm);
    } catch (err) {
      if (!(err instanceof RrunError)) throw err;
      report.failed.push(err);
    }
  }
  return report;
}

/** The stored name `input` matched (undefined when it matched by id). */
function matchedName(ctx: Context, snap: Awaited<ReturnType<typeof readSnapshot>>, input: string): string | undefined {
  const config = loadRegistriesConfig({ ...defaultRegistriesHost, env: ctx.env, uid: ctx.host.uid });
  const candidates = snap.images.map((record) => ({ id: record.id, names: record.names, digest: record.digest, digests: imageDigests(record) }));
  return lookupLocalImage(input, candidates, config).matchedName;
}
