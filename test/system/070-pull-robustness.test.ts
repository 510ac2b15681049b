// Pulls under attack and under stress: malicious layer tars served by a registry, rrun
// killed with SIGKILL in the middle of a pull, rrun and podman pulling into the same
// store at the same time. Every test uses its own empty `--root` store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun, runAs, testBed } from '../lib/testbed.js';
import { pushFixture, startRegistry, type Registry } from '../lib/registry.js';
import { rmScratch, userScratchDir } from '../lib/scratch.js';

let reg: Registry;
const scratch: string[] = [];

before(async () => {
  reg = await startRegistry();
});

after(async () => {
  await reg?.stop();
  for (const d of scratch) await rmScratch(testBed(), d);
});

function store(): { args: string[]; root: string } {
  const dir = userScratchDir(testBed(), 'rrun-pullr-');
  scratch.push(dir);
  return { root: `${dir}/root`, args: ['--root', `${dir}/root`, '--runroot', `${dir}/run`] };
}

// ---- a minimal image writer: tar members → gzip layer → config → manifest, pushed raw

interface Member { name: string; type?: string; data?: string; linkname?: string }

function header(m: Member, size: number): Buffer {
  const b = Buffer.alloc(512);
  b.write(m.name, 0, 'utf8');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  b.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  b.write('14000000000\0', 136);
  b.write(m.type ?? '0', 156);
  b.write(m.linkname ?? '', 157);
  b.write('ustar\u000000', 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

function tar(members: Member[]): Buffer {
  const parts = members.flatMap((m) => {
    const d = Buffer.from(m.data ?? '');
    return [header(m, d.length), d, Buffer.alloc((512 - (d.length % 512)) % 512)];
  });
  return Buffer.concat([...parts, Buffer.alloc(1024)]);
}

const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function putBlob(repo: string, data: Buffer): Promise<string> {
  const digest = sha(data);
  const start = await fetch(`http://${reg.host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.equal(start.status, 202);
  const url = new URL(start.headers.get('location') as string, `http://${reg.host}`);
  url.searchParams.set('digest', digest);
  const put = await fetch(url, { method: 'PUT', body: new Uint8Array(data), headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(put.status, 201, await put.text());
  return digest;
}

type Compress = 'gzip' | 'zstd' | 'none';
const compressors: Record<Compress, { media: string; fn: (b: Buffer) => Buffer }> = {
  gzip: { media: 'application/vnd.oci.image.layer.v1.tar+gzip', fn: (b) => gzipSync(b) },
  zstd: { media: 'application/vnd.oci.image.layer.v1.tar+zstd', fn: (b) => execFileSync('zstd', ['-q', '-c'], { input: b }) },
  none: { media: 'application/vnd.oci.image.layer.v1.tar', fn: (b) => b },
};

async function pushImage(repo: string, layers: Member[][], compress: Compress = 'gzip'): Promise<string> {
  const tars = layers.map(tar);
  const blobs = tars.map((t) => compressors[compress].fn(t));
  const digests = await Promise.all(blobs.map((b) => putBlob(repo, b)));
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z', config: {},
    rootfs: { type: 'layers', diff_ids: tars.map((t) => sha(t)) },
  }));
  const configDigest = await putBlob(repo, config);
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: blobs.map((b, i) => ({ mediaType: compressors[compress].media, digest: digests[i], size: b.length })),
  };
  const res = await fetch(`http://${reg.host}/v2/${repo}/manifests/1`, {
    method: 'PUT', headers: { 'content-type': manifest.mediaType }, body: JSON.stringify(manifest),
  });
  assert.equal(res.status, 201, await res.text());
  return `${reg.host}/${repo}:1`;
}

function nothingRegistered(root: string): void {
  assert.equal(existsSync(`${root}/overlay-images/images.json`), false, 'no image record');
  const layers = existsSync(`${root}/overlay-layers/layers.json`) ? readFileSync(`${root}/overlay-layers/layers.json`, 'utf8').trim() : '';
  assert.ok(layers === '' || layers === '[]', `no layer records: ${layers}`);
}

test('malicious layers: escapes are refused or confined; nothing lands outside the layer', async () => {
  const tag = randomBytes(4).toString('hex');
  const victim = `/tmp/rrun-victim-${tag}`;
  const cases: [string, Member[], boolean][] = [
    ['dot-dot path', [{ name: `../../../../../../tmp/rrun-victim-${tag}`, data: 'pwned' }], false],
    ['hardlink to a host file', [{ name: 'passwd', type: '1', linkname: '../../../../../../etc/passwd' }], false],
    ['symlink then write through it', [{ name: 'evil', type: '2', linkname: '/tmp' }, { name: `evil/rrun-victim-${tag}`, data: 'pwned' }], true],
    ['symlink to parent then write', [{ name: 'up', type: '2', linkname: '../../../../../../tmp' }, { name: `up/rrun-victim-${tag}`, data: 'pwned' }], true],
  ];
  for (const [what, members, pulls] of cases) {
    const ref = await pushImage(`mal/${what.replace(/[^a-z]+/g, '-')}`, [members]);
    const s = store();
    const r = await rrun([...s.args, 'pull', '-q', '--tls-verify=false', ref]);
    assert.equal(existsSync(victim), false, `${what}: wrote ${victim}`);
    if (pulls) {
      ok(r, `${what}: confined pull`);
    } else {
      assert.equal(r.code, 125, `${what}: ${r.stderr}`);
      assert.match(r.stderr, /refusing layer member|leaves the layer/, what);
      nothingRegistered(s.root);
    }
  }
});

test('zstd, gzip and uncompressed layers pull; records say which', async () => {
  const s = store();
  for (const [c, code] of [['zstd', 4], ['none', undefined], ['gzip', 2]] as const) {
    const ref = await pushImage(`z/${c}`, [[{ name: 'etc/', type: '5' }, { name: `etc/${c}`, data: `made with ${c}\n` }], [{ name: 'etc/.wh.gone' }, { name: 'more', data: 'x' }]], c);
    ok(await rrun([...s.args, 'pull', '-q', '--tls-verify=false', ref]), `pull ${c}`);
    const layers = JSON.parse(readFileSync(`${s.root}/overlay-layers/layers.json`, 'utf8')) as { compression?: number; 'compressed-diff-digest': string }[];
    assert.ok(layers.some((l) => l.compression === code), `${c}: compression ${String(code)} recorded`);
  }
});

test('kill -9 in the middle of a pull: podman still lists the store, the next pull completes', async (t) => {
  if (!requirePrereq(t, hasFixture('docker.io/library/debian:bookworm'), fixtureMissingReason('docker.io/library/debian:bookworm'))) return;
  await pushFixture('docker.io/library/debian:bookworm', `${reg.host}/library/debian:bookworm`);
  const ref = `${reg.host}/library/debian:bookworm`;
  const s = store();
  const bin = `${testBed().repo}/bin/rrun`;
  for (const delay of ['0.6', '1.2', '2.0']) {
    const script = `${bin} ${s.args.join(' ')} pull -q --tls-verify=false ${ref} >/dev/null 2>&1 & p=$!; sleep ${delay}; kill -9 $p; wait $p; exit 0`;
    ok(await runAs(['sh', '-c', script], { timeoutMs: 120_000 }), `killed pull after ${delay}s`);
    ok(await podman([...s.args, 'images']), 'podman images after kill -9');
  }
  ok(await rrun([...s.args, 'pull', '-q', '--tls-verify=false', ref], { timeoutMs: 300_000 }), 'pull after the kills');
  assert.match(ok(await podman([...s.args, 'run', '--rm', ref, 'cat', '/etc/debian_version']), 'podman run'), /^12/);
  const layers = JSON.parse(readFileSync(`${s.root}/overlay-layers/layers.json`, 'utf8')) as { flags?: Record<string, unknown> }[];
  assert.ok(layers.every((l) => l.flags?.['incomplete'] !== true), 'no incomplete layer left');
});

test('rrun and podman pulling different images into one store at once, in a loop', async (t) => {
  if (!requirePrereq(t, hasFixture('localhost/busybox:latest') && hasFixture('localhost/rrun-fixture-layers:latest'), 'busybox and layers fixtures')) return;
  await pushFixture('localhost/busybox:latest', `${reg.host}/c/a:1`);
  await pushFixture('localhost/rrun-fixture-layers:latest', `${reg.host}/c/b:1`);
  const s = store();
  for (let i = 0; i < 4; i++) {
    const [a, b] = await Promise.all([
      rrun([...s.args, 'pull', '-q', '--tls-verify=false', `${reg.host}/c/a:1`]),
      podman([...s.args, 'pull', '-q', '--tls-verify=false', `${reg.host}/c/b:1`]),
    ]);
    ok(a, `round ${i}: rrun pull`);
    ok(b, `round ${i}: podman pull`);
    const names = ok(await podman([...s.args, 'images', '--format', '{{.Repository}}:{{.Tag}}']), 'images');
    assert.match(names, /c\/a:1/, `round ${i}`);
    assert.match(names, /c\/b:1/, `round ${i}`);
    for (const f of ['overlay-layers/layers.json', 'overlay-images/images.json']) JSON.parse(readFileSync(`${s.root}/${f}`, 'utf8'));
    ok(await podman([...s.args, 'rmi', '-a']), 'podman rmi -a');
  }
});
