// A distribution-spec v2 client for one registry: ping and challenge, anonymous or
// credentialed bearer tokens (cached per scope), basic auth, one retry on
// `insufficient_scope`, backoff on 429/5xx and dropped connections, and the https → http
// fallback only for registries marked insecure (storage-format §11.2).
//
// Redirects are followed by fetch, which drops `Authorization` when a blob redirect goes
// to another origin (an S3 bucket must not see our token).
import { RrunError } from '../../oci/errors.js';
import { usableChallenge, type Challenge } from './challenge.js';
import type { Credentials } from './credentials.js';
import { registryFetch } from './transport.js';

export type Fetch = typeof fetch;

export interface ClientOptions {
  /** `host[:port]` as in the reference (`docker.io` is mapped to its API host). */
  registry: string;
  /** Skip TLS verification and allow plain http (registries.conf insecure, --tls-verify=false). */
  insecure: boolean;
  credentials?: Credentials | undefined;
  fetch?: Fetch;
  /** Where HTTP(S)_PROXY/NO_PROXY are read (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Attempts for idempotent requests on 429/5xx/network errors (default 5). */
  attempts?: number;
  /** Backoff base in ms (doubled per attempt, capped at 10 s). */
  backoffMs?: number;
  userAgent?: string;
}

interface Token {
  value: string;
  expires: number;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string | undefined;
  /** `repository:<path>:<actions>` scopes this request needs. */
  scopes: string[];
  /** Retry on 429/5xx and network errors (only for requests without a body stream). */
  retry?: boolean;
  signal?: AbortSignal | undefined;
  /** The body is a stream (fetch needs `duplex: 'half'`). */
  duplex?: boolean;
}

export function apiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

export function registryError(code: string, message: string, registry: string, hint?: string, cause?: unknown): RrunError {
  return new RrunError({ code, message, subject: registry, ...(hint !== undefined ? { hint } : {}), ...(cause !== undefined ? { cause } : {}) });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class RegistryClient {
  readonly registry: string;
  private base: string | undefined;
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, Token>();
  private fetchFn: Fetch;

  constructor(private readonly opts: ClientOptions) {
    this.registry = opts.registry;
    this.fetchFn = opts.fetch ?? fetch;
  }

  private async transport(): Promise<void> {
    if (this.opts.fetch === undefined) this.fetchFn = await registryFetch(this.opts.env ?? process.env, this.opts.insecure);
  }

  /** `https://host/v2/` answers 200 or 401; insecure registries may answer over http. */
  async ping(): Promise<void> {
    if (this.base !== undefined) return;
    await this.transport();
    const host = apiHost(this.registry);
    const schemes = this.opts.insecure ? ['https', 'http'] : ['https'];
    let lastErr: unknown;
    for (const scheme of schemes) {
      try {
        const res = await this.fetchFn(`${scheme}://${host}/v2/`, { headers: this.baseHeaders(), signal: AbortSignal.timeout(30_000) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status !== 200 && res.status !== 401) {
          throw registryError('ERR_REGISTRY_PING', `pinging container registry ${this.registry}: ${scheme}://${host}/v2/ answered ${res.status}`, this.registry);
        }
        this.base = `${scheme}://${host}`;
        this.challenge = usableChallenge(res.headers.get('www-authenticate') ? [res.headers.get('www-authenticate') as string] : []);
        return;
      } catch (err) {
        lastErr = err;
      }
    }
    throw pingError(this.registry, this.opts.insecure, lastErr);
  }

  private baseHeaders(): Record<string, string> {
    return { 'user-agent': this.opts.userAgent ?? 'rrun/0.1 (containers/image compatible)' };
  }

  /** The base URL (after ping): `https://host` or `http://host`. */
  get baseUrl(): string {
    if (this.base === undefined) throw new Error('RegistryClient: ping() first');
    return this.base;
  }

  private async authorization(scopes: string[], extra?: string): Promise<string | undefined> {
    const c = this.challenge;
    const creds = this.opts.credentials;
    if (c === undefined) return undefined;
    if (c.scheme === 'basic') {
      if (creds === undefined || creds.identityToken !== undefined) return undefined;
      return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    const all = extra !== undefined ? [...scopes, extra] : scopes;
    return `Bearer ${await this.bearer(c, all)}`;
  }

  private async bearer(c: Challenge, scopes: string[]): Promise<string> {
    const key = scopes.join(' ');
    const cached = this.tokens.get(key);
    if (cached !== undefined && cached.expires > Date.now() + 5_000) return cached.value;
    const token = await fetchToken(this.fetchFn, this.registry, c, scopes, this.opts.credentials);
    this.tokens.set(key, token);
    return token.value;
  }

  /**
   * One request with auth; a 401 with `insufficient_scope` fetches a token with the
   * named scope and retries once. Retries with backoff when asked.
   */
  async request(path: string, o: RequestOptions): Promise<Response> {
    await this.ping();
    const attempts = o.retry === false ? 1 : (this.opts.attempts ?? 5);
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.once(path, o);
      } catch (err) {
        if (attempt >= attempts || o.signal?.aborted) throw networkError(this.registry, path, err);
        await sleep(this.backoff(attempt));
        continue;
      }
      if ((res.status === 429 || res.status >= 500) && attempt < attempts) {
        await res.arrayBuffer().catch(() => undefined);
        await sleep(this.backoff(attempt, res.headers.get('retry-after')));
        continue;
      }
      return res;
    }
  }

  private backoff(attempt: number, retryAfter?: string | null): number {
    const after = retryAfter ? Number(retryAfter) * 1000 : NaN;
    if (Number.isFinite(after) && after >= 0) return Math.min(after, 30_000);
    return Math.min((this.opts.backoffMs ?? 200) * 2 ** (attempt - 1), 10_000);
  }

  private async once(path: string, o: RequestOptions, extraScope?: string): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.baseUrl}${path}`;
    const auth = await this.authorization(o.scopes, extraScope);
    const headers: Record<string, string> = { ...this.baseHeaders(), ...(o.headers ?? {}), ...(auth !== undefined ? { authorization: auth } : {}) };
    const init: RequestInit = { method: o.method ?? 'GET', headers, ...(o.signal !== undefined ? { signal: o.signal } : {}) };
    if (o.body !== undefined) init.body = o.body as BodyInit;
    if (o.duplex === true) (init as RequestInit & { duplex: string }).duplex = 'half';
    const res = await this.fetchFn(url, init);
    if (res.status !== 401 || extraScope !== undefined || this.challenge?.scheme !== 'bearer') return res;
    const c = usableChallenge([res.headers.get('www-authenticate') ?? '']);
    if (c?.params['error'] !== 'insufficient_scope' || !c.params['scope']) return res;
    await res.arrayBuffer().catch(() => undefined);
    return this.once(path, o, c.params['scope']);
  }
}

function pingError(registry: string, insecure: boolean, err: unknown): RrunError {
  if (err instanceof RrunError) return err;
  const why = describeNetworkError(err);
  return registryError(
    'ERR_REGISTRY_UNREACHABLE',
    `pinging container registry ${registry}: ${why}`,
    registry,
    insecure
      ? `check that ${registry} is up and reachable (and HTTP(S)_PROXY if you need a proxy)`
      : `if ${registry} serves plain HTTP or a self-signed certificate, use --tls-verify=false or mark it insecure in registries.conf`,
    err,
  );
}

export function describeNetworkError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message ?? String(err)} (${cause})` : (e.message ?? String(err));
}

