// `rrun info` as data: host facts and the store podman and rrun share.
import { readFile } from 'node:fs/promises';
import { errnoCode } from '../../oci/errors.js';
import { readSnapshot } from '../../storage/store.js';
import { storePaths } from '../../storage/paths.js';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { probeHostFacts, type HostFacts } from '../host/facts.js';
import { readPackageVersion } from '../cli/version-info.js';

export interface StoreInfo {
  configFile: string | null;
  graphDriverName: string;
  graphRoot: string;
  runRoot: string;
  graphOptions: string[];
  imageStores: string[];
  imageStore: { number: number };
  containerStore: { number: number };
  /** Content of overlay/.has-mount-program: "true" means the store is in fuse-overlayfs mode. */
  mountProgramMode: string | null;
}

export interface SystemInfo {
  host: HostFacts;
  store: StoreInfo;
  version: { rrun: string; node: string };
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
}

export async function info(opts: GlobalOptions = {}, ctx?: Context): Promise<SystemInfo> {
  const context = ctx ?? (await createContext(opts));
  const [host, snap] = await Promise.all([
    probeHostFacts({ env: context.env, etc: '/etc' }),
    readSnapshot(context.storage, { containers: true }),
  ]);
  const s = context.storage;
  return {
    host,
    store: {
      configFile: s.configFile ?? null,
      graphDriverName: s.driver,
      graphRoot: s.graphRoot,
      runRoot: s.runRoot,
      graphOptions: s.driverOptions,
      imageStores: s.imageStores,
      imageStore: { number: snap.images.length },
      containerStore: { number: snap.containers.length },
      mountProgramMode: await readOptional(`${storePaths(s).driverHome}/.has-mount-program`),
    },
    version: { rrun: readPackageVersion(), node: process.version },
  };
}
