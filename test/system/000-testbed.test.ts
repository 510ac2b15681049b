// The test bed itself: if any of these fail, every other system test is suspect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_REFS, LAYERS_REF, NODE_REF } from '../fixtures/images.js';
import { BUSYBOX_REF } from '../fixtures/busybox.js';
import { DEBIAN_REF } from '../fixtures/debian.js';
import { spawnCollect } from '../lib/proc.js';
import { registryPids, pushFixture, startRegistry } from '../lib/registry.js';
import { rmScratch, userScratchDir } from '../lib/scratch.js';
import { freeStart, parseSubIds } from '../lib/subids.js';
import { fixtureMissingReason, hasFixture, podman, requirePrereq, runAs, testBed } from '../lib/testbed.js';

const bed = testBed();
const T = { timeout: 180_000 };

function ok(r: { code: number | null; stderr: string }, what: string): void {
  assert.equal(r.code, 0, `${what} failed: ${r.stderr}`);
}

test('the test user is an unprivileged user', async () => {
  assert.notEqual(bed.uid, 0);
  const r = await runAs(['id', '-u']);
  ok(r, 'id -u');
  assert.equal(r.stdout.trim(), String(bed.uid));
});

test('runAs passes stdin, the environment, and kills on timeout', async () => {
  const cat = await runAs(['cat'], { input: 'hello' });
  assert.equal(cat.stdout, 'hello');
  const env = await runAs(['env'], { env: { EXTRA: '1' } });
  const names = env.stdout.trim().split('\n').map((l) => l.split('=')[0]).sort();
  assert.deepEqual(names, [...Object.keys(bed.env), 'EXTRA'].sort());
  const slow = await runAs(['sleep', '30'], { timeoutMs: 300 });
  assert.equal(slow.signal, 'SIGKILL');
  assert.match(slow.stderr, /timed out/);
});

test('podman maps root to the user and 1.. to the sub-id range', T, async () => {
  for (const [file, range] of [['uid_map', bed.subuid], ['gid_map', bed.subgid]] as const) {
    const r = await podman(['unshare', 'cat', `/proc/self/${file}`]);
    ok(r, `podman unshare cat ${file}`);
    const rows = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
    const own = file === 'uid_map' ? bed.uid : bed.gid;
    assert.deepEqual(rows, [[0, own, 1], [1, range.start, 65536]], `${file}:\n${r.stdout}`);
  }
});

test('the store uses the overlay driver, runc and cgroupfs', async () => {
  const r = await podman(['info', '--format', '{{.Store.GraphDriverName}} {{.Host.OCIRuntime.Name}} {{.Host.CgroupManager}}']);
  ok(r, 'podman info');
  assert.equal(r.stdout.trim(), 'overlay runc cgroupfs');
  const graph = await podman(['info', '--format', '{{.Store.GraphRoot}}']);
  assert.ok(graph.stdout.trim().startsWith(bed.home), `graph root ${graph.stdout} outside the bed's HOME`);
});

test('podman images lists every fixture image', async (t) => {
  const r = await podman(['images', '--format', 'json']);
  ok(r, 'podman images');
  const names = new Set((JSON.parse(r.stdout) as { Names?: string[] }[]).flatMap((i) => i.Names ?? []));
  const available = FIXTURE_REFS.filter((ref) => hasFixture(ref));
  for (const ref of available) assert.ok(names.has(ref), `${ref} missing from podman images: ${[...names].join(', ')}`);
  const absent = FIXTURE_REFS.filter((ref) => !hasFixture(ref)).map(fixtureMissingReason);
  requirePrereq(t, absent.length === 0, absent.join('; '));
});

test('the short name node resolves to docker.io/library/node', async (t) => {
  if (!requirePrereq(t, hasFixture(NODE_REF), fixtureMissingReason(NODE_REF))) return;
  const short = await podman(['image', 'inspect', '--format', '{{.Id}}', 'node']);
  const full = await podman(['image', 'inspect', '--format', '{{.Id}}', NODE_REF]);
  ok(short, 'podman image inspect node');
  assert.equal(short.stdout, full.stdout);
});

test('busybox: applets, users, default network', T, async () => {
  const script = 'for a in sh ls wget httpd nc ping stat sha256sum mount hostname; do command -v $a; done; id -u; grep ^app: /etc/passwd';
  const r = await podman(['run', '--rm', BUSYBOX_REF, 'sh', '-c', script]);
  ok(r, 'podman run busybox');
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 12, r.stdout);
  assert.equal(lines[10], '0');
  assert.equal(lines[11], 'app:x:1000:1000:app:/home/app:/bin/sh');
  const app = await podman(['run', '--rm', '--network', 'none', '--user', 'app', BUSYBOX_REF, 'sh', '-c', 'id -u; echo $HOME']);
  ok(app, 'podman run --user app');
  assert.equal(app.stdout, '1000\n/home/app\n');
});

const LAYERS_PROBE = [
  'ls /w; ls /d',
  'stat -c "%n %h" /links/h1 /links/h2',
  'for l in abs rel up; do readlink /links/$l; done; cat /links/up',
  'stat -c "%n %u:%g %a" /suid /srv/app /srv/app/owned /srv/app/private',
].join('; ');

const LAYERS_EXPECTED = `keep
new
/links/h1 2
/links/h2 2
/links/h1
h1
../w/keep
keep
/suid 0:0 4755
/srv/app 1000:1000 755
/srv/app/owned 1000:1000 644
/srv/app/private 1000:1000 600
`;