function networkError(registry: string, path: string, err: unknown): RrunError {
  if (err instanceof RrunError) return err;
  return registryError('ERR_REGISTRY_NETWORK', `${registry}${path}: ${describeNetworkError(err)}`, registry, 'check the network and retry', err);
}

async function fetchToken(f: Fetch, registry: string, c: Challenge, scopes: string[], creds: Credentials | undefined): Promise<Token> {
  const realm = c.params['realm'];
  if (!realm) throw registryError('ERR_REGISTRY_AUTH', `${registry}: bearer challenge without a realm`, registry);
  const url = new URL(realm);
  let res: Response;
  if (creds?.identityToken !== undefined) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'containers/image' });
    if (c.params['service']) form.set('service', c.params['service']);
    for (const s of scopes) form.append('scope', s);
    res = await f(url, { method: 'POST', body: form });
  } else {
    if (creds?.username) url.searchParams.set('account', creds.username);
    if (c.params['service']) url.searchParams.set('service', c.params['service']);
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (creds?.username && creds.password) headers['authorization'] = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    res = await f(url, { headers });
  }
  if (res.status === 401 || res.status === 403) {
    await res.arrayBuffer().catch(() => undefined);
    throw registryError('ERR_REGISTRY_UNAUTHORIZED', `${registry}: authentication required: the token server refused the credentials`, registry,
      `log in with \`rrun login ${registry}\``);
  }
  if (!res.ok) throw registryError('ERR_REGISTRY_AUTH', `${registry}: token server ${url.origin} answered ${res.status}`, registry);
  const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
  const value = body.token || body.access_token;
  if (!value) throw registryError('ERR_REGISTRY_AUTH', `${registry}: token server gave no token`, registry);
  const issued = body.issued_at ? Date.parse(body.issued_at) : Date.now();
  const expiresIn = Math.max(body.expires_in ?? 60, 60);
  return { value, expires: (Number.isFinite(issued) ? issued : Date.now()) + expiresIn * 1000 };
}
