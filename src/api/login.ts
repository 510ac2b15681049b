// `rrun login` / `rrun logout`: check the credentials against the registry (ping, then
// a token or a basic-auth request for the registry root), then record them in podman's
// auth.json (the first file of its lookup order, or --authfile / REGISTRY_AUTH_FILE).
import { homedir } from 'node:os';
import { RrunError } from '../../oci/errors.js';
import { RegistryClient } from '../registry/client.js';
import { authWritePath, processAuthHost, updateAuthFile, type AuthHost } from '../registry/credentials.js';
import { httpError } from '../registry/manifests.js';
import { createContext, type GlobalOptions } from '../context.js';

export interface LoginOptions extends GlobalOptions {
  username: string;
  password: string;
  tlsVerify?: boolean | undefined;
  authfile?: string | undefined;
}

/** `quay.io/ns` → key `quay.io/ns`; `https://docker.io/` → `docker.io`. */
export function authKey(server: string): string {
  const key = server.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  return key === 'index.docker.io' || key === 'registry-1.docker.io' ? 'docker.io' : key;
}

async function authHost(o: GlobalOptions): Promise<AuthHost> {
  const ctx = await createContext(o);
  return processAuthHost(ctx.env, ctx.host.uid, ctx.env['HOME'] ?? homedir());
}

export async function login(server: string, o: LoginOptions): Promise<{ authfile: string }> {
  const key = authKey(server);
  const registry = key.split('/')[0] as string;
  const client = new RegistryClient({
    registry,
    insecure: o.tlsVerify === false,
    credentials: { username: o.username, password: o.password },
    attempts: 2,
  });
  // An empty scope list gets a token for the registry itself (as `docker login` does).
  const res = await client.request('/v2/', { scopes: [] });
  if (res.status === 401) {
    await res.arrayBuffer().catch(() => undefined);
    throw new RrunError({
      code: 'ERR_REGISTRY_UNAUTHORIZED',
      message: `logging into "${key}": invalid username/password`,
      subject: key,
      hint: 'check the user name and password',
    });
  }
  if (!res.ok) throw await httpError(res, registry, `logging into "${key}"`);
  await res.arrayBuffer().catch(() => undefined);
  const host = await authHost(o);
  const path = authWritePath(host, o.authfile);
  updateAuthFile(host, path, key, { username: o.username, password: o.password });
  return { authfile: path };
}

export async function logout(server: string, o: GlobalOptions & { authfile?: string | undefined }): Promise<void> {
  const key = authKey(server);
  const host = await authHost(o);
  const path = authWritePath(host, o.authfile);
  if (!updateAuthFile(host, path, key, undefined)) {
    throw new RrunError({
      code: 'ERR_NOT_LOGGED_IN',
      message: `logging out of "${key}": not logged in`,
      subject: key,
      hint: `${path} has no entry for ${key}`,
    });
  }
}
