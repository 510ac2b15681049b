// Image I/O acceptance against podman: save/load both ways (docker-archive and
// oci-archive), import/export, commit, and bad input. Every test that writes uses its
// own `--root` store; the shared store is only read (fixtures) or gets names
// `localhost/rrun-io-test-*`, removed afterwards.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun, runAs, testBed } from '../lib/testbed.js';
import { rmScratch, userScratchDir } from '../lib/scratch.js';

const BUSYBOX = 'localhost/busybox:latest';
const LAYERS = 'localhost/rrun-fixture-layers:latest';
const scratch: string[] = [];

after(async () => {
  for (const d of scratch) await rmScratch(testBed(), d);
});

function dir(): string {
  const d = userScratchDir(testBed(), 'rrun-io-');
  chmodSync(d, 0o755);
  scratch.push(d);
  return d;
}

/** An empty store: `--root`/`--runroot` for both rrun and podman. */
function store(): { args: string[]; root: string } {
  const d = dir();
  return { root: `${d}/root`, args: ['--root', `${d}/root`, '--runroot', `${d}/run`] };
}

async function imageId(args: string[], name: string): Promise<string> {
  return ok(await podman([...args, 'image', 'inspect', '--format', '{{.Id}}', name]), `inspect ${name}`).trim();
}

test('podman save → rrun load → rrun run; the same id and digest as podman load', async (t) => {
  if (!requirePrereq(t, hasFixture(LAYERS), fixtureMissingReason(LAYERS))) return;
  const d = dir();
  for (const format of ['docker-archive', 'oci-archive']) {
    ok(await podman(['save', '-q', '--format', format, '-o', `${d}/${format}.tar`, LAYERS]), `podman save ${format}`);
    const mine = store();
    const theirs = store();
    assert.match(ok(await rrun([...mine.args, 'load', '-q', '-i', `${d}/${format}.tar`]), 'rrun load'), new RegExp(`^Loaded image: ${LAYERS}\n$`));
    ok(await podman([...theirs.args, 'load', '-q', '-i', `${d}/${format}.tar`]), 'podman load');
    assert.equal(await imageId(mine.args, LAYERS), await imageId(theirs.args, LAYERS), format);
    const digests = async (s: string[]): Promise<string> => ok(await podman([...s, 'images', '--digests', '--format', '{{.Digest}} {{.ID}}']), 'images');
    assert.equal(await digests(mine.args), await digests(theirs.args), `${format}: stored manifest digest`);
    assert.equal(ok(await rrun([...mine.args, 'run', '--rm', LAYERS, 'ls', '/d']), 'rrun run'), 'new\n');
    ok(await podman([...mine.args, 'run', '--rm', LAYERS, 'true']), 'podman run of the loaded image');
  }
});

test('rrun save → podman load → podman run (both formats); docker-archive equals podman save byte for byte', async (t) => {
  if (!requirePrereq(t, hasFixture(LAYERS), fixtureMissingReason(LAYERS))) return;
  const d = dir();
  ok(await rrun(['save', '-o', `${d}/mine.tar`, LAYERS]), 'rrun save');
  ok(await podman(['save', '-q', '-o', `${d}/theirs.tar`, LAYERS]), 'podman save');
  assert.ok(readFileSync(`${d}/mine.tar`).equals(readFileSync(`${d}/theirs.tar`)), 'docker-archive differs from podman save');
  ok(await rrun(['save', '--format', 'oci-archive', '-o', `${d}/mine-oci.tar`, LAYERS]), 'rrun save oci');
  for (const file of ['mine.tar', 'mine-oci.tar']) {
    const s = store();
    assert.match(ok(await podman([...s.args, 'load', '-i', `${d}/${file}`]), 'podman load'), new RegExp(`Loaded image: ${LAYERS}`));
    assert.equal(await imageId(s.args, LAYERS), await imageId([], LAYERS));
    ok(await podman([...s.args, 'run', '--rm', LAYERS, 'ls', '/d']), `podman run after loading ${file}`);
  }
  const stdout = await rrun(['save', '-m', LAYERS, BUSYBOX]);
  assert.equal(stdout.code, 0, stdout.stderr);
});

