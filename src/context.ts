// What every command needs, loaded once and passed down: the environment and the store
// location. Built from podman's global options so `rrun --root … images` works as podman.
import { processHost, type StorageHost } from '../storage/host.js';
import { resolveStorageOptions, type StorageOptions } from '../storage/options.js';

export interface GlobalOptions {
  /** podman --root: the store's graph root. */
  root?: string | undefined;
  /** podman --runroot. */
  runRoot?: string | undefined;
  /** podman --storage-driver. */
  storageDriver?: string | undefined;
  /** podman --storage-opt (repeatable). */
  storageOpts?: readonly string[] | undefined;
  /** The environment to read XDG_* and CONTAINERS_* from; defaults to process.env. */
  hostEnv?: Readonly<Record<string, string | undefined>> | undefined;
}

export interface Context {
  readonly host: StorageHost;
  readonly storage: StorageOptions;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export async function createContext(opts: GlobalOptions = {}): Promise<Context> {
  const env = opts.hostEnv ?? process.env;
  const host = processHost(env);
  const storage = await resolveStorageOptions(host, {
    root: opts.root,
    runRoot: opts.runRoot,
    driver: opts.storageDriver,
    storageOpts: opts.storageOpts,
  });
  return { host, storage, env };
}
