// `rrun cp` as the unprivileged test user: round trips of a tree with modes, times,
// symlinks, a name with spaces and a uid-1000 file (running and stopped containers,
// tar streams both ways), container symlinks that must not reach the host, and
// podman's messages and exit codes, measured on a podman container beside ours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun, runAs, testBed } from '../lib/testbed.js';

const tag = `rrun-cv-cp-${process.pid}`;
const ctr = (n: string): string => `${tag}-${n}`;
const scratch = (): string => `${testBed().home}/${tag}`;

const need = (t: Parameters<typeof requirePrereq>[0]): boolean =>
  requirePrereq(t, hasFixture('localhost/busybox:latest'), fixtureMissingReason('localhost/busybox:latest'));

// One line per entry: name, mode, uid, gid, mtime, link target; works with busybox and coreutils.
const LIST = 'cd "$1" && find . | sort | while IFS= read -r f; do echo "$f $(stat -c "%a %u %g %Y" "$f") $(readlink "$f")"; done';
const listIn = async (c: string, dir: string): Promise<string> => ok(await rrun(['exec', c, 'sh', '-c', LIST, 'sh', dir]), `list ${dir}`);
const listHost = async (dir: string): Promise<string> => ok(await podman(['unshare', 'sh', '-c', LIST, 'sh', dir]), `list ${dir}`);

async function makeTree(dir: string): Promise<void> {
  ok(await runAs(['sh', '-c', [
    `rm -rf "${dir}" && mkdir -p "${dir}/sub dir/deep"`, `echo one > "${dir}/file with spaces"`, `chmod 640 "${dir}/file with spaces"`,
    `echo x > "${dir}/sub dir/deep/exec"`, `chmod 755 "${dir}/sub dir/deep/exec"`, `ln -s "file with spaces" "${dir}/rel link"`,
    `ln -s /etc/hostname "${dir}/abs"`, `echo k > "${dir}/u1000"`, `chmod 700 "${dir}/sub dir"`,
    `touch -h -d 2001-02-03 "${dir}/rel link"`, `touch -d 2002-03-04 "${dir}/file with spaces" "${dir}/sub dir/deep"`,
  ].join(' && ')]), 'make tree');
  ok(await podman(['unshare', 'chown', '-h', '1000:1000', `${dir}/u1000`]), 'chown 1000');
}

test.after(async () => {
  for (const n of ['run', 'stop', 'esc']) await rrun(['rm', '-f', ctr(n)]);
  await podman(['rm', '-f', ctr('podman')]);
  await podman(['unshare', 'rm', '-rf', scratch()]);
});

test('cp: a tree into a running container and back, with modes, times, symlinks, spaces and uid 1000; tar streams both ways', async (t) => {
  if (!need(t)) return;
  const host = `${scratch()}/tree`;
  await makeTree(host);
  ok(await rrun(['run', '-d', '--network', 'none', '--name', ctr('run'), 'busybox', 'sleep', '600']), 'run -d');
  const want = await listHost(host);
  assert.match(want, /\.\/u1000 644 1000 1000/);
  ok(await rrun(['cp', '-a=false', host, `${ctr('run')}:/rt`]), 'cp in');
  assert.equal(await listIn(ctr('run'), '/rt'), want);
  // Default -a: everything copied in belongs to the container's user (root here).
  ok(await rrun(['cp', host, `${ctr('run')}:/owned`]), 'cp in -a');
  assert.equal(await listIn(ctr('run'), '/owned'), want.replace(/ 1000 1000 /g, ' 0 0 '));
  // Out to the host: the user owns everything (root in the user namespace), the rest is kept.
  ok(await rrun(['cp', `${ctr('run')}:/rt`, `${scratch()}/back`]), 'cp out');
  assert.equal(await listHost(`${scratch()}/back`), want.replace(/ 1000 1000 /g, ' 0 0 '));
  // A tar stream out keeps the container's ids; in with -a=false they stay.
  ok(await runAs(['sh', '-c', `${testBed().repo}/bin/rrun cp ${ctr('run')}:/rt - | ${testBed().repo}/bin/rrun cp -a=false - ${ctr('run')}:/tmp`]), 'cp - | cp -');
  assert.equal(await listIn(ctr('run'), '/tmp/rt'), want);
  const tar = ok(await runAs(['sh', '-c', `${testBed().repo}/bin/rrun cp ${ctr('run')}:/rt - | tar tvf -`]), 'tar tvf');
  assert.match(tar, /1000\/1000 .* rt\/u1000/);
});

