// `rrun load [-i FILE]` as a library function: every image of a docker-archive,
// oci-archive or OCI layout directory (or of stdin) into the store, as a pull writes it.
import type { Readable } from 'node:stream';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { archiveImages, loadImage, openArchive, type Loaded } from '../image/archive-load.js';
import { Progress, progressMode } from '../registry/progress.js';
import { pullEnv } from './pull.js';

export interface LoadOptions extends GlobalOptions {
  /** The archive or layout directory; stdin when missing. */
  input?: string | undefined;
  stdin?: Readable | undefined;
  quiet?: boolean | undefined;
  progress?: Progress | undefined;
}

export interface LoadResult {
  images: Loaded[];
}

export async function load(o: LoadOptions = {}, c?: Context): Promise<LoadResult> {
  const ctx = c ?? (await createContext(o));
  const progress = o.progress ?? new Progress(process.stderr, progressMode(o.quiet === true));
  const archive = await openArchive(o.input, o.stdin);
  try {
    const images = await archiveImages(archive.src);
    const env = { ...pullEnv(ctx, {}, progress), parallel: 2 };
    const out: Loaded[] = [];
    for (const img of images) out.push(await loadImage(env, archive.src, img));
    return { images: out };
  } finally {
    progress.end();
    archive.close();
  }
}
