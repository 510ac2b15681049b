// `rrun rm` and `rrun container prune`.
import { RrunError } from '../../oci/errors.js';
import { createContext, type Context } from '../context.js';
import { withContainerLock } from '../runtime/state.js';
import { findContainer, listContainers, removeContainerFiles, type RrunContainer } from './container-store.js';
import { killContainer, stopContainer, waitExited } from './stop.js';
import type { RunRequest } from '../runtime/request.js';
import { removeAnonymousVolumes, volumesOf } from '../volumes/remove.js';
import { idMapping } from './run.js';

export interface RmOptions {
  force?: boolean;
  /** `-v`: also remove the container's anonymous volumes. */
  volumes?: boolean;
  /**
   * `-t`: with force, the stop signal first and SIGKILL after this many seconds.
   * Unset, a running container is killed at once (podman waits its stop timeout).
   */
  time?: number;
}

async function remove(ctx: Context, c: RrunContainer, opts: RmOptions): Promise<void> {
  if (c.state.status === 'running') {
    if (!(opts.force ?? false)) {
      throw new RrunError({
        code: 'ERR_CONTAINER_RUNNING',
        message: `cannot remove container ${c.id} as it is running - running or paused containers cannot be removed without force: container state improper`,
        subject: c.id,
        hint: `stop it first (\`rrun stop ${c.name}\`) or use rm -f`,
        exitCode: 2,
      });
    }
    if (opts.time !== undefined) {
      await stopContainer(c.id, { timeout: opts.time }, ctx);
    } else {
      await killContainer(c.id, 'KILL', ctx);
      await waitExited(c, 10_000);
    }
  }
  await withContainerLock(c.files, () => removeContainerFiles(ctx, c));
  if (opts.volumes ?? false) await removeAnonymousVolumes(ctx, volumesOf(c.record), idMapping(c.config?.request ?? ({ singleIdMap: false } as RunRequest)));
}

/** The container to remove; podman's rm exits 1 (not 125) when there is none. */
export async function findForRm(ctx: Context, nameOrId: string): Promise<RrunContainer> {
  try {
    return await findContainer(ctx, nameOrId);
  } catch (err) {
    if (err instanceof RrunError && err.code === 'ERR_NO_SUCH_CONTAINER') throw new RrunError({ code: err.code, message: err.message, subject: nameOrId, exitCode: 1 });
    throw err;
  }
}

export async function rm(nameOrId: string, opts: RmOptions = {}, ctx?: Context): Promise<string> {
  const context = ctx ?? (await createContext());
  const c = await findForRm(context, nameOrId);
  await remove(context, c, opts);
  return c.id;
}

export interface BatchOutcome<T> {
  done: T[];
  /** What could not be removed, in order. */
  failed: unknown[];
}

/**
 * Removes each container, going on past failures as podman does (a running one
 * without force does not keep the others). Containers are found by the caller first.
 */
export async function removeEach<T>(ctx: Context, items: readonly (readonly [T, RrunContainer])[], opts: RmOptions): Promise<BatchOutcome<T>> {
  const out: BatchOutcome<T> = { done: [], failed: [] };
  for (const [label, c] of items) {
    try {
      await remove(ctx, c, opts);
      out.done.push(label);
    } catch (err) {
      out.failed.push(err);
    }
  }
  return out;
}

/** `rm --all`: every rrun container, labelled by its full id. */
export async function rmAll(opts: RmOptions = {}, ctx?: Context): Promise<BatchOutcome<string>> {
  const context = ctx ?? (await createContext());
  const all = await listContainers(context);
  return removeEach(context, all.map((c) => [c.id, c] as const), opts);
}

/** Removes every container that is not running (and that `selected` picks); returns their ids. */
export async function prune(ctx?: Context, selected: (c: RrunContainer) => boolean = () => true): Promise<string[]> {
  const context = ctx ?? (await createContext());
  const out: string[] = [];
  for (const c of await listContainers(context)) {
    if (c.state.status === 'running' || !selected(c)) continue;
    await remove(context, c, {});
    out.push(c.id);
  }
  return out;
}
