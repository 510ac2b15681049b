// `rrun create` (and the first half of `rrun run -d`): register the container, decide
// its spec, and keep what was decided in userdata/rrun.json for start, exec and inspect.
import { writeFileSync } from 'node:fs';
import { RrunError } from '../../oci/errors.js';
import { createContext, type Context } from '../context.js';
import { probeNetworkHost } from '../runtime/network-host.js';
import { withContainerLock, writeState } from '../runtime/state.js';
import { build, networkOf, toRequest, type RunOptions } from './run.js';
import { stateFilesOf, stopSignalOf, writeConfig, type ContainerConfig } from './container-store.js';
import { containerDirs } from '../../storage/containers.js';
import { storePaths } from '../../storage/paths.js';

export interface CreateOptions extends RunOptions {
  /** `-t`: a pty from the container's devpts (TERM=xterm unless set). */
  tty?: boolean;
}

export interface Created {
  id: string;
  name: string;
}

/** podman adds TERM=xterm for -t; the caller's -e still wins. */
export function withTerm(opts: CreateOptions): CreateOptions {
  if (!opts.tty) return opts;
  const env = Array.isArray(opts.env) ? opts.env : Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
  return { ...opts, env: ['TERM=xterm', ...env] };
}

export async function create(opts: CreateOptions, ctx?: Context): Promise<Created> {
  if (opts.rootfs !== undefined) {
    throw new RrunError({ code: 'ERR_USAGE', message: '--rootfs containers cannot be created or detached', hint: 'run them in the foreground' });
  }
  const context = ctx ?? (await createContext(opts));
  const netFacts = await probeNetworkHost(context.env, context.host.home);
  const o = withTerm(opts);
  const req = toRequest(o, networkOf(o, netFacts));
  const built = await build(context, req, false, netFacts);
  const userdata = containerDirs(storePaths(context.storage), built.containerId).userdata;
  const config: ContainerConfig = {
    request: req,
    globals: { root: opts.root, runRoot: opts.runRoot, storageDriver: opts.storageDriver, storageOpts: opts.storageOpts },
    tty: opts.tty ?? false,
    stopSignal: await stopSignalOf(context, built.containerId),
    stopTimeout: 10,
    spec: built.spec,
    privateNetwork: req.network !== 'host',
  };
  writeConfig(userdata, config);
  // podman keeps the OCI spec beside the container as config.json.
  writeFileSync(`${userdata}/config.json`, `${JSON.stringify(built.spec)}\n`, { mode: 0o600 });
  const files = stateFilesOf(context, built.containerId);
  await withContainerLock(files, () => writeState(files, { status: 'created' }));
  return { id: built.containerId, name: built.containerName };
}
