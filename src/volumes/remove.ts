// Which containers use a volume (their containers.json metadata, see attach.ts), and
// removing volumes: refused while a container uses one unless forced, in which case
// podman removes those containers first.
import { RrunError } from '../../oci/errors.js';
import type { IdMapping } from '../../helpers/idmap.js';
import type { ContainerRecord } from '../../storage/records.js';
import { readSnapshot } from '../../storage/store.js';
import type { Context } from '../context.js';
import { removeTreeInUserns } from '../runtime/remove-tree.js';
import type { VolumeRequest } from '../runtime/request.js';
import { readVolume, removeVolumeDirs, withVolumesLock } from './store.js';

export interface VolumeUse {
  name: string;
  anonymous: boolean;
}

/** The volumes a container record says it uses. */
export function volumesOf(record: ContainerRecord): VolumeUse[] {
  try {
    const meta = JSON.parse(record.metadata ?? '{}') as { 'rrun-volumes'?: unknown };
    const list = meta['rrun-volumes'];
    return Array.isArray(list) ? list.filter((v): v is VolumeUse => typeof (v as VolumeUse)?.name === 'string') : [];
  } catch {
    return [];
  }
}

/** Container ids using each volume, by volume name. */
export async function volumeUsers(ctx: Context): Promise<Map<string, string[]>> {
  const snap = await readSnapshot(ctx.storage, { containers: true });
  const users = new Map<string, string[]>();
  for (const c of snap.containers) for (const v of volumesOf(c)) users.set(v.name, [...(users.get(v.name) ?? []), c.id]);
  return users;
}

export function volumeInUse(name: string, ids: readonly string[]): RrunError {
  return new RrunError({
    code: 'ERR_VOLUME_IN_USE',
    message: `volume ${name} is being used by the following container(s): ${ids.join(', ')}: volume is being used`,
    subject: name,
    hint: `remove the container(s) first, or use \`rrun volume rm -f ${name}\``,
    exitCode: 2,
  });
}

/** Removes one of rrun's volumes (the caller checked that no container uses it). */
export async function removeVolume(ctx: Context, name: string, idmap: IdMapping): Promise<void> {
  const graphRoot = ctx.storage.graphRoot;
  await withVolumesLock(graphRoot, async () => {
    if (readVolume(graphRoot, name) === undefined) return;
    await removeVolumeDirs(graphRoot, name, (dir) => removeTreeInUserns(dir, idmap));
  });
}

/** `rm -v`, `--rm`: the anonymous volumes of a removed container, unless another uses them. */
export async function removeAnonymousVolumes(ctx: Context, volumes: readonly (VolumeRequest | VolumeUse)[], idmap: IdMapping): Promise<void> {
  const anonymous = volumes.flatMap((v) => ('volume' in v ? (v.volume?.anonymous ? [v.volume.name] : []) : 'anonymous' in v && v.anonymous ? [v.name] : []));
  if (anonymous.length === 0) return;
  const users = await volumeUsers(ctx);
  for (const name of anonymous) if ((users.get(name) ?? []).length === 0) await removeVolume(ctx, name, idmap);
}
