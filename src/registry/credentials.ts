// Registry credentials in podman's auth.json files (storage-format §11.1): the lookup
// order, the key matching (`host/ns/repo` → `host/ns` → `host`, then normalised keys),
// and `rrun login`/`logout` writing the first file as podman does. The environment and
// the file system are injected so the rules are testable without a home directory.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { RrunError, errnoCode } from '../../oci/errors.js';
import { atomicWriteFile } from '../../storage/atomic.js';

export interface Credentials {
  username: string;
  password: string;
  /** An OAuth2 refresh token (`identitytoken`); username is then `<token>` by convention. */
  identityToken?: string | undefined;
}

export interface AuthHost {
  env: Readonly<Record<string, string | undefined>>;
  uid: number;
  home: string;
  readFile(path: string): string | undefined;
}

export const processAuthHost = (env: Readonly<Record<string, string | undefined>>, uid: number, home: string): AuthHost => ({
  env,
  uid,
  home,
  readFile: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
      throw err;
    }
  },
});

interface AuthFile {
  path: string;
  /** A legacy ~/.dockercfg: a bare map of hosts, matched by host only. */
  legacy: boolean;
}

/** podman's read order; `explicit` is --authfile or REGISTRY_AUTH_FILE (read first, then the rest, as c/image 5.23). */
export function authFiles(host: AuthHost, explicit?: string): AuthFile[] {
  const env = host.env;
  const runtime = env['XDG_RUNTIME_DIR'] ? `${env['XDG_RUNTIME_DIR']}/containers/auth.json` : `/run/containers/${host.uid}/auth.json`;
  const config = `${env['XDG_CONFIG_HOME'] || `${host.home}/.config`}/containers/auth.json`;
  const docker = env['DOCKER_CONFIG'] ? `${env['DOCKER_CONFIG']}/config.json` : `${host.home}/.docker/config.json`;
  const first = explicit ?? env['REGISTRY_AUTH_FILE'];
  const files = [runtime, config, docker].map((path) => ({ path, legacy: false }));
  return [...(first ? [{ path: first, legacy: false }] : []), ...files, { path: `${host.home}/.dockercfg`, legacy: true }];
}

/** Where `login` writes: the explicit file, else the first default. */
export function authWritePath(host: AuthHost, explicit?: string): string {
  return explicit ?? host.env['REGISTRY_AUTH_FILE'] ?? (authFiles(host)[0] as AuthFile).path;
}

interface AuthEntry {
  auth?: string;
  identitytoken?: string;
}

function normalizeKey(key: string): string {
  const host = key.replace(/^https?:\/\//, '').split('/')[0] ?? '';
  return host === 'registry-1.docker.io' || host === 'docker.io' ? 'index.docker.io' : host;
}

/** Keys to try for `registry/path`: the repository and its parents, then the host. */
export function lookupKeys(registry: string, repository: string): string[] {
  const parts = repository.split('/');
  const out: string[] = [];
  for (let n = parts.length; n > 0; n--) out.push(`${registry}/${parts.slice(0, n).join('/')}`);
  out.push(registry);
  return out;
}

function decode(entry: AuthEntry, file: string): Credentials | undefined {
  if (entry.identitytoken) return { username: '', password: '', identityToken: entry.identitytoken };
  if (!entry.auth) return undefined;
  const text = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) {
    throw new RrunError({ code: 'ERR_AUTH_FILE', message: `${file}: invalid "auth" entry (no user:password)`, subject: file });
  }
  return { username: text.slice(0, colon), password: text.slice(colon + 1).replace(/\0+$/, '') };
}

function parseAuthFile(text: string, file: string): Record<string, unknown> {
  try {
    const doc = JSON.parse(text) as unknown;
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) return doc as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new RrunError({
    code: 'ERR_AUTH_FILE',
    message: `${file}: not a valid auth file (JSON object expected)`,
    subject: file,
    hint: `fix or remove ${file}`,
  });
}

function findIn(auths: Record<string, AuthEntry>, registry: string, repository: string, file: string): Credentials | undefined {
  for (const key of lookupKeys(registry, repository)) {
    const e = auths[key];
    if (e !== undefined) return decode(e, file);
  }
  const wanted = normalizeKey(registry);
  for (const [key, e] of Object.entries(auths)) if (normalizeKey(key) === wanted) return decode(e, file);
  return undefined;
}

/** The first credentials any auth file has for `registry/repository`. */
export function findCredentials(host: AuthHost, registry: string, repository: string, explicit?: string): Credentials | undefined {
  for (const f of authFiles(host, explicit)) {
    const text = host.readFile(f.path);
    if (text === undefined || text.trim() === '') continue;
    const doc = parseAuthFile(text, f.path);
    const auths = (f.legacy ? doc : doc['auths']) as Record<string, AuthEntry> | undefined;
    if (typeof auths !== 'object' || auths === null) continue;
    const found = findIn(auths, registry, repository, f.path);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Add or remove `key` in the auth file, keeping every other field (credHelpers, …). */
export function updateAuthFile(host: AuthHost, path: string, key: string, creds: Credentials | undefined): boolean {
  const text = host.readFile(path);
  const doc = text === undefined || text.trim() === '' ? {} : parseAuthFile(text, path);
  const auths = { ...((doc['auths'] as Record<string, AuthEntry> | undefined) ?? {}) };
  const had = key in auths;
  if (creds === undefined) delete auths[key];
  else auths[key] = { auth: Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64') };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  atomicWriteFile(path, `${JSON.stringify({ ...doc, auths }, null, '\t')}\n`, 0o600);
  return had;
}
