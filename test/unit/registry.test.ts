// Registry client rules without a network: WWW-Authenticate parsing, auth.json lookup
// order and keys, platform choice in a list, layer ids, and the client's token flow,
// retries and insufficient_scope retry against a fake fetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenge, usableChallenge } from '../../src/registry/challenge.js';
import { authFiles, findCredentials, lookupKeys, type AuthHost } from '../../src/registry/credentials.js';
import { choosePlatform, wantedPlatform } from '../../src/image/pull-platform.js';
import { layerId, layerIds } from '../../storage/layers-write.js';
import { RegistryClient, type Fetch } from '../../src/registry/client.js';
import { sniffCompression } from '../../storage/decompress.js';
import { tagName } from '../../src/api/tag.js';

test('challenge: scheme lower-cased, quoted values, first basic/bearer wins', () => {
  assert.deepEqual(parseChallenge('Bearer realm="https://auth.io/token",service="reg",scope="repository:a/b:pull"'), {
    scheme: 'bearer', params: { realm: 'https://auth.io/token', service: 'reg', scope: 'repository:a/b:pull' },
  });
  assert.deepEqual(parseChallenge('Basic realm="x \\"y\\""'), { scheme: 'basic', params: { realm: 'x "y"' } });
  assert.deepEqual(parseChallenge('Bearer Realm=plain, error="insufficient_scope"')?.params, { realm: 'plain', error: 'insufficient_scope' });
  assert.equal(usableChallenge(['Negotiate abc', 'Basic realm="r"'])?.scheme, 'basic');
  assert.equal(usableChallenge(['Digest realm="r"']), undefined);
});

function host(files: Record<string, string>, env: Record<string, string> = {}): AuthHost {
  return { env, uid: 1000, home: '/home/u', readFile: (p) => files[p] };
}
const auth = (u: string, p: string): string => Buffer.from(`${u}:${p}`).toString('base64');

test('credentials: podman lookup order, repository keys before the host, docker.io aliases', () => {
  assert.deepEqual(authFiles(host({}, { XDG_RUNTIME_DIR: '/run/user/1000' })).map((f) => f.path), [
    '/run/user/1000/containers/auth.json', '/home/u/.config/containers/auth.json', '/home/u/.docker/config.json', '/home/u/.dockercfg',
  ]);
  assert.equal(authFiles(host({}, { REGISTRY_AUTH_FILE: '/x.json' }))[0]?.path, '/x.json');
  assert.deepEqual(lookupKeys('quay.io', 'org/app'), ['quay.io/org/app', 'quay.io/org', 'quay.io']);
  const h = host({
    '/run/containers/1000/auth.json': JSON.stringify({ auths: { 'quay.io/org': { auth: auth('org', 'p1') }, 'quay.io': { auth: auth('all', 'p2') } } }),
    '/home/u/.docker/config.json': JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: auth('hub', 'p3\0\0') } } }),
  });
  assert.deepEqual(findCredentials(h, 'quay.io', 'org/app'), { username: 'org', password: 'p1' });
  assert.deepEqual(findCredentials(h, 'quay.io', 'other/app'), { username: 'all', password: 'p2' });
  assert.deepEqual(findCredentials(h, 'docker.io', 'library/node'), { username: 'hub', password: 'p3' });
  assert.equal(findCredentials(h, 'ghcr.io', 'a/b'), undefined);
});

