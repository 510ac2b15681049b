// `rrun container cleanup ID`: what the monitor execs once the container's init is
// reaped (conmon's exit command). Records the exit status for good and removes a
// `--rm` container. A container already removed (`rm -f`) is not an error.
import { createContext, type Context } from '../context.js';
import { observe, withContainerLock, writeState } from '../runtime/state.js';
import { stopRecordedHelper } from '../runtime/network.js';
import { removeAnonymousVolumes, volumesOf } from '../volumes/remove.js';
import { listContainers, pickContainer, removeContainerFiles } from './container-store.js';
import { idMapping } from './run.js';

export async function cleanupContainer(nameOrId: string, ctx?: Context): Promise<void> {
  const context = ctx ?? (await createContext());
  const c = (await listContainers(context)).find((x) => x.id === nameOrId || x.name === nameOrId) ?? tryPick(await listContainers(context), nameOrId);
  if (c === undefined) return;
  const exited = await withContainerLock(c.files, () => {
    const st = observe(c.files);
    if (st.status !== 'exited') return false;
    stopRecordedHelper(st.network);
    writeState(c.files, { ...st, network: undefined });
    return true;
  });
  if (exited && c.config?.request.remove) {
    await removeContainerFiles(context, c);
    await removeAnonymousVolumes(context, volumesOf(c.record), idMapping(c.config.request));
  }
}

function tryPick<T extends { id: string; name: string }>(all: readonly T[], nameOrId: string): T | undefined {
  try {
    return pickContainer(all, nameOrId);
  } catch {
    return undefined;
  }
}
