// `rrun inspect` / `rrun container inspect`: podman's container JSON where the keys apply.
import { RrunError } from '../../oci/errors.js';
import { createContext, type Context } from '../context.js';
import { listContainers, pickContainer, type RrunContainer } from './container-store.js';
import { containerDirs } from '../../storage/containers.js';
import { storePaths } from '../../storage/paths.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

function stateOf(c: RrunContainer): Record<string, unknown> {
  const s = c.state;
  return {
    OciVersion: c.config?.spec.ociVersion ?? '',
    Status: s.status,
    Running: s.status === 'running',
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: s.status === 'running' ? (s.pid ?? 0) : 0,
    ExitCode: s.exitCode ?? 0,
    Error: s.error ?? '',
    StartedAt: s.startedAt ?? ZERO_TIME,
    FinishedAt: s.finishedAt ?? ZERO_TIME,
    CheckpointedAt: ZERO_TIME,
    RestoredAt: ZERO_TIME,
  };
}

export function inspectData(c: RrunContainer, rundata: string): Record<string, unknown> {
  const spec = c.config?.spec;
  const args = spec?.process.args ?? [];
  return {
    Id: c.id,
    Created: c.created,
    Path: args[0] ?? '',
    Args: args.slice(1),
    State: stateOf(c),
    Image: c.imageId,
    ImageName: c.imageName,
    Rootfs: '',
    Pod: '',
    ResolvConfPath: `${rundata}/resolv.conf`,
    HostnamePath: `${rundata}/hostname`,
    HostsPath: `${rundata}/hosts`,
    StaticDir: c.userdata,
    OCIRuntime: 'rrun',
    LogPath: c.logPath,
    Name: c.name,
    RestartCount: 0,
    Driver: 'overlay',
    MountLabel: '',
    ProcessLabel: '',
    EffectiveCaps: spec?.process.capabilities.effective ?? [],
    BoundingCaps: spec?.process.capabilities.bounding ?? [],
    ExecIDs: [],
    IsInfra: false,
    IsService: false,
    Config: {
      Hostname: spec?.hostname ?? '',
      Domainname: '',
      User: spec ? `${spec.process.user.uid}:${spec.process.user.gid}` : '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: c.config?.tty ?? false,
      OpenStdin: c.config?.request.interactive ?? false,
      StdinOnce: false,
      Env: spec?.process.env ?? [],
      Cmd: args,
      Image: c.imageName,
      WorkingDir: spec?.process.cwd ?? '/',
      Annotations: spec?.annotations ?? {},
      StopSignal: c.config ? signalNumber(c.config.stopSignal) : 15,
      StopTimeout: c.config?.stopTimeout ?? 10,
    },
    HostConfig: {
      AutoRemove: c.config?.request.remove ?? false,
      NetworkMode: c.config?.request.network ?? '',
      ReadonlyRootfs: c.config?.request.readOnly ?? false,
      Init: true,
    },
  };
}

function signalNumber(name: string): number {
  const table: Record<string, number> = { SIGTERM: 15, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGHUP: 1, SIGUSR1: 10, SIGUSR2: 12 };
  return /^\d+$/.test(name) ? Number(name) : (table[name] ?? 15);
}

/** podman inspects several names at once; an unknown one fails the command. */
export async function inspectContainers(names: readonly string[], ctx?: Context): Promise<Record<string, unknown>[]> {
  const context = ctx ?? (await createContext());
  const all = await listContainers(context);
  const paths = storePaths(context.storage);
  return names.map((n) => {
    let c: RrunContainer;
    try {
      c = pickContainer(all, n);
    } catch (err) {
      if (err instanceof RrunError && err.code === 'ERR_NO_SUCH_CONTAINER') {
        throw new RrunError({ code: err.code, message: `no such container "${n}"`, subject: n, hint: 'see `rrun ps -a`' });
      }
      throw err;
    }
    return inspectData(c, containerDirs(paths, c.id).rundata);
  });
}
