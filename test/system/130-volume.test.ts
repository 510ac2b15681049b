// Named and anonymous volumes as the test user: data kept across `run --rm`, copy-up of
// the image's content into a new volume, prune of unused volumes only, podman's
// messages and exit codes for duplicates, in-use removal and unknown volumes
// (differential against podman's own volume commands where the data is comparable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun } from '../lib/testbed.js';

const tag = `rrun-cv-vol-${process.pid}`;
const vol = (n: string): string => `${tag}-${n}`;

const need = (t: Parameters<typeof requirePrereq>[0]): boolean =>
  requirePrereq(t, hasFixture('localhost/busybox:latest'), fixtureMissingReason('localhost/busybox:latest'));

test.after(async () => {
  await rrun(['rm', '-f', vol('user')]);
  for (const n of ['keep', 'copy', 'used', 'free', 'dup']) await rrun(['volume', 'rm', '-f', vol(n)]);
  await podman(['volume', 'rm', '-f', vol('pdup')]);
});

test('volume: data survives run --rm; ls/inspect/exists', async (t) => {
  if (!need(t)) return;
  assert.equal(ok(await rrun(['volume', 'create', vol('keep')]), 'create'), `${vol('keep')}\n`);
  ok(await rrun(['run', '--rm', '--network', 'none', '-v', `${vol('keep')}:/data`, 'busybox', 'sh', '-c', 'echo kept > /data/f']), 'write');
  assert.equal(ok(await rrun(['run', '--rm', '--network', 'none', '--mount', `type=volume,src=${vol('keep')},dst=/d`, 'busybox', 'cat', '/d/f']), 'read'), 'kept\n');
  assert.match(ok(await rrun(['volume', 'ls']), 'ls'), new RegExp(`^DRIVER +VOLUME NAME\\n(.*\\n)*local +${vol('keep')}\\n`));
  assert.equal(ok(await rrun(['volume', 'ls', '--filter', `name=${vol('keep')}`, '--format', '{{.Name}} {{.Driver}}']), 'ls --format'), `${vol('keep')} local\n`);
  const [info] = JSON.parse(ok(await rrun(['volume', 'inspect', vol('keep')]), 'inspect')) as [{ Name: string; Mountpoint: string; Scope: string }];
  assert.equal(info.Name, vol('keep'));
  assert.match(info.Mountpoint, new RegExp(`/volumes/${vol('keep')}/_data$`));
  assert.equal((await rrun(['volume', 'exists', vol('keep')])).code, 0);
  assert.equal((await rrun(['volume', 'exists', vol('nope')])).code, 1);
});

test('volume: a new volume on an image directory starts with its content, owner and mode', async (t) => {
  if (!need(t)) return;
  const listing = ok(await rrun(['run', '--rm', '--network', 'none', 'busybox', 'ls', '-ln', '/etc']), 'image /etc');
  const seen = ok(await rrun(['run', '--rm', '--network', 'none', '-v', `${vol('copy')}:/etc`, 'busybox', 'ls', '-ln', '/etc']), 'volume /etc');
  assert.match(listing, /passwd/);
  assert.match(seen, /passwd/);
  assert.match(ok(await rrun(['run', '--rm', '--network', 'none', '-v', `${vol('copy')}:/x`, 'busybox', 'cat', '/x/passwd']), 'cat'), /^root:/);
});

test('volume: prune removes only unused volumes; rm of a volume in use; anonymous volumes go with rm -v', async (t) => {
  if (!need(t)) return;
  ok(await rrun(['volume', 'create', vol('used')]), 'create used');
  ok(await rrun(['volume', 'create', vol('free')]), 'create free');
  ok(await rrun(['create', '--network', 'none', '--name', vol('user'), '-v', `${vol('used')}:/u`, '-v', '/anon', 'busybox', 'true']), 'create ctr');
  const pruned = ok(await rrun(['volume', 'prune', '-f']), 'prune').split('\n');
  assert.ok(pruned.includes(vol('free')));
  assert.ok(!pruned.includes(vol('used')));
  const inUse = await rrun(['volume', 'rm', vol('used')]);
  assert.equal(inUse.code, 2);
  assert.match(inUse.stderr, new RegExp(`^Error: volume ${vol('used')} is being used by the following container\\(s\\): [0-9a-f]{64}: volume is being used\\n`));
  const anon = ok(await rrun(['inspect', '--format', '{{.Id}}', vol('user')]), 'inspect').trim();
  assert.ok(anon.length > 0);
  const before = ok(await rrun(['volume', 'ls', '-q']), 'ls -q').split('\n').filter(Boolean);
  ok(await rrun(['rm', '-v', vol('user')]), 'rm -v');
  const after = ok(await rrun(['volume', 'ls', '-q']), 'ls -q').split('\n').filter(Boolean);
  assert.equal(before.filter((n) => !after.includes(n)).filter((n) => /^[0-9a-f]{64}$/.test(n)).length, 1, 'the anonymous volume is gone');
  assert.ok(after.includes(vol('used')));
  ok(await rrun(['volume', 'rm', vol('used')]), 'rm when unused');
});

test("volume: podman's messages and exit codes (duplicate, unknown, bad name)", async (t) => {
  if (!need(t)) return;
  ok(await rrun(['volume', 'create', vol('dup')]), 'create');
  ok(await podman(['volume', 'create', vol('pdup')]), 'podman create');
  const pairs: [string[], string[]][] = [
    [['volume', 'create', vol('dup')], ['volume', 'create', vol('pdup')]],
    [['volume', 'rm', vol('nope')], ['volume', 'rm', vol('nope')]],
    [['volume', 'inspect', vol('nope')], ['volume', 'inspect', vol('nope')]],
    [['volume', 'create', 'bad name'], ['volume', 'create', 'bad name']],
    [['volume', 'rm'], ['volume', 'rm']],
    [['volume', 'exists', vol('nope')], ['volume', 'exists', vol('nope')]],
  ];
  for (const [ours, theirs] of pairs) {
    const a = await rrun(ours);
    const b = await podman(theirs);
    assert.equal(a.code, b.code, `${ours.join(' ')}: ${String(a.code)} vs podman ${String(b.code)}`);
    assert.equal(a.stdout, b.stdout, ours.join(' '));
    assert.equal(a.stderr.split('\n')[0]?.replace(vol('dup'), 'X'), b.stderr.split('\n')[0]?.replace(vol('pdup'), 'X'), ours.join(' '));
  }
});
