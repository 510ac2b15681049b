// `rrun tag IMAGE NAME…` and untagging: names normalised as podman's libimage does
// (a name without a registry gets `localhost/`, `:latest` is added).
import { RrunError } from '../../oci/errors.js';
import { formatReference, isShortName, parseReference, splitReference, withDefaultTag } from '../../oci/reference.js';
import { withLocks } from '../../storage/lockfile.js';
import { addImageNames, removeImageName } from '../../storage/images-write.js';
import { storePaths } from '../../storage/paths.js';
import { readSnapshot } from '../../storage/store.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { resolveLocalImage } from '../image/local.js';

/** podman's NormalizeName for tags: `foo` → `localhost/foo:latest`. */
export function tagName(input: string): string {
  const split = splitReference(input);
  if (split.digest !== undefined) {
    throw new RrunError({ code: 'ERR_INVALID_REFERENCE', message: `${input}: tag by digest not supported`, subject: input });
  }
  const ref = parseReference(isShortName(split.name) ? `localhost/${input}` : input);
  return formatReference(withDefaultTag(ref));
}

export async function tag(image: string, names: readonly string[], o: GlobalOptions = {}, ctx?: Context): Promise<string> {
  const context = ctx ?? (await createContext(o));
  const normalized = names.map(tagName);
  const snap = await readSnapshot(context.storage);
  const found = resolveLocalImage(context, snap, image);
  const paths = storePaths(context.storage);
  await withLocks([{ path: paths.imagesLock, mode: 'write' }], ([lock]) => addImageNames(paths, lock!, found.id, normalized));
  return found.id;
}

export async function untag(image: string, name: string, o: GlobalOptions = {}, ctx?: Context): Promise<void> {
  const context = ctx ?? (await createContext(o));
  const snap = await readSnapshot(context.storage);
  const found = resolveLocalImage(context, snap, image);
  const paths = storePaths(context.storage);
  await withLocks([{ path: paths.imagesLock, mode: 'write' }], ([lock]) => removeImageName(paths, lock!, found.id, name));
}