test('cp: a stopped container (its overlay mounted in a private namespace), file renamed on the way', async (t) => {
  if (!need(t)) return;
  const host = `${scratch()}/tree2`;
  await makeTree(host);
  ok(await rrun(['create', '--network', 'none', '--name', ctr('stop'), 'busybox', 'sh', '-c', `${LIST.replace('"$1"', '/in')}`]), 'create');
  ok(await rrun(['cp', '-a=false', host, `${ctr('stop')}:/in`]), 'cp in (stopped)');
  ok(await rrun(['cp', `${host}/file with spaces`, `${ctr('stop')}:/in/renamed`]), 'cp file (stopped)');
  const listed = ok(await rrun(['start', '-a', ctr('stop')]), 'start -a');
  const want = await listHost(host);
  // The top directory's mtime moved when `renamed` was added; everything else is as copied.
  const body = (l: string): string => l.replace(/^\. .*\n/, '').replace(/^\.\/renamed .*\n/m, '');
  assert.equal(body(listed), body(want));
  assert.match(listed, /^\.\/renamed 640 0 0 /m);
  ok(await rrun(['cp', `${ctr('stop')}:/in/sub dir`, `${scratch()}/out-stopped`]), 'cp out (stopped)');
  assert.match(await listHost(`${scratch()}/out-stopped`), /^\.\/deep\/exec 755 0 0 /m);
});

test('cp: container symlinks are resolved inside its root; a host canary stays untouched', async (t) => {
  if (!need(t)) return;
  const canary = `${scratch()}/canary`;
  ok(await runAs(['sh', '-c', `mkdir -p ${scratch()} && echo canary > ${canary} && echo evil > ${scratch()}/evil`]), 'canary');
  ok(await rrun(['run', '-d', '--network', 'none', '--name', ctr('esc'), 'busybox', 'sh', '-c',
    `mkdir /data && ln -s /etc /data/etclink && ln -s ../../../../../../.. /data/up && ln -s ${canary} /data/abs && sleep 600`]), 'run -d');
  for (let i = 0; i < 50 && (await rrun(['exec', ctr('esc'), 'test', '-L', '/data/abs'])).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  ok(await rrun(['cp', `${scratch()}/evil`, `${ctr('esc')}:/data/etclink/`]), 'cp into a link to /etc');
  assert.equal(ok(await rrun(['exec', ctr('esc'), 'cat', '/etc/evil']), 'cat'), 'evil\n');
  await rrun(['cp', `${scratch()}/evil`, `${ctr('esc')}:/data/up${canary}`]);
  const r = await rrun(['cp', `${ctr('esc')}:/data/abs`, `${scratch()}/abs-out`]);
  assert.equal(r.code, 125, 'a link to a host path is not followed out of the container');
  assert.match(r.stderr, /"\/data\/abs" could not be found on container/);
  // Copying onto the dangling link replaces the link itself, never its host target.
  ok(await rrun(['cp', `${scratch()}/evil`, `${ctr('esc')}:/data/abs`]), 'cp onto a dangling link');
  assert.equal(ok(await rrun(['exec', ctr('esc'), 'cat', '/data/abs']), 'cat'), 'evil\n');
  assert.equal(ok(await runAs(['cat', canary]), 'cat canary'), 'canary\n');
});

test("cp: podman's messages and exit codes (differential against a podman container)", async (t) => {
  if (!need(t)) return;
  ok(await podman(['run', '-d', '--network', 'none', '--name', ctr('podman'), 'localhost/busybox', 'sleep', '600']), 'podman run -d');
  if ((await rrun(['inspect', ctr('run')])).code !== 0) ok(await rrun(['run', '-d', '--network', 'none', '--name', ctr('run'), 'busybox', 'sleep', '600']), 'run -d');
  ok(await runAs(['sh', '-c', `mkdir -p ${scratch()}/d && echo f > ${scratch()}/f`]), 'files');
  const cases = (c: string): string[][] => [
    ['cp', `${c}:/nonexist`, `${scratch()}/x`],
    ['cp', `${scratch()}/d`, `${c}:/nonexist/dir/x`],
    ['cp', `${scratch()}/nonexist`, `${c}:/`],
    ['cp', `${c}:/etc/passwd`, `${scratch()}/nodir/x`],
    ['cp', `${scratch()}/d`, `${c}:/etc/passwd`],
    ['cp', `${scratch()}/f`, `${c}:/in9/`],
    ['cp', 'a', 'b'],
    ['cp', 'a'],
    ['cp', `${scratch()}/f`, 'nope-rrun-cv:/'],
  ];
  const ours = cases(ctr('run'));
  const theirs = cases(ctr('podman'));
  for (const [i, args] of ours.entries()) {
    const a = await rrun(args);
    const b = await podman(theirs[i] as string[]);
    assert.equal(a.code, b.code, `${args.join(' ')}: exit ${String(a.code)} vs podman ${String(b.code)}`);
    const firstLine = (s: string): string => s.split('\n')[0]?.replaceAll(ctr('podman'), ctr('run')) ?? '';
    assert.equal(firstLine(a.stderr), firstLine(b.stderr), args.join(' '));
  }
});
