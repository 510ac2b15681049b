// registries.conf: which files podman reads, how they merge, and which [[registry]]
// entry applies to a reference.
//
// The merge is pure (buildRegistriesConfig over file texts) so unit tests run on tables;
// loadRegistriesConfig does the I/O through an injected host. File lookup, as checked
// on podman 4.3.1 (`podman --log-level debug pull …` prints each file it loads):
//
//   CONTAINERS_REGISTRIES_CONF set   → that file (missing = error), then system and
//                                      user drop-in dirs
//   ~/.config/containers/registries.conf exists
//                                    → that file, then only the user drop-in dir
//   otherwise                        → /etc/containers/registries.conf (missing = empty),
//                                      then system and user drop-in dirs
//
// Drop-ins: `*.conf` only, lexical order, v2 only. A drop-in replaces
// unqualified-search-registries, short-name-mode and credential-helpers when it sets
// them, replaces a [[registry]] with the same prefix, and merges [aliases] per key (an
// empty value deletes). Separately, the user's alias cache (written by the pull
// prompt) takes priority over every [aliases] table.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode, RrunError } from '../../oci/errors.js';
import { type ConfigFile, type FileConfig, parseAliasCache, parseRegistriesFile } from './registries-file.js';

export type { ConfigFile } from './registries-file.js';

export type ShortNameMode = 'enforcing' | 'permissive' | 'disabled';
export type PullFromMirror = 'all' | 'digest-only' | 'tag-only';

export interface Mirror {
  location: string;
  insecure: boolean;
  pullFromMirror: PullFromMirror;
}

export interface RegistryEntry {
  /** What a reference must start with; `*.example.com` matches subdomains. */
  prefix: string;
  /** Rewrite target for `prefix`; empty only for a wildcard entry (no rewrite). */
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrorByDigestOnly: boolean;
  mirrors: Mirror[];
}

export interface RegistriesConfig {
  unqualifiedSearchRegistries: string[];
  shortNameMode: ShortNameMode;
  /** From [aliases] of the registries.conf files, merged. */
  aliases: Map<string, string>;
  /** From the user's short-name alias cache; looked up before `aliases`. */
  userAliases: Map<string, string>;
  /** Sorted by prefix; at most one entry per prefix. */
  registries: RegistryEntry[];
  credentialHelpers: string[];
  /** Every file that was read, in merge order (alias cache last). */
  sources: string[];
  /** The main file's path: podman names it in short-name errors even if it is absent. */
  mainPath: string;
  /** Where the pull prompt records choices (the user alias cache). */
  userAliasesPath: string | undefined;
}

/** The files to merge, already read. Absent files are simply not listed. */
export interface RegistriesSources {
  mainPath: string;
  main?: ConfigFile | undefined;
  /** In load order: system dir then user dir, each sorted. */
  dropIns: readonly ConfigFile[];
  userAliasesPath?: string | undefined;
  userAliases?: ConfigFile | undefined;
}

/** Podman's defaults when no file sets a value. */
const DEFAULT_MODE: ShortNameMode = 'permissive';
const DEFAULT_CREDENTIAL_HELPERS = ['containers-auth.json'];

interface Merged {
  search: string[];
  mode: ShortNameMode;
  helpers: string[];
  registries: Map<string, RegistryEntry>;
  aliases: Map<string, string>;
}

function mergeInto(acc: Merged, file: FileConfig): void {
  acc.search = file.unqualifiedSearchRegistries ?? acc.search;
  acc.mode = file.shortNameMode ?? acc.mode;
  acc.helpers = file.credentialHelpers ?? acc.helpers;
  for (const entry of file.registries) acc.registries.set(entry.prefix, entry);
  for (const [name, value] of file.aliases) {
    if (value === '') acc.aliases.delete(name);
    else acc.aliases.set(name, value);
  }
}

