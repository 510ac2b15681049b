// One registries.conf file (TOML text) → the settings it sets, validated.
//
// What a file does not set stays undefined here, because the merge rule
// (registries.ts) is "a later file replaces a setting only if it sets it". The v1 format
// ([registries.search] / .insecure / .block) is converted to v2 on the way in. Error
// wording follows podman 4.3.1 (checked on this machine) so that a user who searches
// for the message finds podman's documentation.

import { TomlError } from 'smol-toml';
import { parseTomlCached } from '../../storage/toml.js';
import { RrunError } from '../../oci/errors.js';
import { isShortName, splitReference } from '../../oci/reference.js';
import type { Mirror, PullFromMirror, RegistryEntry, ShortNameMode } from './registries.js';

/** A file as read from disk (or written by a test). */
export interface ConfigFile {
  readonly path: string;
  readonly text: string;
}

/** The settings one file sets. */
export interface FileConfig {
  unqualifiedSearchRegistries?: string[];
  shortNameMode?: ShortNameMode;
  credentialHelpers?: string[];
  registries: RegistryEntry[];
  /** An empty value removes an alias set by an earlier file (checked on podman 4.3.1). */
  aliases: Map<string, string>;
}

/** Thrown by the checks below; the caller wraps it with the file name. */
class ConfigProblem extends Error {}

type Table = Record<string, unknown>;

const SHORT_NAME_MODES: readonly ShortNameMode[] = ['enforcing', 'permissive', 'disabled'];
const PULL_FROM_MIRROR: readonly PullFromMirror[] = ['all', 'digest-only', 'tag-only'];
const HOST_PORT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/;

function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function optString(t: Table, key: string): string | undefined {
  const v = t[key];
  if (v === undefined || typeof v === 'string') return v;
  throw new ConfigProblem(`"${key}" must be a string`);
}

function optBool(t: Table, key: string): boolean | undefined {
  const v = t[key];
  if (v === undefined || typeof v === 'boolean') return v;
  throw new ConfigProblem(`"${key}" must be true or false`);
}

function optStrings(t: Table, key: string): string[] | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  if (Array.isArray(v) && v.every((s): s is string => typeof s === 'string')) return v;
  throw new ConfigProblem(`"${key}" must be an array of strings`);
}

function optTables(t: Table, key: string): Table[] {
  const v = t[key];
  if (v === undefined) return [];
  if (Array.isArray(v) && v.every(isTable)) return v;
  throw new ConfigProblem(`"${key}" must be an array of tables ([[${key}]])`);
}

/** A location or prefix without trailing slashes; schemes are refused like upstream. */
function cleanLocation(raw: string): string {
  const location = raw.replace(/\/+$/, '');
  if (/^https?:\/\//.test(location)) {
    throw new ConfigProblem(`invalid location '${raw}': URI schemes are not supported`);
  }
  return location;
}

function parseMirror(t: Table): Mirror {
  const location = cleanLocation(optString(t, 'location') ?? '');
  if (location === '') throw new ConfigProblem('a [[registry.mirror]] needs a location');
  const pull = optString(t, 'pull-from-mirror') ?? 'all';
  if (!(PULL_FROM_MIRROR as readonly string[]).includes(pull)) {
    throw new ConfigProblem(`unsupported pull-from-mirror value "${pull}": use one of ${PULL_FROM_MIRROR.join(', ')}`);
  }
  return { location, insecure: optBool(t, 'insecure') ?? false, pullFromMirror: pull as PullFromMirror };
}

function checkPrefix(prefix: string): void {
  // `*.example.com` matches subdomains only; anything after the host would be ambiguous.
  if (prefix.startsWith('*.') ? /[/:@]/.test(prefix) : prefix.includes('*')) {
    throw new ConfigProblem(
      `Wildcarded prefix should be in the format: *.example.com. Current prefix "${prefix}" is incorrectly formatted`,
    );
  }
}

