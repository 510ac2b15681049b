// Which fetch the registry client uses. Node 20's global fetch ignores HTTP(S)_PROXY and
// cannot skip TLS verification per request (deps.md §8), so undici 7 — the same code
// that implements Node's fetch — is loaded, only when needed: `EnvHttpProxyAgent` when a
// proxy variable is set (it honours NO_PROXY), and an agent without certificate checks
// for registries that are insecure (registries.conf or --tls-verify=false).
import type { Fetch } from './client.js';

const proxyVars = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

export function wantsProxy(env: Readonly<Record<string, string | undefined>>): boolean {
  return proxyVars.some((v) => (env[v] ?? '') !== '');
}

const cache = new Map<string, Promise<Fetch>>();

async function build(proxy: boolean, insecure: boolean): Promise<Fetch> {
  const mod = await import('undici');
  // A CommonJS package: bundled, its exports sit on `default`.
  const undici = ((mod as unknown as { default?: typeof mod }).default ?? mod);
  const connect = insecure ? { rejectUnauthorized: false } : {};
  const dispatcher = proxy
    ? new undici.EnvHttpProxyAgent({ connect, requestTls: connect, proxyTls: {} })
    : new undici.Agent({ connect });
  const f = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    undici.fetch(input as Parameters<typeof undici.fetch>[0], { ...(init as object), dispatcher } as Parameters<typeof undici.fetch>[1]) as unknown as Promise<Response>;
  return f as Fetch;
}

/** The global fetch when it will do, else an undici fetch with the right dispatcher. */
export function registryFetch(env: Readonly<Record<string, string | undefined>>, insecure: boolean): Promise<Fetch> {
  const proxy = wantsProxy(env);
  if (!proxy && !insecure) return Promise.resolve(fetch);
  const key = `${proxy}:${insecure}`;
  let f = cache.get(key);
  if (f === undefined) {
    f = build(proxy, insecure);
    cache.set(key, f);
  }
  return f;
}
