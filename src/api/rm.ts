// `rrun rm` and `rrun container prune`.
import { RrunError } from '../../oci/errors.js';
import { createContext, type Context } from '../context.js';
import { withContainerLock } from '../runtime/state.js';
import { findContainer, listContainers, removeContainerFiles, type RrunContainer } from './container-store.js';
import { killContainer, waitExited } from './stop.js';
import type { RunRequest } from '../runtime/request.js';
import { removeAnonymousVolumes, volumesOf } from '../volumes/remove.js';
import { idMapping } from './run.js';

export interface RmOptions {
  force?: boolean;
  /** `-v`: also remove the container's anonymous volumes. */
  volumes?: boolean;
}

async function remove(ctx: Context, c: RrunContainer, force: boolean, volumes = false): Promise<void> {
  if (c.state.status === 'running') {
    if (!force) {
      throw new RrunError({
        code: 'ERR_CONTAINER_RUNNING',
        message: `cannot remove container ${c.id} as it is running - running or paused containers cannot be removed without force: container state improper`,
        subject: c.id,
        hint: `stop it first (\`rrun stop ${c.name}\`) or use rm -f`,
        exitCode: 2,
      });
    }
    await killContainer(c.id, 'KILL', ctx);
    await waitExited(c, 10_000);
  }
  await withContainerLock(c.files, () => removeContainerFiles(ctx, c));
  if (volumes) await removeAnonymousVolumes(ctx, volumesOf(c.record), idMapping(c.config?.request ?? ({ singleIdMap: false } as RunRequest)));
}

export async function rm(nameOrId: string, opts: RmOptions = {}, ctx?: Context): Promise<string> {
  const context = ctx ?? (await createContext());
  let c: RrunContainer;
  try {
    c = await findContainer(context, nameOrId);
  } catch (err) {
    // podman exits 1 for "no such container" in rm.
    if (err instanceof RrunError && err.code === 'ERR_NO_SUCH_CONTAINER') throw new RrunError({ code: err.code, message: err.message, subject: nameOrId, exitCode: 1 });
    throw err;
  }
  await remove(context, c, opts.force ?? false, opts.volumes ?? false);
  return c.id;
}

/** Removes every container that is not running; returns their ids. */
export async function prune(ctx?: Context): Promise<string[]> {
  const context = ctx ?? (await createContext());
  const out: string[] = [];
  for (const c of await listContainers(context)) {
    if (c.state.status === 'running') continue;
    await remove(context, c, false);
    out.push(c.id);
  }
  return out;
}