function parseRegistry(t: Table): RegistryEntry {
  const location = cleanLocation(optString(t, 'location') ?? '');
  const prefix = cleanLocation(optString(t, 'prefix') ?? '') || location;
  if (prefix === '') throw new ConfigProblem('invalid condition: both location and prefix are unset');
  checkPrefix(prefix);
  return {
    prefix,
    // A wildcard entry may leave location empty: it then applies settings without
    // rewriting. For a plain prefix, an empty location means "no rewrite" as well.
    location: location || (prefix.startsWith('*.') ? '' : prefix),
    insecure: optBool(t, 'insecure') ?? false,
    blocked: optBool(t, 'blocked') ?? false,
    mirrorByDigestOnly: optBool(t, 'mirror-by-digest-only') ?? false,
    mirrors: optTables(t, 'mirror').map(parseMirror),
  };
}

/** Validate one `"short" = "registry/repo"` pair; returns the value to store. */
export function checkAlias(name: string, value: string): string {
  const what = (problem: string, s: string, kind: string): ConfigProblem =>
    new ConfigProblem(`validating short-name aliases: invalid ${kind} "${s}": ${problem}`);
  const key = splitOrProblem(name, (p) => what(p, name, 'short name'));
  if (key.tag !== undefined) throw what('must not contain tag', name, 'short name');
  if (key.digest !== undefined) throw what('must not contain digest', name, 'short name');
  if (!isShortName(name)) throw what('must not contain registry', name, 'short name');
  if (value === '') return value;
  const target = splitOrProblem(value, (p) => what(p, value, 'alias'));
  if (target.tag !== undefined) throw what('must not contain tag', value, 'alias');
  if (target.digest !== undefined) throw what('must not contain digest', value, 'alias');
  if (isShortName(value)) throw what('must contain registry and repository', value, 'alias');
  return value;
}

function splitOrProblem(s: string, wrap: (problem: string) => ConfigProblem): ReturnType<typeof splitReference> {
  try {
    return splitReference(s);
  } catch {
    throw wrap('invalid reference format');
  }
}

/** The `[aliases]` table of a file (also the whole content of the user alias cache). */
export function parseAliasTable(doc: Table): Map<string, string> {
  const raw = doc['aliases'];
  if (raw === undefined) return new Map();
  if (!isTable(raw)) throw new ConfigProblem('"aliases" must be a table of "short-name" = "registry/repository"');
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string') throw new ConfigProblem(`alias "${name}" must be a string`);
    out.set(name, checkAlias(name, value));
  }
  return out;
}

function checkSearchRegistries(list: string[] | undefined): string[] | undefined {
  for (const entry of list ?? []) {
    if (!HOST_PORT.test(entry)) throw new ConfigProblem(`Invalid unqualified-search-registries entry "${entry}"`);
  }
  return list;
}

function parseShortNameMode(t: Table): ShortNameMode | undefined {
  const mode = optString(t, 'short-name-mode');
  if (mode === undefined || mode === '') return undefined;
  if ((SHORT_NAME_MODES as readonly string[]).includes(mode)) return mode as ShortNameMode;
  throw new ConfigProblem(`invalid short-name mode: "${mode}"`);
}

/**
 * One entry per prefix inside one file: the first wins (checked on podman 4.3.1: two
 * entries for `a.io` → the first location is used), but their flags must agree.
 */
function dedupe(entries: readonly RegistryEntry[]): RegistryEntry[] {
  const out = new Map<string, RegistryEntry>();
  for (const e of entries) {
    const first = out.get(e.prefix);
    if (first === undefined) out.set(e.prefix, e);
    else if (first.insecure !== e.insecure || first.blocked !== e.blocked) {
      const flag = first.insecure !== e.insecure ? 'insecure' : 'blocked';
      throw new ConfigProblem(`registry '${e.prefix}' is defined multiple times with conflicting '${flag}' setting`);
    }
  }
  return [...out.values()];
}

