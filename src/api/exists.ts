// `image exists` / `container exists`: podman answers with the exit code only
// (0 found, 1 not found); other failures (a broken store) still raise.
import { isRrunError } from '../../oci/errors.js';
import { readSnapshot } from '../../storage/store.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { resolveLocalImage } from '../image/local.js';
import { findContainer } from './container-store.js';

export async function imageExists(nameOrId: string, opts: GlobalOptions = {}, ctx?: Context): Promise<boolean> {
  const context = ctx ?? (await createContext(opts));
  const snap = await readSnapshot(context.storage, {});
  try {
    resolveLocalImage(context, snap, nameOrId);
    return true;
  } catch (err) {
    if (isRrunError(err, 'ERR_IMAGE_NOT_FOUND')) return false;
    throw err;
  }
}

export async function containerExists(nameOrId: string, opts: GlobalOptions = {}, ctx?: Context): Promise<boolean> {
  const context = ctx ?? (await createContext(opts));
  try {
    await findContainer(context, nameOrId);
    return true;
  } catch (err) {
    if (isRrunError(err, 'ERR_NO_SUCH_CONTAINER')) return false;
    throw err;
  }
}