/** Merge already-read files (pure). Throws ERR_REGISTRIES_CONF naming the bad file. */
export function buildRegistriesConfig(src: RegistriesSources): RegistriesConfig {
  const acc: Merged = { search: [], mode: DEFAULT_MODE, helpers: DEFAULT_CREDENTIAL_HELPERS, registries: new Map(), aliases: new Map() };
  const sources: string[] = [];
  const files = [...(src.main === undefined ? [] : [{ file: src.main, dropIn: false }]), ...src.dropIns.map((file) => ({ file, dropIn: true }))];
  for (const { file, dropIn } of files) {
    mergeInto(acc, parseRegistriesFile(file, dropIn));
    sources.push(file.path);
  }
  const userAliases = src.userAliases === undefined ? new Map<string, string>() : parseAliasCache(src.userAliases);
  for (const [name, value] of userAliases) if (value === '') userAliases.delete(name);
  if (src.userAliases !== undefined) sources.push(src.userAliases.path);
  return {
    unqualifiedSearchRegistries: acc.search,
    shortNameMode: acc.mode,
    aliases: acc.aliases,
    userAliases,
    registries: [...acc.registries.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0)),
    credentialHelpers: acc.helpers.length === 0 ? DEFAULT_CREDENTIAL_HELPERS : acc.helpers,
    sources,
    mainPath: src.mainPath,
    userAliasesPath: src.userAliasesPath,
  };
}

// ---------------------------------------------------------------------------
// Matching a reference against [[registry]] prefixes

/** A match must end where a path component, tag or digest starts (or at the end). */
function atBoundary(ref: string, end: number): boolean {
  return end === ref.length || '/:@'.includes(ref.charAt(end));
}

/**
 * How many characters of `ref` the prefix covers, or -1. A wildcard `*.a.io` matches
 * a host `x.a.io` (any depth) but not `a.io` itself, and only within the host part.
 */
export function prefixMatchLength(ref: string, prefix: string): number {
  if (!prefix.startsWith('*.')) {
    return ref.startsWith(prefix) && atBoundary(ref, prefix.length) ? prefix.length : -1;
  }
  const host = ref.split(/[/@]/, 1)[0] ?? '';
  const hostname = host.split(':', 1)[0] ?? '';
  const suffix = prefix.slice(1);
  return hostname.endsWith(suffix) && hostname.length > suffix.length ? hostname.length : -1;
}

/**
 * The [[registry]] entry for a normalised reference string (e.g.
 * `docker.io/library/busybox:latest`): the longest prefix wins; among equal lengths the
 * first (config order) wins, as upstream's strict `>` comparison does.
 */
export function findRegistry(config: RegistriesConfig, ref: string): RegistryEntry | undefined {
  let best: RegistryEntry | undefined;
  for (const entry of config.registries) {
    if (prefixMatchLength(ref, entry.prefix) >= 0 && entry.prefix.length > (best?.prefix.length ?? -1)) best = entry;
  }
  return best;
}

/** One place to pull a reference from, after mirror and location rewriting. */
export interface PullSource {
  reference: string;
  insecure: boolean;
  mirror: boolean;
}

function rewrite(ref: string, entry: RegistryEntry, location: string): string {
  if (location === '') return ref;
  return location + ref.slice(prefixMatchLength(ref, entry.prefix));
}

/** Mirrors (filtered by digest/tag pulls), then the primary location. */
export function pullSources(entry: RegistryEntry | undefined, ref: string, byDigest: boolean): PullSource[] {
  if (entry === undefined) return [{ reference: ref, insecure: false, mirror: false }];
  const usable = (m: Mirror): boolean =>
    byDigest ? m.pullFromMirror !== 'tag-only' : !entry.mirrorByDigestOnly && m.pullFromMirror !== 'digest-only';
  const mirrors = entry.mirrors.filter(usable).map((m) => ({ reference: rewrite(ref, entry, m.location), insecure: m.insecure, mirror: true }));
  return [...mirrors, { reference: rewrite(ref, entry, entry.location), insecure: entry.insecure, mirror: false }];
}

