// `rrun cp`: copy between the host and a container, running or stopped (src/copy/).
import { rmSync, writeFileSync, readFileSync } from 'node:fs';
import { RrunError } from '../../oci/errors.js';
import { storePaths } from '../../storage/paths.js';
import { createContext, type Context } from '../context.js';
import { copyRequest, type CopyRequest } from '../copy/args.js';
import type { CopyJob } from '../copy/job.js';
import { copyPlan, runCopyWorker, type CopyPlace } from '../copy/launch.js';
import { overlayMode } from '../runtime/rootfs.js';
import { observe, withContainerLock } from '../runtime/state.js';
import { findContainer, type RrunContainer } from './container-store.js';
import { idMapping } from './run.js';

export interface CopyOptions {
  /** podman's -a/--archive (default true): files copied in belong to the container's user. */
  archive?: boolean;
}

function place(ctx: Context, c: RrunContainer): CopyPlace {
  const s = observe(c.files);
  if (s.status === 'running' && s.pid !== undefined) return { kind: 'running', pid: s.pid };
  const paths = storePaths(ctx.storage);
  let mountProgram: string | null = null;
  try {
    mountProgram = readFileSync(`${paths.driverHome}/.has-mount-program`, 'utf8').trim();
  } catch {
    mountProgram = null;
  }
  return { kind: 'stopped', paths, layer: c.record.layer ?? '', mode: overlayMode(ctx.storage.driverOptions, mountProgram) };
}

async function lookup(ctx: Context, name: string): Promise<RrunContainer> {
  try {
    return await findContainer(ctx, name);
  } catch (err) {
    if (err instanceof RrunError && err.code === 'ERR_NO_SUCH_CONTAINER') {
      throw new RrunError({ code: err.code, message: `container "${name}" does not exist`, subject: name, hint: err.hint });
    }
    throw err;
  }
}

export async function copyRequestRun(req: CopyRequest, opts: CopyOptions = {}, ctx?: Context): Promise<void> {
  const context = ctx ?? (await createContext());
  const c = await lookup(context, req.container);
  const user = c.config?.spec.process.user;
  const owner = (opts.archive ?? true) ? { uid: user?.uid ?? 0, gid: user?.gid ?? 0 } : undefined;
  const idmap = idMapping(c.config?.request ?? { singleIdMap: false } as Parameters<typeof idMapping>[0]);
  const copyWith = async (where: CopyPlace): Promise<void> => {
    const jobFile = `${c.files.dir}/cp-${process.pid}.json`;
    const { plan, root } = copyPlan(where, jobFile);
    const job: CopyJob = { ...req, root, containerLabel: req.container, owner };
    writeFileSync(jobFile, JSON.stringify(job), { mode: 0o600 });
    try {
      await runCopyWorker(plan, idmap);
    } finally {
      rmSync(jobFile, { force: true });
    }
  };
  // A running container needs no lock (the worker joins it; if it exits meanwhile the
  // join fails). A stopped one is locked so that no start mounts its layer meanwhile;
  // `cp CTR:… - | cp - CTR:…` on one *running* container must not wait on itself.
  const first = place(context, c);
  if (first.kind === 'running') return copyWith(first);
  await withContainerLock(c.files, async () => copyWith(place(context, c)));
}

/** `cp SRC DEST` with podman's argument rules (`CTR:PATH` on exactly one side, `-` for a tar stream). */
export async function cp(src: string, dest: string, opts: CopyOptions = {}, ctx?: Context): Promise<void> {
  return copyRequestRun(copyRequest(src, dest), opts, ctx);
}
