// podman's `--pull` policy for run/create: `missing` (default) pulls only when no local
// image matches, `always` pulls every time, `newer` pulls and keeps the local image when
// the registry cannot be reached, `never` only looks locally.
import { RrunError, isRrunError } from '../../oci/errors.js';
import { readSnapshot } from '../../storage/store.js';
import type { Context } from '../context.js';
import { resolveLocalImage } from './local.js';

export type PullPolicy = 'missing' | 'always' | 'never' | 'newer';

export interface ImagePull {
  policy: PullPolicy;
  tlsVerify?: boolean | undefined;
  quiet?: boolean | undefined;
  platform?: string | undefined;
}

const policies: readonly PullPolicy[] = ['missing', 'always', 'never', 'newer'];

export function parsePullPolicy(value: string | undefined): PullPolicy {
  if (value === undefined || value === '') return 'missing';
  const v = value.toLowerCase() === 'true' ? 'always' : value.toLowerCase() === 'false' ? 'never' : value.toLowerCase();
  if ((policies as readonly string[]).includes(v)) return v as PullPolicy;
  throw new RrunError({ code: 'ERR_USAGE', message: `invalid pull policy "${value}"`, hint: `use one of ${policies.join(', ')}` });
}

async function haveLocally(ctx: Context, image: string): Promise<boolean> {
  try {
    resolveLocalImage(ctx, await readSnapshot(ctx.storage), image);
    return true;
  } catch (err) {
    if (isRrunError(err, 'ERR_IMAGE_NOT_FOUND')) return false;
    throw err;
  }
}

/** Make `image` available according to the policy (the pull module is loaded only when needed). */
export async function ensureImage(ctx: Context, image: string, p: ImagePull): Promise<void> {
  if (p.policy === 'never') return;
  const local = p.policy === 'always' || p.policy === 'newer' ? undefined : await haveLocally(ctx, image);
  if (local === true) return;
  const { pull } = await import('../api/pull.js');
  try {
    await pull(image, { tlsVerify: p.tlsVerify, quiet: p.quiet, platform: p.platform }, ctx);
  } catch (err) {
    if (p.policy === 'newer' && isRrunError(err) && /UNREACHABLE|NETWORK/.test(err.code) && (await haveLocally(ctx, image))) return;
    throw err;
  }
}