function parseV2(doc: Table): FileConfig {
  return {
    unqualifiedSearchRegistries: checkSearchRegistries(optStrings(doc, 'unqualified-search-registries')),
    shortNameMode: parseShortNameMode(doc),
    credentialHelpers: optStrings(doc, 'credential-helpers'),
    registries: dedupe(optTables(doc, 'registry').map(parseRegistry)),
    aliases: parseAliasTable(doc),
  };
}

/** The v1 tables, or undefined when the file does not use them. */
function v1Tables(doc: Table): Table | undefined {
  const v1 = doc['registries'];
  if (v1 === undefined) return undefined;
  if (!isTable(v1)) throw new ConfigProblem('"registries" must be a table ([registries.search] …)');
  return v1;
}

function v1List(v1: Table, section: string): string[] {
  const t = v1[section];
  if (t === undefined) return [];
  if (!isTable(t)) throw new ConfigProblem(`[registries.${section}] must be a table`);
  return (optStrings(t, 'registries') ?? []).map(cleanLocation);
}

/** v1 → v2: search list as-is; one [[registry]] per host named insecure and/or blocked. */
function convertV1(v1: Table): FileConfig {
  const entries = new Map<string, RegistryEntry>();
  const entry = (location: string): RegistryEntry => {
    const found = entries.get(location);
    if (found !== undefined) return found;
    const created = { prefix: location, location, insecure: false, blocked: false, mirrorByDigestOnly: false, mirrors: [] };
    entries.set(location, created);
    return created;
  };
  for (const loc of v1List(v1, 'insecure')) entry(loc).insecure = true;
  for (const loc of v1List(v1, 'block')) entry(loc).blocked = true;
  return { unqualifiedSearchRegistries: v1List(v1, 'search'), registries: [...entries.values()], aliases: new Map() };
}

const V2_KEYS = ['unqualified-search-registries', 'short-name-mode', 'credential-helpers', 'registry', 'aliases'];

function interpret(doc: Table, dropIn: boolean): FileConfig {
  const v1 = v1Tables(doc);
  if (v1 === undefined) return parseV2(doc);
  if (V2_KEYS.some((k) => doc[k] !== undefined)) throw new ConfigProblem('mixing sysregistry v1/v2 is not supported');
  if (dropIn) throw new ConfigProblem('registry must be in v2 format but is in v1');
  return convertV1(v1);
}

/** `toml: line 2, column 5: expected comma …` — the first line of smol-toml's message. */
export function describeTomlError(err: unknown): string {
  if (err instanceof TomlError) {
    const first = err.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? err.message;
    return `toml: line ${err.line}, column ${err.column}: ${first}`;
  }
  return err instanceof Error ? err.message : String(err);
}

export function configError(what: string, path: string, err: unknown): RrunError {
  return new RrunError({
    code: 'ERR_REGISTRIES_CONF',
    message: `loading ${what} "${path}": ${describeTomlError(err)}`,
    hint: `fix or remove ${path}; the format is described in containers-registries.conf(5)`,
    subject: path,
    cause: err,
  });
}

/** Parse TOML text, turning any error into our wording; `what` names the kind of file. */
export function parseToml(file: ConfigFile, what: string): Table {
  try {
    return parseTomlCached(file.text) as Table;
  } catch (err) {
    throw configError(what, file.path, err);
  }
}

/** Parse and validate one registries.conf (dropIn: a file from a registries.conf.d dir). */
export function parseRegistriesFile(file: ConfigFile, dropIn: boolean): FileConfig {
  const what = dropIn ? 'drop-in registries configuration' : 'registries configuration';
  const doc = parseToml(file, what);
  try {
    return interpret(doc, dropIn);
  } catch (err) {
    if (err instanceof ConfigProblem) throw configError(what, file.path, err);
    throw err;
  }
}

/** Parse the user's alias cache (`[aliases]` only), as the pull prompt writes it. */
export function parseAliasCache(file: ConfigFile): Map<string, string> {
  const what = 'short-name aliases config file';
  const doc = parseToml(file, what);
  try {
    return parseAliasTable(doc);
  } catch (err) {
    if (err instanceof ConfigProblem) throw configError(what, file.path, err);
    throw err;
  }
}
