// `rrun rmi IMAGE…`: removing by one of several names only untags (podman's rule);
// otherwise the image goes, with the layers nobody else uses. An image a container
// uses (podman's or rrun's) is refused.
import { userInfo } from 'node:os';
import { RrunError } from '../../oci/errors.js';
import { subidMapping } from '../../helpers/idmap.js';
import { withLocks } from '../../storage/lockfile.js';
import { deleteImage } from '../../storage/image-remove.js';
import { removeImageName } from '../../storage/images-write.js';
import { storePaths } from '../../storage/paths.js';
import { readSnapshot } from '../../storage/store.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { resolveLocalImage } from '../image/local.js';
import { lookupLocalImage } from '../image/shortnames.js';
import { imageDigests } from '../image/catalog.js';
import { defaultRegistriesHost, loadRegistriesConfig } from '../config/registries.js';
import { removeTreeInUserns } from '../runtime/remove-tree.js';

export interface RmiReport {
  untagged: string[];
  deleted: string[];
}

export async function rmi(inputs: readonly string[], o: GlobalOptions & { force?: boolean } = {}, ctx?: Context): Promise<RmiReport> {
  const context = ctx ?? (await createContext(o));
  const paths = storePaths(context.storage);
  const me = userInfo();
  const map = subidMapping({ name: me.username, uid: me.uid, gid: me.gid });
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
    await deleteImage(paths, image.id, (dir) => removeTreeInUserns(dir, map));
    report.untagged.push(...names);
    report.deleted.push(image.id);
  }
  return report;
}

/** The stored name `input` matched (undefined when it matched by id). */
function matchedName(ctx: Context, snap: Awaited<ReturnType<typeof readSnapshot>>, input: string): string | undefined {
  const config = loadRegistriesConfig({ ...defaultRegistriesHost, env: ctx.env, uid: ctx.host.uid });
  const candidates = snap.images.map((record) => ({ id: record.id, names: record.names, digest: record.digest, digests: imageDigests(record) }));
  return lookupLocalImage(input, candidates, config).matchedName;
}