// ---------------------------------------------------------------------------
// I/O

export interface RegistriesHost {
  env: Readonly<Record<string, string | undefined>>;
  uid: number;
  /** File text, or undefined when it does not exist. */
  readFile(path: string): string | undefined;
  /** Entry names, or [] when the directory does not exist. */
  readdir(path: string): string[];
}

const SYSTEM_FILE = '/etc/containers/registries.conf';
const SYSTEM_DIR = '/etc/containers/registries.conf.d';
const ROOT_ALIAS_CACHE = '/var/cache/containers/short-name-aliases.conf';

function ignoreMissing<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (err) {
    const code = errnoCode(err);
    // EISDIR: a directory named like a drop-in is skipped, as upstream does not recurse.
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return fallback;
    throw err;
  }
}

export const defaultRegistriesHost: RegistriesHost = {
  env: process.env,
  uid: process.getuid?.() ?? 0,
  readFile: (path) => ignoreMissing<string | undefined>(() => readFileSync(path, 'utf8'), undefined),
  readdir: (path) => ignoreMissing(() => readdirSync(path), []),
};

function userAliasCachePath(host: RegistriesHost): string | undefined {
  if (host.uid === 0) return ROOT_ALIAS_CACHE;
  const cache = host.env['XDG_CACHE_HOME'] || (host.env['HOME'] ? join(host.env['HOME'], '.cache') : undefined);
  return cache === undefined ? undefined : join(cache, 'containers', 'short-name-aliases.conf');
}

/** Which files to read, before reading any of them but the user-file existence probe. */
export function registriesFilePlan(host: RegistriesHost): { mainPath: string; mainRequired: boolean; dropInDirs: string[] } {
  const home = host.env['HOME'] || undefined;
  const userFile = home === undefined ? undefined : join(home, '.config/containers/registries.conf');
  const userDir = home === undefined ? [] : [join(home, '.config/containers/registries.conf.d')];
  const explicit = host.env['CONTAINERS_REGISTRIES_CONF'] || undefined;
  if (explicit !== undefined) return { mainPath: explicit, mainRequired: true, dropInDirs: [SYSTEM_DIR, ...userDir] };
  if (userFile !== undefined && host.readFile(userFile) !== undefined) {
    return { mainPath: userFile, mainRequired: false, dropInDirs: userDir };
  }
  return { mainPath: SYSTEM_FILE, mainRequired: false, dropInDirs: [SYSTEM_DIR, ...userDir] };
}

function readOptional(host: RegistriesHost, path: string | undefined): ConfigFile | undefined {
  if (path === undefined) return undefined;
  const text = host.readFile(path);
  return text === undefined ? undefined : { path, text };
}

/** Read and merge every registries.conf file podman would, plus the user alias cache. */
export function loadRegistriesConfig(host: RegistriesHost = defaultRegistriesHost): RegistriesConfig {
  const plan = registriesFilePlan(host);
  const main = readOptional(host, plan.mainPath);
  if (main === undefined && plan.mainRequired) {
    throw new RrunError({
      code: 'ERR_REGISTRIES_CONF',
      message: `loading registries configuration "${plan.mainPath}": open ${plan.mainPath}: no such file or directory`,
      hint: 'CONTAINERS_REGISTRIES_CONF names a file that does not exist; fix or unset it',
      subject: plan.mainPath,
    });
  }
  const dropIns = plan.dropInDirs.flatMap((dir) =>
    host
      .readdir(dir)
      .filter((name) => name.endsWith('.conf'))
      .sort()
      .flatMap((name) => readOptional(host, join(dir, name)) ?? []),
  );
  const userAliasesPath = userAliasCachePath(host);
  return buildRegistriesConfig({ mainPath: plan.mainPath, main, dropIns, userAliasesPath, userAliases: readOptional(host, userAliasesPath) });
}
