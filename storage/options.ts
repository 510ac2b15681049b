// Where the store is: graphroot, runroot and driver, found exactly as podman 4.3
// (containers/storage 1.43, types/options.go and types/utils.go) finds them, so rrun
// works on the same store with or without podman installed. storage-format.md §1.
import { RrunError } from '../oci/errors.js';
import type { StorageHost } from './host.js';
import { parseTomlCached } from './toml.js';

export interface StorageOptions {
  graphRoot: string;
  runRoot: string;
  driver: string;
  /** Driver options as c/storage spells them: `overlay.mount_program=/usr/bin/fuse-overlayfs`. */
  driverOptions: string[];
  /** Read-only additional image stores. */
  imageStores: string[];
  /** The storage.conf that decided the options, if any. */
  configFile: string | undefined;
  rootless: boolean;
}

/** podman's global flags that override the configuration. */
export interface StorageOverrides {
  root?: string | undefined;
  runRoot?: string | undefined;
  driver?: string | undefined;
  storageOpts?: readonly string[] | undefined;
}

interface StorageConfSection {
  driver?: string;
  graphroot?: string;
  runroot?: string;
  rootless_storage_path?: string;
  options?: Record<string, unknown>;
}

const rootlessDrivers = new Set(['overlay', 'overlay2', 'vfs', 'btrfs']);

async function readConf(host: StorageHost, path: string): Promise<StorageConfSection | undefined> {
  const text = await host.readText(path);
  if (text === undefined) return undefined;
  let doc: Record<string, unknown>;
  try {
    doc = parseTomlCached(text);
  } catch (err) {
    throw new RrunError({
      code: 'ERR_STORAGE_CONF',
      message: `cannot parse ${path}: ${(err as Error).message}`,
      subject: path,
      hint: 'fix the TOML syntax of that file (see containers-storage.conf(5))',
      cause: err,
    });
  }
  const storage = doc['storage'];
  if (storage === undefined) return {};
  if (typeof storage !== 'object' || storage === null || Array.isArray(storage)) {
    throw new RrunError({
      code: 'ERR_STORAGE_CONF',
      message: `${path}: [storage] must be a table`,
      subject: path,
    });
  }
  return storage as StorageConfSection;
}

/** `$VAR`, `${VAR}` expansion as Go's os.ExpandEnv, with `$UID` always defined. */
export function expandEnv(value: string, env: Readonly<Record<string, string | undefined>>, uid: number): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a?: string, b?: string) => {
    const name = (a ?? b) as string;
    if (name === 'UID') return String(uid);
    return env[name] ?? '';
  });
}

