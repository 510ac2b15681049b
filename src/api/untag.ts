// `rrun untag IMAGE [NAME…]` (podman's semantics): without names every name goes; each
// name is normalised as `tag` does (`foo` → `localhost/foo:latest`) and must be one of
// the image's names. Names are removed one by one and the first failure stops the rest,
// as podman does.
import { RrunError } from '../../oci/errors.js';
import { formatReference, isShortName, parseReference, withDefaultTag } from '../../oci/reference.js';
import { withLocks } from '../../storage/lockfile.js';
import { removeImageName } from '../../storage/images-write.js';
import { storePaths } from '../../storage/paths.js';
import { readSnapshot } from '../../storage/store.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { resolveLocalImage } from '../image/local.js';

const bareDigest = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** The stored form of `name` for untagging, or podman's error for it. */
export function untagName(name: string): string {
  if (bareDigest.test(name) && /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/.test(name)) {
    throw new RrunError({ code: 'ERR_INVALID_REFERENCE', message: `${name}: untag by digest not supported`, subject: name });
  }
  try {
    const at = name.indexOf('@');
    const short = isShortName(at >= 0 ? name.slice(0, at) : name);
    return formatReference(withDefaultTag(parseReference(short ? `localhost/${name}` : name)));
  } catch (err) {
    throw new RrunError({
      code: 'ERR_INVALID_REFERENCE',
      message: `normalizing name "${name}": normalizing name "${name}": invalid reference format`,
      subject: name,
      cause: err,
    });
  }
}

function tagNotKnown(name: string): RrunError {
  return new RrunError({
    code: 'ERR_TAG_NOT_KNOWN',
    message: `${name}: tag not known`,
    subject: name,
    hint: 'see `rrun images` for the names of the image',
  });
}

/** Remove `names` (all names when empty) from the image; resolves to its id. */
export async function untagImage(image: string, names: readonly string[], o: GlobalOptions = {}, ctx?: Context): Promise<string> {
  const context = ctx ?? (await createContext(o));
  const snap = await readSnapshot(context.storage);
  const found = resolveLocalImage(context, snap, image);
  const paths = storePaths(context.storage);
  const current = new Set(found.names ?? []);
  const wanted = names.length === 0 ? [...current] : names;
  await withLocks([{ path: paths.imagesLock, mode: 'write' }], async ([lock]) => {
    for (const raw of wanted) {
      const name = names.length === 0 ? raw : untagName(raw);
      if (!current.has(name)) throw tagNotKnown(name);
      await removeImageName(paths, lock!, found.id, name);
      current.delete(name);
    }
  });
  return found.id;
}
