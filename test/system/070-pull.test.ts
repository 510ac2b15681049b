// Pull acceptance against Debian's docker-registry on 127.0.0.1 (images pushed by
// skopeo): rrun's store writes must be what podman's own pull writes, and podman must
// use the result. Every test pulls into its own empty `--root` store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, writeFileSync, chownSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createServer, type Server } from 'node:http';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun, testBed } from '../lib/testbed.js';
import { pushFixture, startRegistry, type Registry } from '../lib/registry.js';
import { rmScratch, userScratchDir } from '../lib/scratch.js';

let reg: Registry;
const scratch: string[] = [];

before(async () => {
  reg = await startRegistry();
  await pushFixture('localhost/busybox:latest', `${reg.host}/library/busybox:latest`, { format: 'oci' });
  await pushFixture('localhost/rrun-fixture-layers:latest', `${reg.host}/fx/layers:v2s2`, { format: 'v2s2' });
  if (hasFixture('docker.io/library/node:latest')) await pushFixture('docker.io/library/node:latest', `${reg.host}/library/node:latest`, { format: 'oci' });
});

after(async () => {
  await reg?.stop();
  for (const d of scratch) await rmScratch(testBed(), d);
});

/** An empty store: `--root`/`--runroot` for both rrun and podman. */
function store(): { args: string[]; root: string } {
  const dir = userScratchDir(testBed(), 'rrun-pull-');
  scratch.push(dir);
  return { root: `${dir}/root`, args: ['--root', `${dir}/root`, '--runroot', `${dir}/run`] };
}

interface StoreView {
  layers: Record<string, unknown>[];
  images: Record<string, unknown>[];
  tarSplits: Map<string, string>;
}

/** layers.json without `created`, images.json, and every tar-split decoded. */
function view(root: string): StoreView {
  const layers = (JSON.parse(readFileSync(`${root}/overlay-layers/layers.json`, 'utf8')) as Record<string, unknown>[])
    .map(({ created: _c, ...rest }) => rest)
    .sort((a, b) => String(a['id']).localeCompare(String(b['id'])));
  const images = JSON.parse(readFileSync(`${root}/overlay-images/images.json`, 'utf8')) as Record<string, unknown>[];
  const tarSplits = new Map<string, string>();
  for (const f of readdirSync(`${root}/overlay-layers`)) {
    if (f.endsWith('.tar-split.gz')) tarSplits.set(f, gunzipSync(readFileSync(`${root}/overlay-layers/${f}`)).toString('utf8'));
  }
  return { layers, images, tarSplits };
}

async function pullBoth(ref: string): Promise<{ mine: ReturnType<typeof store>; theirs: ReturnType<typeof store>; id: string }> {
  const mine = store();
  const theirs = store();
  const id = ok(await rrun([...mine.args, 'pull', '-q', '--tls-verify=false', ref], { timeoutMs: 300_000 }), 'rrun pull').trim();
  const pid = ok(await podman([...theirs.args, 'pull', '-q', '--tls-verify=false', ref], { timeoutMs: 300_000 }), 'podman pull').trim();
  assert.equal(id, pid, 'same image id');
  return { mine, theirs, id };
}

test('busybox (OCI manifest): same records, tar-split and image id as podman pull; podman runs it', async (t) => {
  if (!requirePrereq(t, hasFixture('localhost/busybox:latest'), fixtureMissingReason('localhost/busybox:latest'))) return;
  const ref = `${reg.host}/library/busybox:latest`;
  const { mine, theirs } = await pullBoth(ref);
  const a = view(mine.root);
  const b = view(theirs.root);
  assert.deepEqual(a.layers, b.layers);
  assert.deepEqual(a.images, b.images);
  assert.deepEqual(a.tarSplits, b.tarSplits);
  assert.equal(ok(await podman([...mine.args, 'run', '--rm', ref, 'echo', 'hi']), 'podman run').trim(), 'hi');
  assert.match(ok(await podman([...mine.args, 'images', '--format', '{{.Repository}}:{{.Tag}}']), 'podman images'), /library\/busybox:latest/);
});

