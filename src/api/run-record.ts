// A container that `rrun run` keeps (no --rm) gets the bookkeeping of one made by
// `rrun create`: its decided configuration in userdata/rrun.json and a runtime state
// whose monitor lock the helper's stage 0 holds and whose exit file it writes. So
// `rrun ps -a`, `inspect`, `start` and `rm` see an exited container with its exit code,
// and a killed rrun shows as exited with an unknown status, never as running.
import { containerDirs } from '../../storage/containers.js';
import { storePaths } from '../../storage/paths.js';
import type { Context, GlobalOptions } from '../context.js';
import type { RunRequest } from '../runtime/request.js';
import type { Stage0Plan } from '../../helpers/protocol.js';
import { nowNano, publishedPorts, removeState, withContainerLock, writeState } from '../runtime/state.js';
import { stateFilesOf, stopSignalOf, writeConfig, type ContainerConfig } from './container-store.js';
import type { Built } from './run.js';

export async function recordKeptRun(ctx: Context, built: Built, req: RunRequest, globals: GlobalOptions): Promise<void> {
  const userdata = containerDirs(storePaths(ctx.storage), built.containerId).userdata;
  const config: ContainerConfig = {
    request: req,
    globals: { root: globals.root, runRoot: globals.runRoot, storageDriver: globals.storageDriver, storageOpts: globals.storageOpts },
    tty: built.plan.stage0?.terminal !== undefined,
    stopSignal: await stopSignalOf(ctx, built.containerId),
    stopTimeout: 10,
    spec: built.spec,
    privateNetwork: req.network !== 'host',
  };
  writeConfig(userdata, config);
  const files = stateFilesOf(ctx, built.containerId);
  await withContainerLock(files, () => writeState(files, { status: 'running', startedAt: nowNano(), ...publishedPorts(built.network.ports) }));
  built.plan.stage0 = { ...built.plan.stage0, ...keptRunStage0(ctx, built.containerId) };
}

/**
 * Stage 0 of a kept run holds the container's monitor lock, writes its exit file and,
 * as podman's conmon does for a foreground container, logs its output.
 */
export function keptRunStage0(ctx: Context, containerId: string): Pick<Stage0Plan, 'state' | 'log'> {
  const files = stateFilesOf(ctx, containerId);
  const userdata = containerDirs(storePaths(ctx.storage), containerId).userdata;
  return { state: { lockPath: files.monitorLock, exitPath: files.exit }, log: { path: `${userdata}/ctr.log` } };
}

/** The state of a container that was removed after all (it never started). */
export function forgetRun(ctx: Context, containerId: string): void {
  removeState(stateFilesOf(ctx, containerId));
}
