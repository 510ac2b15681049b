// `rrun start` and the second half of `rrun run -d`: build the plan again from the saved
// request (the generated /etc files live in runroot, which a reboot empties) and launch
// it detached — the helper stays as the monitor — or attached, with rrun waiting.
import { rmSync } from 'node:fs';
import { RrunError } from '../../oci/errors.js';
import type { Stage0Plan } from '../../helpers/protocol.js';
import { packageRoot } from '../../helpers/package-root.js';
import { createContext, type Context } from '../context.js';
import { launch, launchDetached, type LaunchResult } from '../runtime/launch.js';
import { attachNetwork, type RecordedHelper } from '../runtime/network.js';
import { probeNetworkHost } from '../runtime/network-host.js';
import { nowNano, observe, publishedPorts, withContainerLock, writeState, readExit } from '../runtime/state.js';
import { findContainer, type ContainerConfig, type RrunContainer } from './container-store.js';
import { build, idMapping, type Built } from './run.js';

export interface StartOptions {
  /** Stay attached (`start -a`): rrun waits and returns the exit code. */
  attach?: boolean;
  /** Forward rrun's stdin (`-i`). */
  interactive?: boolean;
}

/** podman's global options again, for the exit command the monitor runs. */
function globalArgs(g: ContainerConfig['globals']): string[] {
  const out: string[] = [];
  if (g.root) out.push('--root', g.root);
  if (g.runRoot) out.push('--runroot', g.runRoot);
  if (g.storageDriver) out.push('--storage-driver', g.storageDriver);
  for (const o of g.storageOpts ?? []) out.push('--storage-opt', o);
  return out;
}

/** conmon's exit command: `rrun container cleanup ID`, with the same node and store. */
export function exitCommand(config: ContainerConfig, id: string): string[] {
  return [process.execPath, `${packageRoot()}/bin/rrun`, ...globalArgs(config.globals), 'container', 'cleanup', id];
}

async function rebuild(ctx: Context, c: RrunContainer, config: ContainerConfig): Promise<Built> {
  const netFacts = await probeNetworkHost(ctx.env, ctx.host.home);
  return build(ctx, config.request, false, netFacts, { id: c.id, name: c.name, layer: c.record.layer ?? '' });
}

function stage0(c: RrunContainer, config: ContainerConfig, detach: boolean, interactive: boolean): Stage0Plan {
  return {
    state: { lockPath: c.files.monitorLock, exitPath: c.files.exit },
    ...(detach ? { detach: { logPath: c.logPath, exitCommand: exitCommand(config, c.id) } } : { log: { path: c.logPath } }),
    ...(config.tty ? { terminal: { forwardStdin: interactive && !detach } } : {}),
  };
}

function needConfig(c: RrunContainer): ContainerConfig {
  if (c.config === undefined) {
    throw new RrunError({ code: 'ERR_CONTAINER_CONFIG', message: `container ${c.id} has no saved configuration (userdata/rrun.json)`, subject: c.id });
  }
  return c.config;
}

/** Launches a created or exited container detached; resolves once its process runs. */
export async function startDetached(ctx: Context, c: RrunContainer): Promise<void> {
  const config = needConfig(c);
  await withContainerLock(c.files, async () => {
    if (observe(c.files).status === 'running') return; // podman: starting a running container is fine
    rmSync(c.files.exit, { force: true });
    const built = await rebuild(ctx, c, config);
    built.plan.stage0 = stage0(c, config, true, false);
    // The network helper must not tie rrun to the container: it runs on its own, and
    // `container cleanup` (the monitor's exit command) stops it by its recorded pid.
    let network: RecordedHelper | undefined;
    const started = await launchDetached(built.plan, {
      idmap: idMapping(config.request),
      onNamespaces: async (pid) => {
        network = (await attachNetwork(built.network, pid, { detached: true }))?.recorded;
      },
    });
    writeState(c.files, { status: 'running', pid: started.pid, startedAt: nowNano(), detached: true, network, ...publishedPorts(built.network.ports) });
  });
}

/** `start -a`: launched like a foreground run; the state records the outcome. */
async function startAttached(ctx: Context, c: RrunContainer, interactive: boolean): Promise<LaunchResult> {
  const config = needConfig(c);
  const built = await withContainerLock(c.files, async () => {
    if (observe(c.files).status === 'running') {
      throw new RrunError({ code: 'ERR_CONTAINER_STATE', message: `container ${c.id} is already running: container state improper` });
    }
    rmSync(c.files.exit, { force: true });
    return rebuild(ctx, c, config);
  });
  built.plan.stage0 = stage0(c, config, false, interactive);
  const startedAt = nowNano();
  let attached: Awaited<ReturnType<typeof attachNetwork>>;
  try {
    return await launch(built.plan, {
      idmap: idMapping(config.request),
      stdio: [interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'],
      graceMs: config.stopTimeout * 1000,
      onNamespaces: async (pid) => {
        attached = await attachNetwork(built.network, pid);
        await withContainerLock(c.files, () => writeState(c.files, { status: 'running', pid, startedAt, ...publishedPorts(built.network.ports) }));
      },
    });
  } finally {
    await attached?.stop();
    await finishAttached(c);
  }
}

async function finishAttached(c: RrunContainer): Promise<void> {
  await withContainerLock(c.files, () => {
    const exit = readExit(c.files);
    const prev = observe(c.files);
    writeState(c.files, { ...prev, status: 'exited', exitCode: exit?.code ?? prev.exitCode ?? -1, finishedAt: exit?.at ?? nowNano() });
  });
}

export async function start(nameOrId: string, opts: StartOptions = {}, ctx?: Context): Promise<{ id: string; exitCode?: number }> {
  const context = ctx ?? (await createContext());
  const c = await findContainer(context, nameOrId);
  if (opts.attach) {
    const r = await startAttached(context, c, opts.interactive ?? false);
    if (c.config?.request.remove) await removeAfterExit(context, c.id);
    return { id: c.id, exitCode: r.exitCode };
  }
  await startDetached(context, c);
  return { id: c.id };
}

async function removeAfterExit(ctx: Context, id: string): Promise<void> {
  const { cleanupContainer } = await import('./container-cleanup.js');
  await cleanupContainer(id, ctx);
}

