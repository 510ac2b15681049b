// `rrun commit` against podman: the committed image runs under podman with the
// container's changes (a new file, a whiteout, new directories), carries --change, the
// author and the message as podman commit writes them, and can be pushed and saved by
// podman (so the stored tar-split and diff digests are right). Containers and images
// are named `rrun-commit-test-*` and removed afterwards.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun, testBed } from '../lib/testbed.js';
import { rmScratch, userScratchDir } from '../lib/scratch.js';

const BUSYBOX = 'localhost/busybox:latest';
const tag = randomBytes(4).toString('hex');
const containers: string[] = [];
const images: string[] = [];
const scratch: string[] = [];

after(async () => {
  for (const c of containers) await rrun(['rm', '-f', c]);
  for (const i of images) await podman(['rmi', '-f', i]);
  for (const d of scratch) await rmScratch(testBed(), d);
});

function name(what: string): string {
  const n = `rrun-commit-test-${what}-${tag}`;
  containers.push(n);
  return n;
}

function imageName(what: string): string {
  const n = `localhost/rrun-commit-test-${what}-${tag}:latest`;
  images.push(n);
  return n;
}

interface Inspected {
  Id: string;
  Comment: string;
  Author: string;
  ManifestType: string;
  Config: { Cmd?: string[]; Env?: string[]; WorkingDir?: string; Labels?: Record<string, string> };
  History: { created_by?: string; comment?: string; author?: string }[];
}

async function inspect(image: string): Promise<Inspected> {
  const out = JSON.parse(ok(await podman(['image', 'inspect', image]), `inspect ${image}`)) as Inspected[];
  assert.equal(out.length, 1);
  return out[0] as Inspected;
}

const CHANGES = 'echo hi > /etc/committed; rm /bin/cpio; mkdir -p /opt/x && touch /opt/x/f';

test('commit --format docker -c CMD -m -a: podman runs it, sees the changes, the message and the history; push and save work', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const ctr = name('main');
  const image = imageName('main');
  ok(await rrun(['run', '--name', ctr, '--network', 'none', BUSYBOX, 'sh', '-c', CHANGES]), 'rrun run');
  const r = await rrun(['commit', '-f', 'docker', '-c', 'CMD ["cat","/etc/committed"]', '-m', 'msg', '-a', 'rrun test', ctr, image]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
  assert.match(r.stderr, /^Getting image source signatures\n[\s\S]*Copying config sha256:[0-9a-f]{64}\nWriting manifest to image destination\nStoring signatures\n$/);
  assert.equal(ok(await podman(['run', '--rm', '--network', 'none', image]), 'podman run'), 'hi\n');
  const files = 'test ! -e /bin/cpio && test -f /opt/x/f && test -x /bin/sh && echo ok';
  assert.equal(ok(await podman(['run', '--rm', '--network', 'none', image, 'sh', '-c', files]), 'podman run (files)'), 'ok\n');
  const i = await inspect(image);
  assert.equal(i.Id, r.stdout.trim());
  assert.equal(i.Comment, 'msg');
  assert.equal(i.Author, 'rrun test');
  assert.equal(i.ManifestType, 'application/vnd.docker.distribution.manifest.v2+json');
  assert.deepEqual(i.Config.Cmd, ['cat', '/etc/committed']);
  assert.equal(i.Config.WorkingDir, '/');
  assert.ok(i.Config.Env?.some((e) => e.startsWith('PATH=')), JSON.stringify(i.Config.Env));
  assert.ok(!i.Config.Env?.some((e) => e.startsWith('HOSTNAME=')), 'the runtime HOSTNAME is not committed');
  assert.deepEqual(i.History.at(-1), { created: (i.History.at(-1) as { created: string }).created, created_by: '/bin/sh', author: 'rrun test', comment: 'FROM localhost/busybox:latest' });
  const d = userScratchDir(testBed(), 'rrun-commit-');
  chmodSync(d, 0o755);
  scratch.push(d);
  ok(await podman(['push', '-q', image, `oci:${d}/layout:x`]), 'podman push to an oci: directory');
  ok(await podman(['save', '-q', '-o', `${d}/saved.tar`, image]), 'podman save');
  assert.ok(existsSync(`${d}/saved.tar`));
});

test('commit (OCI, no name) keeps the container command; a running container; an unnamed image', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const ctr = name('running');
  ok(await rrun(['run', '-d', '--name', ctr, '-e', 'FOO=bar', '-w', '/tmp', BUSYBOX, 'sh', '-c', 'echo run > /r; sleep 300']), 'rrun run -d');
  for (let n = 0; n < 50 && (await rrun(['exec', ctr, 'cat', '/r'])).stdout !== 'run\n'; n++) await delay(100);
  const id = ok(await rrun(['commit', '-q', '-p', ctr]), 'commit').trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  images.push(id);
  const i = await inspect(id);
  assert.equal(i.ManifestType, 'application/vnd.oci.image.manifest.v1+json');
  assert.deepEqual(i.Config.Cmd, ['sh', '-c', 'echo run > /r; sleep 300']);
  assert.equal(i.Config.WorkingDir, '/tmp');
  assert.ok(i.Config.Env?.includes('FOO=bar'), JSON.stringify(i.Config.Env));
  const names = ok(await podman(['image', 'inspect', '--format', '{{.RepoTags}}', id]), 'tags').trim();
  assert.equal(names, '[]');
  assert.equal(ok(await podman(['run', '--rm', '--network', 'none', id, 'cat', '/r']), 'podman run'), 'run\n');
});

test('commit errors as podman: unknown container, -m with OCI, bad --format, bad --change, a podman container', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const missing = `rrun-commit-test-nosuch-${tag}`;
  const mine = await rrun(['commit', missing]);
  const theirs = await podman(['commit', missing]);
  assert.equal(mine.code, 125);
  assert.equal(theirs.code, 125);
  assert.equal(mine.stderr.split('\n')[0], `Error: no container with name or ID "${missing}" found: no such container`);
  assert.equal(mine.stderr.split('\n')[0], theirs.stderr.trim().split('\n').at(-1));
  const ctr = name('errors');
  ok(await rrun(['run', '--name', ctr, '--network', 'none', BUSYBOX, 'true']), 'rrun run');
  const cases: [string[], RegExp][] = [
    [['-m', 'x', ctr], /^Error: messages are only compatible with the docker image format \(-f docker\)$/m],
    [['--format', 'bad', ctr], /^Error: unrecognized image format "bad"$/m],
    [['-c', 'RUN true', ctr], /^Error: invalid change "RUN true"/m],
  ];
  for (const [args, re] of cases) {
    const r = await rrun(['commit', ...args, imageName('never')]);
    assert.equal(r.code, 125, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  assert.notEqual((await podman(['image', 'exists', imageName('never')])).code, 0, 'an image was written');
  const theirCtr = `rrun-commit-test-podman-${tag}`;
  ok(await podman(['create', '--name', theirCtr, BUSYBOX, 'true']), 'podman create');
  try {
    const r = await rrun(['commit', theirCtr]);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, new RegExp(`^Error: container "${theirCtr}" \\([0-9a-f]{12}\\) is not an rrun container`));
    assert.match(r.stderr, /podman commit/);
  } finally {
    await podman(['rm', '-f', theirCtr]);
  }
});