function overlayOptions(section: StorageConfSection | undefined): string[] {
  const overlay = (section?.options?.['overlay'] ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  for (const [key, value] of Object.entries(overlay)) {
    if (typeof value === 'string' && value !== '') out.push(`overlay.${key}=${value}`);
  }
  // c/storage also accepts these at [storage.options] level (older layout).
  for (const key of ['mount_program', 'mountopt', 'ignore_chown_errors', 'force_mask']) {
    const v = section?.options?.[key];
    if (typeof v === 'string' && v !== '') out.push(`overlay.${key}=${v}`);
  }
  return out;
}

/**
 * A rootless user without an own storage.conf inherits only `ignore_chown_errors` from
 * the system file (unless that file was named by CONTAINERS_STORAGE_CONF).
 */
function inheritedOptions(host: StorageHost, conf: StorageConfSection | undefined, ownFile: boolean): string[] {
  const all = overlayOptions(conf);
  if (host.uid === 0 || ownFile || host.env['CONTAINERS_STORAGE_CONF']) return all;
  return all.filter((o) => o.startsWith('overlay.ignore_chown_errors='));
}

function imageStores(section: StorageConfSection | undefined): string[] {
  const stores = section?.options?.['additionalimagestores'];
  return Array.isArray(stores) ? stores.filter((s): s is string => typeof s === 'string') : [];
}

/**
 * Stage A: the "system" file: CONTAINERS_STORAGE_CONF, else an XDG_CONFIG_HOME override
 * if present, else /etc/containers/storage.conf, else /usr/share/containers/storage.conf.
 */
async function systemConf(host: StorageHost): Promise<{ path: string; conf: StorageConfSection } | undefined> {
  const explicit = host.env['CONTAINERS_STORAGE_CONF'];
  const xdg = host.env['XDG_CONFIG_HOME'];
  const candidates = explicit
    ? [explicit]
    : [
        ...(xdg ? [`${xdg}/containers/storage.conf`] : []),
        '/etc/containers/storage.conf',
        '/usr/share/containers/storage.conf',
      ];
  for (const path of candidates) {
    const conf = await readConf(host, path);
    if (conf !== undefined) return { path, conf };
    if (explicit) break;
  }
  return undefined;
}

/** The per-user file, which replaces the whole option set when it exists (Stage C). */
function userConfPath(host: StorageHost): string {
  const explicit = host.env['CONTAINERS_STORAGE_CONF'];
  if (explicit) return explicit;
  const xdg = host.env['XDG_CONFIG_HOME'];
  return xdg ? `${xdg}/containers/storage.conf` : `${host.home}/.config/containers/storage.conf`;
}

/** c/storage 1.43's rootless runtime dir (getRootlessRuntimeDirIsolated). */
export async function rootlessRuntimeDir(host: StorageHost): Promise<string> {
  const xdg = host.env['XDG_RUNTIME_DIR'];
  if (xdg) return xdg;
  const init = await host.readText('/proc/1/comm');
  const runUser = `/run/user/${host.uid}`;
  if (init === undefined || init.trim() === 'systemd') {
    const st = await host.stat(runUser);
    if (st !== undefined && st.uid === host.uid && (st.mode & 0o077) === 0) return runUser;
  }
  const tmp = host.env['TMPDIR'] || '/tmp';
  const isolated = `${tmp}/containers-user-${host.uid}`;
  if ((await host.stat(tmp)) !== undefined) return isolated;
  return `${host.home}/rundir`;
}

async function guessDriver(host: StorageHost, graphRoot: string): Promise<string> {
  for (const name of ['overlay', 'vfs', 'btrfs']) {
    if ((await host.stat(`${graphRoot}/${name}-images`)) !== undefined) return name;
  }
  return 'overlay';
}

function normalizeDriver(driver: string | undefined): string | undefined {
  if (driver === undefined || driver === '') return undefined;
  return driver === 'overlay2' ? 'overlay' : driver;
}

/** Resolve the store location and driver for this user. */
export async function resolveStorageOptions(
  host: StorageHost,
  overrides: StorageOverrides = {},
): Promise<StorageOptions> {
  const rootless = host.uid !== 0;
  const system = await systemConf(host);
  const userPath = userConfPath(host);
  const user = rootless ? await readConf(host, userPath) : undefined;
  const conf = user ?? system?.conf;
  const configFile = user !== undefined ? userPath : system?.path;
  const expand = (p: string): string => expandEnv(p, host.env, host.uid);

  let graphRoot: string;
  let runRoot: string;
  let driver = normalizeDriver(host.env['STORAGE_DRIVER']) ?? normalizeDriver(conf?.driver);
  if (rootless) {
    const dataHome = host.env['XDG_DATA_HOME'] || `${host.home}/.local/share`;
    const fromSystem = system?.conf.rootless_storage_path;
    graphRoot = (user?.graphroot || user?.rootless_storage_path || fromSystem) ?? `${dataHome}/containers/storage`;
    runRoot = user?.runroot || `${await rootlessRuntimeDir(host)}/containers`;
    if (user === undefined && driver !== undefined && !rootlessDrivers.has(driver)) driver = undefined;
  } else {
    graphRoot = conf?.graphroot || '/var/lib/containers/storage';
    runRoot = conf?.runroot || '/run/containers/storage';
  }
  graphRoot = await host.realpath(expand(overrides.root ?? graphRoot));
  runRoot = await host.realpath(expand(overrides.runRoot ?? runRoot));
  driver = normalizeDriver(overrides.driver) ?? driver ?? (await guessDriver(host, graphRoot));

  const storageOpts = [...(host.env['STORAGE_OPTS']?.split(',').filter(Boolean) ?? []), ...(overrides.storageOpts ?? [])];
  return {
    graphRoot,
    runRoot,
    driver,
    driverOptions: [...inheritedOptions(host, conf, user !== undefined), ...storageOpts],
    imageStores: imageStores(conf),
    configFile,
    rootless,
  };
}