test('Docker v2s2 image with whiteouts, opaque dir, hardlinks: podman sees the same files', async (t) => {
  if (!requirePrereq(t, hasFixture('localhost/rrun-fixture-layers:latest'), fixtureMissingReason('localhost/rrun-fixture-layers:latest'))) return;
  const ref = `${reg.host}/fx/layers:v2s2`;
  const { mine, theirs } = await pullBoth(ref);
  assert.deepEqual(view(mine.root).layers, view(theirs.root).layers);
  assert.deepEqual(view(mine.root).tarSplits, view(theirs.root).tarSplits);
  const script = 'find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /etc -o -path /run \\) -prune -o -print | sort | xargs ls -ldn';
  const seen = async (s: ReturnType<typeof store>): Promise<string> => ok(await podman([...s.args, 'run', '--rm', '--network', 'none', ref, 'sh', '-c', script]), 'podman run');
  assert.equal(await seen(mine), await seen(theirs));
});

test('OCI index: the instance for this machine is chosen, a missing platform is a clear error', async (t) => {
  if (!requirePrereq(t, hasFixture('localhost/busybox:latest'), fixtureMissingReason('localhost/busybox:latest'))) return;
  const base = `http://${reg.host}/v2/library/busybox/manifests/latest`;
  const m = await fetch(base, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  const bytes = Buffer.from(await m.arrayBuffer());
  const digest = m.headers.get('docker-content-digest') as string;
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: bytes.length, platform: { os: 'linux', architecture: 's390x' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: bytes.length, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  };
  const put = await fetch(`http://${reg.host}/v2/library/busybox/manifests/multi`, {
    method: 'PUT', headers: { 'content-type': index.mediaType }, body: JSON.stringify(index),
  });
  assert.equal(put.status, 201);
  const s = store();
  const id = ok(await rrun([...s.args, 'pull', '-q', '--tls-verify=false', `${reg.host}/library/busybox:multi`]), 'rrun pull index').trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const img = (JSON.parse(readFileSync(`${s.root}/overlay-images/images.json`, 'utf8')) as { 'big-data-names': string[] }[])[0];
  assert.equal(img?.['big-data-names'].filter((n) => n.startsWith('manifest-')).length, 2, 'the index is kept under its own digest');
  const r = await rrun([...store().args, 'pull', '-q', '--tls-verify=false', '--arch', 'riscv64', `${reg.host}/library/busybox:multi`]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /no image found in manifest list for architecture riscv64/);
});

test('node: rrun and podman pulls agree; podman runs, inspects and trees it', async (t) => {
  if (!requirePrereq(t, hasFixture('docker.io/library/node:latest'), fixtureMissingReason('docker.io/library/node:latest'))) return;
  const ref = `${reg.host}/library/node:latest`;
  const started = Date.now();
  const { mine, theirs } = await pullBoth(ref);
  t.diagnostic(`rrun + podman pulls of node took ${Date.now() - started} ms`);
  assert.deepEqual(view(mine.root).layers, view(theirs.root).layers);
  assert.deepEqual(view(mine.root).images, view(theirs.root).images);
  assert.match(ok(await podman([...mine.args, 'run', '--rm', '--network', 'none', ref, 'npm', '--version'], { timeoutMs: 120_000 }), 'npm'), /^\d+\.\d+\.\d+\n$/);
  ok(await podman([...mine.args, 'image', 'tree', ref]), 'podman image tree');
  const inspect = JSON.parse(ok(await podman([...mine.args, 'image', 'inspect', ref]), 'inspect')) as { RootFS: { Layers: string[] } }[];
  assert.equal(inspect[0]?.RootFS.Layers.length, 3);
});

test('podman push of an rrun-pulled image reproduces the original layers', async (t) => {
  if (!requirePrereq(t, hasFixture('localhost/rrun-fixture-layers:latest'), fixtureMissingReason('localhost/rrun-fixture-layers:latest'))) return;
  const s = store();
  ok(await rrun([...s.args, 'pull', '-q', '--tls-verify=false', `${reg.host}/fx/layers:v2s2`]), 'rrun pull');
  const dir = userScratchDir(testBed(), 'rrun-pushed-');
  scratch.push(dir);
  ok(await podman([...s.args, 'push', '--tls-verify=false', `${reg.host}/fx/layers:v2s2`, `dir:${dir}/out`]), 'podman push');
  const manifest = JSON.parse(readFileSync(`${dir}/out/manifest.json`, 'utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  const config = JSON.parse(readFileSync(`${dir}/out/${manifest.config.digest.slice(7)}`, 'utf8')) as { rootfs: { diff_ids: string[] } };
  const { createHash } = await import('node:crypto');
  const pushed = manifest.layers.map((l) => {
    const blob = readFileSync(`${dir}/out/${l.digest.slice(7)}`);
    const tar = blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob;
    return `sha256:${createHash('sha256').update(tar).digest('hex')}`;
  });
  assert.deepEqual(pushed, config.rootfs.diff_ids);
});

test('rrun push of a podman-built image, then podman pull, round-trips; rmi cleans up', async (t) => {
  if (!requirePrereq(t, hasFixture('localhost/rrun-fixture-layers:latest'), fixtureMissingReason('localhost/rrun-fixture-layers:latest'))) return;
  ok(await rrun(['push', '-q', '--tls-verify=false', 'localhost/rrun-fixture-layers:latest', `${reg.host}/pushed/layers:1`]), 'rrun push');
  const s = store();
  ok(await podman([...s.args, 'pull', '-q', '--tls-verify=false', `${reg.host}/pushed/layers:1`]), 'podman pull');
  const want = ok(await podman(['image', 'inspect', '--format', '{{.Id}} {{.RootFS.Layers}}', 'localhost/rrun-fixture-layers:latest']), 'inspect');
  const got = ok(await podman([...s.args, 'image', 'inspect', '--format', '{{.Id}} {{.RootFS.Layers}}', `${reg.host}/pushed/layers:1`]), 'inspect');
  assert.equal(got, want);
  ok(await rrun([...s.args, 'tag', `${reg.host}/pushed/layers:1`, 'mine']), 'rrun tag');
  assert.match(ok(await rrun([...s.args, 'rmi', 'mine']), 'rmi tag'), /Untagged: localhost\/mine:latest/);
  ok(await podman([...s.args, 'create', '--name', 'user', `${reg.host}/pushed/layers:1`, 'true']), 'podman create');
  const inUse = await rrun([...s.args, 'rmi', `${reg.host}/pushed/layers:1`]);
  assert.equal(inUse.code, 2, 'podman rmi exits 2 for an image in use');
  assert.match(inUse.stderr, /in use by a container/);
  ok(await podman([...s.args, 'rm', 'user']), 'podman rm');
  assert.match(ok(await rrun([...s.args, 'rmi', `${reg.host}/pushed/layers:1`]), 'rmi'), /Deleted: /);
  assert.deepEqual(readdirSync(`${s.root}/overlay`).filter((n) => n !== 'l' && !n.startsWith('.')), []);
  assert.deepEqual(readdirSync(`${s.root}/overlay/l`), []);
  assert.equal(readdirSync(`${s.root}/overlay-layers`).filter((n) => n.endsWith('.tar-split.gz')).length, 0);
  assert.equal(ok(await podman([...s.args, 'images', '-q']), 'images'), '');
});

test('htpasswd registry: rrun login, pull, logout', async (t) => {
  if (!requirePrereq(t, hasFixture('localhost/busybox:latest'), fixtureMissingReason('localhost/busybox:latest'))) return;
  const creds = { user: 'alice', password: 's3cret' };
  const priv = await startRegistry({ htpasswd: creds });
  try {
    await pushFixture('localhost/busybox:latest', `${priv.host}/p/bb:1`, { creds });
    const s = store();
    const authfile = `${s.root}.auth.json`;
    const env = { REGISTRY_AUTH_FILE: authfile };
    const denied = await rrun([...s.args, 'pull', '-q', '--tls-verify=false', `${priv.host}/p/bb:1`], { env });
    assert.equal(denied.code, 125);
    assert.match(denied.stderr, /401|authentication required|log in/i);
    const bad = await rrun(['login', '--tls-verify=false', '-u', 'alice', '-p', 'nope', priv.host], { env });
    assert.equal(bad.code, 125);
    ok(await rrun(['login', '--tls-verify=false', '-u', 'alice', '-p', 's3cret', priv.host], { env }), 'login');
    assert.ok(JSON.parse(readFileSync(authfile, 'utf8')).auths[priv.host].auth);
    ok(await rrun([...s.args, 'pull', '-q', '--tls-verify=false', `${priv.host}/p/bb:1`], { env }), 'pull with credentials');
    ok(await podman([...s.args, 'pull', '-q', '--tls-verify=false', `${priv.host}/p/bb:1`], { env }), 'podman reads the same auth file');
    ok(await rrun(['logout', priv.host], { env }), 'logout');
  } finally {
    await priv.stop();
  }
});

/** A proxy in front of the registry that injects faults into blob downloads. */
async function faultProxy(faults: ((url: string) => 'ok' | 'fail500' | 'fail429' | 'drop')[]): Promise<{ host: string; server: Server }> {
  let n = 0;
  const server = createServer(async (req, res) => {
    const url = req.url ?? '/';
    const fault = url.includes('/blobs/') && req.method === 'GET' ? (faults[n++]?.(url) ?? 'ok') : 'ok';
    if (fault === 'fail500' || fault === 'fail429') {
      res.writeHead(fault === 'fail500' ? 500 : 429, { 'retry-after': '0' }).end();
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host') headers[k] = v;
    const upstream = await fetch(`http://${reg.host}${url}`, { method: req.method ?? 'GET', headers, redirect: 'manual' });
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => (out[k] = v));
    res.writeHead(upstream.status, out);
    const body = Buffer.from(await upstream.arrayBuffer());
    if (fault === 'drop' && body.length > 1000) {
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      res.socket?.destroy();
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { host: `127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, server };
}

test('retries: 500, 429 and a dropped connection are survived (Range resume); a dead registry is a clean error', async (t) => {
  if (!requirePrereq(t, hasFixture('localhost/busybox:latest'), fixtureMissingReason('localhost/busybox:latest'))) return;
  const flaky = await faultProxy([() => 'fail500', () => 'fail429', () => 'drop']);
  try {
    const s = store();
    ok(await rrun([...s.args, 'pull', '-q', '--tls-verify=false', `${flaky.host}/library/busybox:latest`], { timeoutMs: 120_000 }), 'pull through faults');
    ok(await podman([...s.args, 'run', '--rm', `${flaky.host}/library/busybox:latest`, 'true']), 'podman runs it');
  } finally {
    flaky.server.close();
  }
  const dead = await faultProxy(Array.from({ length: 50 }, () => () => 'fail500' as const));
  try {
    const s = store();
    const r = await rrun([...s.args, 'pull', '-q', '--tls-verify=false', `${dead.host}/library/busybox:latest`], { timeoutMs: 120_000 });
    assert.equal(r.code, 125);
    assert.match(r.stderr, /500/);
    assert.equal(existsSync(`${s.root}/overlay-images/images.json`), false, 'no image registered');
    const layers = existsSync(`${s.root}/overlay-layers/layers.json`) ? readFileSync(`${s.root}/overlay-layers/layers.json`, 'utf8') : '[]';
    assert.equal(layers.trim() === '' ? '[]' : layers, '[]');
  } finally {
    dead.server.close();
  }
});

test('a tampered blob is refused and nothing is registered', async (t) => {
  if (!requirePrereq(t, hasFixture('localhost/busybox:latest'), fixtureMissingReason('localhost/busybox:latest'))) return;
  await pushFixture('localhost/busybox:latest', `${reg.host}/tamper/bb:1`, { format: 'oci' });
  const m = (await (await fetch(`http://${reg.host}/v2/tamper/bb/manifests/1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })).json()) as { layers: { digest: string }[] };
  const hex = m.layers[0]?.digest.slice(7) as string;
  const data = `${reg.dir}/data/docker/registry/v2/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`;
  const original = readFileSync(data);
  const bytes = Buffer.from(original);
  bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
  writeFileSync(data, bytes);
  if (testBed().asRoot) chownSync(data, testBed().uid, testBed().gid);
  const s = store();
  // Blobs are shared by every repository of the registry: put the original back after.
  const r = await rrun([...s.args, 'pull', '-q', '--tls-verify=false', `${reg.host}/tamper/bb:1`]).finally(() => writeFileSync(data, original));
  assert.equal(r.code, 125);
  assert.match(r.stderr, /digest|checksum|gzip|invalid/i);
  assert.equal(existsSync(`${s.root}/overlay-images/images.json`), false);
  assert.deepEqual(existsSync(`${s.root}/overlay`) ? readdirSync(`${s.root}/overlay`).filter((n) => n !== 'l') : [], []);
  t.diagnostic(r.stderr.trim());
});

test('HTTP(S)_PROXY is honoured (CONNECT through a forward proxy), NO_PROXY bypasses it', async (t) => {
  if (!requirePrereq(t, hasFixture('localhost/busybox:latest'), fixtureMissingReason('localhost/busybox:latest'))) return;
  const { createServer: createTcp, connect } = await import('node:net');
  let tunnels = 0;
  const proxy = createServer();
  proxy.on('connect', (req, client, head) => {
    tunnels++;
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  void createTcp;
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const addr = proxy.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  try {
    const s = store();
    ok(await rrun([...s.args, 'pull', '-q', '--tls-verify=false', `${reg.host}/library/busybox:latest`], { env: { HTTP_PROXY: url, HTTPS_PROXY: url } }), 'pull via proxy');
    assert.ok(tunnels > 0, 'the proxy carried the pull');
    const before = tunnels;
    const s2 = store();
    ok(await rrun([...s2.args, 'pull', '-q', '--tls-verify=false', `${reg.host}/library/busybox:latest`], { env: { HTTP_PROXY: url, HTTPS_PROXY: url, NO_PROXY: '127.0.0.1' } }), 'pull bypassing');
    assert.equal(tunnels, before, 'NO_PROXY bypassed the proxy');
  } finally {
    proxy.close();
  }
});

test('registries.conf: short names through unqualified-search-registries, mirrors, blocked registries', async (t) => {
  if (!requirePrereq(t, hasFixture('localhost/busybox:latest'), fixtureMissingReason('localhost/busybox:latest'))) return;
  const s = store();
  const conf = `${s.root}.registries.conf`;
  writeFileSync(conf, [
    `unqualified-search-registries = ["${reg.host}"]`,
    '[[registry]]', `location = "${reg.host}"`, 'insecure = true',
    '[[registry]]', 'prefix = "blocked.example"', 'location = "blocked.example"', 'blocked = true',
    '[[registry]]', 'prefix = "mirrored.example"', 'location = "mirrored.example"',
    '[[registry.mirror]]', `location = "${reg.host}"`, 'insecure = true', '',
  ].join('\n'), { mode: 0o644 });
  const env = { CONTAINERS_REGISTRIES_CONF: conf };
  ok(await rrun([...s.args, 'pull', '-q', 'library/busybox'], { env }), 'short name');
  ok(await rrun([...s.args, 'pull', '-q', 'mirrored.example/library/busybox'], { env }), 'through the mirror');
  const names = ok(await podman([...s.args, 'images', '--format', '{{.Repository}}:{{.Tag}}'], { env }), 'images');
  assert.match(names, new RegExp(`${reg.host}/library/busybox:latest`));
  assert.match(names, /mirrored\.example\/library\/busybox:latest/);
  const blocked = await rrun([...s.args, 'pull', '-q', 'blocked.example/x'], { env });
  assert.equal(blocked.code, 125);
  assert.match(blocked.stderr, /blocked/);
  const missing = await rrun([...s.args, 'pull', '-q', 'nosuch/thing:1'], { env });
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /404|manifest unknown/);
});