test('platform: host default, --platform/--arch/--variant, arm64 variant v8 optional', () => {
  const list = [
    { mediaType: 'm', digest: 'sha256:a', size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    { mediaType: 'm', digest: 'sha256:b', size: 1, platform: { os: 'linux', architecture: 'arm64' } },
    { mediaType: 'm', digest: 'sha256:c', size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
  ];
  assert.equal(choosePlatform(list, { os: 'linux', architecture: 'amd64' }, 's').digest, 'sha256:a');
  assert.equal(choosePlatform(list, wantedPlatform({ platform: 'linux/arm64/v8' }), 's').digest, 'sha256:b');
  assert.equal(choosePlatform(list, wantedPlatform({ arch: 'arm', variant: 'v7' }), 's').digest, 'sha256:c');
  assert.throws(() => choosePlatform(list, wantedPlatform({ arch: 's390x' }), 's'), /no image found in manifest list for architecture s390x/);
  assert.throws(() => wantedPlatform({ platform: 'linux' }), /os\/arch/);
});

test('layer ids: base = diffID, then sha256(parent + "+" + diffID) (verified on podman stores)', () => {
  assert.equal(layerId(undefined, 'sha256:503e30c283b19283739dd450288fb13b386634ab63db1f3960af18437088b8f1'), '503e30c283b19283739dd450288fb13b386634ab63db1f3960af18437088b8f1');
  assert.equal(layerId('503e30c283b19283739dd450288fb13b386634ab63db1f3960af18437088b8f1', 'sha256:97e5d1e00de1dc9a476927793d2bf2c401d0fa47e00f6b1cc2ce4975afdbb38e'),
    'f92073c759464d0e7e1c7e570c1dd4f3a585dd6cac8acba6a7573e1155dbb178');
  assert.equal(layerIds(['sha256:824a5a753eeacd7b7a2694fa0f01ebdc065bc0f7203fbffe5c5cc5310624d60c', 'sha256:e77180876ed17fa26c075edff323fdf64cf4bf196127b7ad3d7077dccd099591'])[1],
    '928cd657b8c7c2329f2a61022694cb982c0af6b02b3b022423cbe2301f5824a8');
});

test('compression sniffing and tag names', () => {
  assert.equal(sniffCompression(Buffer.from([0x1f, 0x8b, 8, 0])).code, 2);
  assert.equal(sniffCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])).code, 4);
  assert.equal(sniffCompression(Buffer.from('usr/')).code, 0);
  assert.equal(tagName('foo'), 'localhost/foo:latest');
  assert.equal(tagName('foo/bar:1'), 'localhost/foo/bar:1');
  assert.equal(tagName('docker.io/foo'), 'docker.io/library/foo:latest');
  assert.equal(tagName('quay.io/a/b:2'), 'quay.io/a/b:2');
});

function fakeFetch(routes: ((url: string, init?: RequestInit) => Response | undefined)[]): { f: Fetch; log: string[] } {
  const log: string[] = [];
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const authz = (init?.headers as Record<string, string> | undefined)?.['authorization'];
    log.push(`${init?.method ?? 'GET'} ${url}${authz ? ` [${authz}]` : ''}`);
    for (const r of routes) {
      const res = r(url, init);
      if (res !== undefined) return res;
    }
    return new Response('{}', { status: 404 });
  }) as Fetch;
  return { f, log };
}

test('client: anonymous bearer token per scope, insufficient_scope retry, backoff on 503', async () => {
  let fails = 1;
  const { f, log } = fakeFetch([
    (u) => (u.endsWith('/v2/') ? new Response('', { status: 401, headers: { 'www-authenticate': 'Bearer realm="https://auth.test/token",service="reg"' } }) : undefined),
    (u) => (u.startsWith('https://auth.test/token') ? Response.json({ token: `T${new URL(u).searchParams.getAll('scope').length}`, expires_in: 1 }) : undefined),
    (u, init) => {
      if (!u.includes('/manifests/')) return undefined;
      if (fails-- > 0) return new Response('', { status: 503 });
      const authz = (init?.headers as Record<string, string>)['authorization'];
      if (authz === 'Bearer T1') return new Response('', { status: 401, headers: { 'www-authenticate': 'Bearer realm="https://auth.test/token",error="insufficient_scope",scope="repository:other:pull"' } });
      return new Response('{}', { status: 200 });
    },
  ]);
  const c = new RegistryClient({ registry: 'reg.test', insecure: false, fetch: f, backoffMs: 1 });
  const res = await c.request('/v2/a/manifests/latest', { scopes: ['repository:a:pull'] });
  assert.equal(res.status, 200);
  assert.ok(log.some((l) => l.includes('scope=repository%3Aa%3Apull&scope=repository%3Aother%3Apull')), log.join('\n'));
  assert.ok(log.some((l) => l.endsWith('[Bearer T2]')), log.join('\n'));
  assert.ok(!log.some((l) => l.startsWith('GET https://auth.test') && l.includes('[')), 'anonymous token requests carry no Authorization');
});

test('client: basic auth, and http fallback only when insecure', async () => {
  const { f, log } = fakeFetch([
    (u) => (u.startsWith('https://') ? (() => { throw new TypeError('fetch failed'); })() : undefined),
    (u) => (u.endsWith('/v2/') ? new Response('', { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }) : undefined),
    () => new Response('{}', { status: 200 }),
  ]);
  const secure = new RegistryClient({ registry: 'reg.test', insecure: false, fetch: f });
  await assert.rejects(secure.ping(), (e: Error & { hint?: string }) => /pinging container registry reg.test/.test(e.message) && /--tls-verify=false/.test(e.hint ?? ''));
  const c = new RegistryClient({ registry: 'reg.test', insecure: true, fetch: f, credentials: { username: 'u', password: 'p' } });
  await c.request('/v2/x/manifests/1', { scopes: [] });
  assert.ok(log.at(-1)?.endsWith(`[Basic ${Buffer.from('u:p').toString('base64')}]`), log.join('\n'));
  assert.ok(log.at(-1)?.startsWith('GET http://reg.test/'));
});
