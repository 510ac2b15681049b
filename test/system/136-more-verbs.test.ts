// diff, top and wait against podman: diff lists the same lines as podman's diff of a
// podman container made by the same script, top runs ps in the container and fails as
// podman on a stopped one, wait honours --condition and --interval. Names are
// `rrun-more-test-*` and removed afterwards.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun, type RunResult } from '../lib/testbed.js';

const BUSYBOX = 'localhost/busybox:latest';
const tag = randomBytes(4).toString('hex');
const name = (what: string): string => `rrun-more-test-${what}-${tag}`;
const rrunContainers: string[] = [];
const podmanContainers: string[] = [];

after(async () => {
  for (const c of rrunContainers) await rrun(['rm', '-f', c]);
  for (const c of podmanContainers) await podman(['rm', '-f', c]);
});

const errorLine = (r: RunResult): string => r.stderr.split('\n')[0] ?? '';

const SCRIPT = 'echo x > /etc/new; mkdir -p /newdir/sub; touch /newdir/sub/f; rm /bin/cpio; touch /bin/zz; ' +
  'mkdir /tmp/a; echo > /etc/passwd; rm -rf /usr; mkdir /home/x';

test('diff lists what podman lists for the same script', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const r = name('diff-r');
  const p = name('diff-p');
  rrunContainers.push(r);
  podmanContainers.push(p);
  ok(await rrun(['run', '--name', r, BUSYBOX, 'sh', '-c', SCRIPT]), 'rrun run');
  ok(await podman(['run', '--name', p, BUSYBOX, 'sh', '-c', SCRIPT]), 'podman run');
  const expected = ok(await podman(['diff', p]), 'podman diff');
  assert.match(expected, /^D \/bin\/cpio$/m);
  assert.equal(ok(await rrun(['diff', r]), 'rrun diff'), expected);
  assert.equal(ok(await rrun(['diff', '--format', 'json', r]), 'rrun diff json'), ok(await podman(['diff', '--format', 'json', p]), 'podman diff json'));
  const [pe, re] = await Promise.all([podman(['diff', 'rrun-more-test-nosuch']), rrun(['diff', 'rrun-more-test-nosuch'])]);
  assert.equal(re.code, pe.code);
  assert.equal(errorLine(re), errorLine(pe));
});

test('diff of an unchanged container is empty, also as json', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const c = name('diff-empty');
  rrunContainers.push(c);
  ok(await rrun(['create', '--name', c, BUSYBOX, 'true']), 'create');
  assert.equal(ok(await rrun(['diff', c]), 'diff'), '');
  assert.equal(ok(await rrun(['diff', '--format', 'json', c]), 'diff json'), '{}\n');
});

test('top runs ps in the running container; fails as podman otherwise', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const c = name('top');
  rrunContainers.push(c);
  ok(await rrun(['create', '--name', c, BUSYBOX, 'sleep', '100']), 'create');
  const stopped = await rrun(['top', c]);
  assert.equal(stopped.code, 125);
  assert.equal(errorLine(stopped), 'Error: top can only be used on running containers');
  ok(await rrun(['start', c]), 'start');
  const out = ok(await rrun(['top', c]), 'top');
  assert.match(out, /^\s*PID\s+USER\s+COMMAND/);
  assert.match(out, /sleep 100/);
  assert.match(ok(await rrun(['top', c, '-o', 'pid,comm']), 'top -o'), /^\s*PID\s+COMMAND\n(.*\n)*\s*\d+ sleep\n/);
  const [pe, re] = await Promise.all([podman(['top', 'rrun-more-test-nosuch']), rrun(['top', 'rrun-more-test-nosuch'])]);
  assert.equal(re.code, pe.code);
  assert.equal(errorLine(re), errorLine(pe));
});

test('wait: --condition running prints -1, stopped/exited the exit code; bad condition as podman', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const c = name('wait');
  rrunContainers.push(c);
  ok(await rrun(['create', '--name', c, BUSYBOX, 'sh', '-c', 'sleep 1; exit 3']), 'create');
  const running = rrun(['wait', '--condition', 'running', '--interval', '20ms', c]);
  ok(await rrun(['start', c]), 'start');
  assert.equal(ok(await running, 'wait running'), '-1\n');
  assert.equal(ok(await rrun(['wait', '-i', '10', c]), 'wait'), '3\n');
  assert.equal(ok(await rrun(['wait', '--condition', 'exited', c]), 'wait exited'), '3\n');
  const [pe, re] = await Promise.all([podman(['wait', '--condition', 'bogus', c]), rrun(['wait', '--condition', 'bogus', c])]);
  assert.equal(re.code, pe.code);
  assert.equal(errorLine(re), 'Error: unknown container state: bogus: invalid argument');
});