test('layers fixture: podman sees the unpacked result', T, async () => {
  const r = await podman(['run', '--rm', '--network', 'none', LAYERS_REF, 'sh', '-c', LAYERS_PROBE]);
  ok(r, 'podman run layers fixture');
  assert.equal(r.stdout, LAYERS_EXPECTED);
});

/** `tar -tv` of every layer of an image, saved by podman as an OCI directory. */
async function layerListings(ref: string): Promise<string[]> {
  const dir = userScratchDir(bed, 'rrun-000-save-');
  try {
    ok(await podman(['save', '--format', 'oci-dir', '-o', join(dir, 'oci'), ref]), 'podman save');
    const blob = (digest: string): string => join(dir, 'oci', 'blobs', ...digest.split(':'));
    const index = JSON.parse(readFileSync(join(dir, 'oci', 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(readFileSync(blob(index.manifests[0]?.digest ?? ''), 'utf8')) as { layers: { digest: string }[] };
    const out: string[] = [];
    for (const layer of manifest.layers) {
      const r = await spawnCollect(['tar', '--numeric-owner', '-tvf', blob(layer.digest)], { env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' } });
      ok(r, 'tar -tv');
      out.push(r.stdout);
    }
    return out;
  } finally {
    await rmScratch(bed, dir);
  }
}

test('layers fixture: its layer tars hold each kind of entry', T, async () => {
  const layers = await layerListings(LAYERS_REF);
  assert.equal(layers.length, 6, 'busybox + 5 RUN layers');
  const has = (i: number, re: RegExp): void => assert.match(layers[i] ?? '', re, `layer ${i}:\n${layers[i] ?? ''}`);
  has(2, / w\/\.wh\.gone$/m);
  has(3, / d\/\.wh\.\.wh\.\.opq$/m);
  has(3, / d\/new$/m);
  has(4, / links\/h2 link to links\/h1$/m);
  has(4, /^l.* links\/abs -> \/links\/h1$/m);
  has(5, /^-rwsr-xr-x 0\/0 .* suid$/m);
  has(5, /^d.* 1000\/1000 .* srv\/app\/$/m);
  has(5, /^-rw------- 1000\/1000 .* srv\/app\/private$/m);
});

test('debian and node fixtures run', T, async (t) => {
  if (!requirePrereq(t, hasFixture(NODE_REF), fixtureMissingReason(NODE_REF))) return;
  const deb = await podman(['run', '--rm', '--network', 'none', DEBIAN_REF, 'cat', '/etc/debian_version']);
  ok(deb, 'podman run debian');
  assert.match(deb.stdout, /^12\./);
  const node = await podman(['run', '--rm', '--network', 'none', 'node', 'sh', '-c', 'node --version && npm --version']);
  ok(node, 'podman run node');
  assert.match(node.stdout, /^v\d+\.\d+\.\d+\n\d+\.\d+\.\d+\n$/);
  const layers = await podman(['image', 'inspect', '--format', '{{len .RootFS.Layers}}', NODE_REF]);
  assert.equal(layers.stdout.trim(), '3');
});

test('registry: starts, answers /v2/, takes a push, stops', T, async () => {
  const reg = await startRegistry();
  try {
    const v2 = await fetch(`http://${reg.host}/v2/`);
    assert.equal(v2.status, 200);
    await pushFixture(BUSYBOX_REF, `${reg.host}/library/busybox:latest`, { format: 'oci' });
    const tags = (await (await fetch(`http://${reg.host}/v2/library/busybox/tags/list`)).json()) as { tags: string[] };
    assert.deepEqual(tags.tags, ['latest']);
    const accept = 'application/vnd.oci.image.manifest.v1+json';
    const m = await fetch(`http://${reg.host}/v2/library/busybox/manifests/latest`, { headers: { accept } });
    assert.equal(m.status, 200);
    assert.equal(m.headers.get('content-type'), accept);
  } finally {
    await reg.stop();
  }
  assert.deepEqual(registryPids(reg), []);
  await assert.rejects(fetch(`http://${reg.host}/v2/`));
});

test('registry with htpasswd: 401 without credentials, push with them', T, async () => {
  const creds = { user: 'rrun', password: 'rrun-secret' };
  const reg = await startRegistry({ htpasswd: creds });
  try {
    assert.equal((await fetch(`http://${reg.host}/v2/`)).status, 401);
    await assert.rejects(pushFixture(BUSYBOX_REF, `${reg.host}/library/busybox:v2s2`, { format: 'v2s2' }), /pushing/);
    await pushFixture(BUSYBOX_REF, `${reg.host}/library/busybox:v2s2`, { format: 'v2s2', creds });
    const basic = Buffer.from(`${creds.user}:${creds.password}`).toString('base64');
    const accept = 'application/vnd.docker.distribution.manifest.v2+json';
    const m = await fetch(`http://${reg.host}/v2/library/busybox/manifests/v2s2`, { headers: { accept, authorization: `Basic ${basic}` } });
    assert.equal(m.status, 200);
    assert.equal(m.headers.get('content-type'), accept);
  } finally {
    await reg.stop();
  }
  assert.deepEqual(registryPids(reg), []);
});

test('sub-id ranges: parsing and choosing a free range', () => {
  const taken = parseSubIds('# c\na:100000:65536\nb:165536:65536\n\nbad line\nc:400000:65536\n');
  assert.equal(taken.length, 3);
  assert.equal(freeStart(taken), 231072);
  assert.equal(freeStart([]), 100000);
  assert.equal(freeStart([{ start: 120000, count: 10 }]), 120010);
  assert.equal(freeStart([{ start: 50000, count: 10 }]), 100000);
});
