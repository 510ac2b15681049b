// `rrun import TARBALL [NAME]` as a library function (see src/image/import-rootfs.ts).
// Without a name the image stays dangling (<none>), as podman's.
import { formatReference, parseReference, withDefaultTag } from '../../oci/reference.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { applyChanges } from '../image/config-changes.js';
import { importRootfs } from '../image/import-rootfs.js';
import { Progress, progressMode } from '../registry/progress.js';
import { pullEnv } from './pull.js';

export interface ImportOptions extends GlobalOptions {
  changes?: string[] | undefined;
  message?: string | undefined;
  quiet?: boolean | undefined;
}

/** Resolves to the new image's id. */
export async function importImage(file: string, name: string | undefined, o: ImportOptions = {}, c?: Context): Promise<string> {
  const ctx = c ?? (await createContext(o));
  const config = applyChanges({}, o.changes ?? []);
  const names = name !== undefined ? [formatReference(withDefaultTag(parseReference(name.includes('/') ? name : `localhost/${name}`)))] : [];
  const progress = new Progress(process.stderr, progressMode(o.quiet === true));
  try {
    progress.line('Getting image source signatures');
    return await importRootfs(pullEnv(ctx, {}, progress), { file, config, message: o.message, names });
  } finally {
    progress.end();
  }
}
