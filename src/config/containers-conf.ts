// containers.conf, the keys rrun's network reads, merged in podman's lookup order
// (containers/common pkg/config): /usr/share → /etc → /etc/…conf.d/*.conf → the user's
// file → its .d directory; CONTAINERS_CONF=<file> replaces the list and
// CONTAINERS_CONF_OVERRIDE=<file> comes last. Later files win key by key.
import { readdirSync, readFileSync } from 'node:fs';
import { RrunError, errnoCode } from '../../oci/errors.js';
import { describeTomlError } from './registries-file.js';
import { parseTomlCached } from '../../storage/toml.js';

export interface NetworkConf {
  /** [containers] netns: the default network mode (`private` = the default helper). */
  netns?: string;
  /** [network] default_rootless_network_cmd: `slirp4netns` or `pasta`. */
  defaultRootlessNetworkCmd?: string;
  /** [engine] network_cmd_path: the slirp4netns binary. */
  networkCmdPath?: string;
  /** [engine] network_cmd_options: slirp4netns options (`allow_host_loopback=true`). */
  networkCmdOptions?: string[];
  /** [network] pasta_options. */
  pastaOptions?: string[];
  /** [containers] dns_servers, dns_searches, dns_options. */
  dnsServers?: string[];
  dnsSearches?: string[];
  dnsOptions?: string[];
}

export interface ConfHost {
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  readText(path: string): Promise<string | undefined>;
  /** Names in a directory; empty when it does not exist. */
  list(dir: string): Promise<string[]>;
}

export const realConfHost = (env: Readonly<Record<string, string | undefined>>, home: string): ConfHost => ({
  env,
  home,
  async readText(path) {
    try {
      return readFileSync(path, 'utf8'); // small files on every start: no thread-pool round trips
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
      throw err;
    }
  },
  async list(dir) {
    try {
      return readdirSync(dir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return [];
      throw err;
    }
  },
});

type Kind = 'string' | 'strings';
/** [table, key, field, kind] — the keys we read, where podman reads them. */
const KEYS: readonly [string, string, keyof NetworkConf, Kind][] = [
  ['containers', 'netns', 'netns', 'string'],
  ['containers', 'dns_servers', 'dnsServers', 'strings'],
  ['containers', 'dns_searches', 'dnsSearches', 'strings'],
  ['containers', 'dns_options', 'dnsOptions', 'strings'],
  ['network', 'default_rootless_network_cmd', 'defaultRootlessNetworkCmd', 'string'],
  ['network', 'pasta_options', 'pastaOptions', 'strings'],
  ['engine', 'network_cmd_path', 'networkCmdPath', 'string'],
  ['engine', 'network_cmd_options', 'networkCmdOptions', 'strings'],
];

const SETS_A_KEY = new RegExp(`^\\s*(${KEYS.map((k) => k[1]).join('|')})\\s*=`, 'm');

function confError(path: string, why: string, cause?: unknown): RrunError {
  return new RrunError({
    code: 'ERR_CONTAINERS_CONF',
    message: `reading containers.conf "${path}": ${why}`,
    subject: path,
    hint: `fix or remove ${path}; the format is described in containers.conf(5)`,
    cause,
  });
}

/** One file's keys (pure); unknown tables and keys are podman's business, not ours. */
export async function parseNetworkConf(path: string, text: string): Promise<NetworkConf> {
  let doc: Record<string, unknown>;
  try {
    doc = parseTomlCached(text);
  } catch (err) {
    throw confError(path, describeTomlError(err), err);
  }
  const out: NetworkConf = {};
  for (const [table, key, field, kind] of KEYS) {
    const t = doc[table];
    if (typeof t !== 'object' || t === null) continue;
    const v = (t as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const ok = kind === 'string' ? typeof v === 'string' : Array.isArray(v) && v.every((x) => typeof x === 'string');
    if (!ok) throw confError(path, `[${table}] ${key} must be ${kind === 'string' ? 'a string' : 'an array of strings'}`);
    (out as Record<string, unknown>)[field] = v;
  }
  return out;
}

async function dropIns(host: ConfHost, dir: string): Promise<string[]> {
  return (await host.list(dir)).filter((n) => n.endsWith('.conf')).sort().map((n) => `${dir}/${n}`);
}

/** The files podman would read, in order. */
export async function confFiles(host: ConfHost): Promise<string[]> {
  const override = host.env['CONTAINERS_CONF_OVERRIDE'] ? [host.env['CONTAINERS_CONF_OVERRIDE']] : [];
  const only = host.env['CONTAINERS_CONF'];
  if (only) return [only, ...override];
  const user = `${host.env['XDG_CONFIG_HOME'] || `${host.home}/.config`}/containers/containers.conf`;
  return [
    '/usr/share/containers/containers.conf',
    '/etc/containers/containers.conf',
    ...(await dropIns(host, '/etc/containers/containers.conf.d')),
    user,
    ...(await dropIns(host, `${user}.d`)),
    ...override,
  ];
}

export async function loadNetworkConf(host: ConfHost): Promise<NetworkConf> {
  let merged: NetworkConf = {};
  for (const path of await confFiles(host)) {
    const text = await host.readText(path);
    // The packaged file is ~700 lines of comments: parse only files that set a key we read.
    if (text !== undefined && SETS_A_KEY.test(text)) merged = { ...merged, ...(await parseNetworkConf(path, text)) };
  }
  return merged;
}