test('load of a corrupt archive: a clear error, exit 125, nothing in the store', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const d = dir();
  ok(await podman(['save', '-q', '-o', `${d}/good.tar`, BUSYBOX]), 'podman save');
  const good = readFileSync(`${d}/good.tar`);
  writeFileSync(`${d}/truncated.tar`, good.subarray(0, Math.floor(good.length / 2)));
  // Flip one byte inside the layer's data (the layer member comes first).
  const bad = Buffer.from(good);
  bad[200_000] = (bad[200_000] as number) ^ 0xff;
  writeFileSync(`${d}/baddigest.tar`, bad);
  const cases: [string, RegExp][] = [
    ['truncated.tar', /payload does not match any of the supported image formats:[\s\S]*unexpected EOF/],
    ['baddigest.tar', /expected sha256:[0-9a-f]{64}, got sha256:[0-9a-f]{64}/],
    ['missing.tar', /stat .*missing\.tar: no such file or directory/],
  ];
  for (const [file, re] of cases) {
    const s = store();
    const r = await rrun([...s.args, 'load', '-i', `${d}/${file}`]);
    assert.equal(r.code, 125, `${file}: ${r.stderr}`);
    assert.match(r.stderr, re, file);
    assert.equal(ok(await podman([...s.args, 'images', '-aq']), 'images').trim(), '', `${file}: an image was left`);
    const layers = existsSync(`${s.root}/overlay-layers/layers.json`) ? (JSON.parse(readFileSync(`${s.root}/overlay-layers/layers.json`, 'utf8')) as unknown[]) : [];
    assert.equal(layers.length, 0, `${file}: a layer was left`);
    if (existsSync(`${s.root}/rrun-staging`)) assert.deepEqual(readdirSync(`${s.root}/rrun-staging`), [], `${file}: staging left`);
  }
  const noManifest = await runTarWithout(d, good);
  const r = await rrun([...store().args, 'load', '-i', noManifest]);
  assert.equal(r.code, 125, r.stderr);
  assert.match(r.stderr, /docker-archive: loading tar component manifest\.json: file does not exist/);
});

/** The archive repacked without manifest.json (GNU tar's --delete garbles such archives). */
async function runTarWithout(d: string, good: Buffer): Promise<string> {
  writeFileSync(`${d}/good-copy.tar`, good);
  const sh = `mkdir ${d}/x && tar -xf ${d}/good-copy.tar -C ${d}/x && rm ${d}/x/manifest.json && tar -cf ${d}/nomanifest.tar -C ${d}/x .`;
  ok(await runAs(['sh', '-c', sh]), 'repack');
  return `${d}/nomanifest.tar`;
}

test('save errors as podman: a missing directory, an unknown image', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  for (const args of [['-o', '/nonexistent-dir/x.tar', BUSYBOX], ['-o', '/tmp/rrun-io-never.tar', 'localhost/rrun-io-test-nosuch']]) {
    const mine = await rrun(['save', ...args]);
    const theirs = await podman(['save', ...args]);
    assert.equal(mine.code, 125);
    assert.equal(theirs.code, 125);
    assert.equal(mine.stderr.split('\n')[0], theirs.stderr.trim().split('\n').at(-1), args.join(' '));
  }
  assert.equal(existsSync('/tmp/rrun-io-never.tar'), false);
});

const LIST = 'find / -mindepth 1 -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /etc/hosts -o -path /etc/hostname -o -path /etc/resolv.conf -o -path /run/.containerenv \\) -prune -o -print | sort | while read -r p; do stat -c "%n %a %u %g %s %F %Y" "$p"; done';

test('rrun export of a container → rrun import: the same files (find + stat)', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const s = store();
  const d = dir();
  const name = 'rrun-io-test-export';
  const theirs = 'localhost/rrun-io-test-imported';
  ok(await rrun([...s.args, 'load', '-q', '-i', await saved(d)]), 'load busybox');
  const original = ok(await rrun([...s.args, 'run', '--name', name, BUSYBOX, 'sh', '-c', `echo x > /new.txt; mkdir -p /d/e; chown 1000:1000 /d/e; rm /bin/cpio; ${LIST}`]), 'run');
  ok(await rrun([...s.args, 'export', '-o', `${d}/rootfs.tar`, name]), 'export');
  const id = ok(await rrun([...s.args, 'import', '-q', '-c', 'CMD ["/bin/sh"]', `${d}/rootfs.tar`, theirs]), 'import').trim();
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  const a = ok(await rrun([...s.args, 'run', '--rm', '--entrypoint', 'sh', theirs, '-c', LIST]), 'list imported');
  assert.equal(a, original);
  assert.equal(ok(await podman([...s.args, 'run', '--rm', '--entrypoint', 'sh', theirs, '-c', LIST]), 'podman list imported'), original);
  assert.match(a, /^\/new\.txt 644 0 0 2 /m);
  assert.match(a, /^\/d\/e 755 1000 1000 /m);
  assert.doesNotMatch(a, /^\/bin\/cpio /m);
});

async function saved(d: string): Promise<string> {
  ok(await podman(['save', '-q', '-o', `${d}/bb.tar`, BUSYBOX]), 'podman save');
  return `${d}/bb.tar`;
}
