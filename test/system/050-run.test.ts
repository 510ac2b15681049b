// Run acceptance: `rrun run` against podman's store, compared with `podman run` on the
// same images, as the unprivileged test user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun, runAs, testBed } from '../lib/testbed.js';

function need(t: Parameters<typeof requirePrereq>[0], ...refs: string[]): boolean {
  return refs.every((ref) => requirePrereq(t, hasFixture(ref), fixtureMissingReason(ref)));
}

/** Container ids podman knows in the store (its own and external ones). */
async function storeContainers(): Promise<string[]> {
  return ok(await podman(['ps', '-a', '--external', '--no-trunc', '--format', '{{.ID}}']), 'podman ps').split('\n').filter(Boolean).sort();
}

test('rrun run node npm --version prints what podman prints', async (t) => {
  if (!need(t, 'docker.io/library/node:latest')) return;
  const mine = ok(await rrun(['run', '--rm', 'node', 'npm', '--version'], { timeoutMs: 120_000 }), 'rrun run node');
  const theirs = ok(await podman(['run', '--rm', '--network', 'none', 'node', 'npm', '--version'], { timeoutMs: 120_000 }), 'podman run node');
  assert.match(mine, /^\d+\.\d+\.\d+\n$/);
  assert.equal(mine, theirs);
});

test('the uid map inside equals podman\'s', async (t) => {
  if (!need(t, 'docker.io/library/debian:bookworm')) return;
  const mine = ok(await rrun(['run', '--rm', 'debian:bookworm', 'cat', '/proc/self/uid_map', '/proc/self/gid_map']), 'rrun');
  const theirs = ok(await podman(['run', '--rm', '--network', 'none', 'debian:bookworm', 'cat', '/proc/self/uid_map', '/proc/self/gid_map']), 'podman');
  assert.equal(mine, theirs);
  const bed = testBed();
  assert.match(mine, new RegExp(`^\\s+0\\s+${bed.uid}\\s+1\\n\\s+1\\s+${bed.subuid.start}\\s+${bed.subuid.count}\\n`));
});

// Generated or runtime-made paths differ by design (hosts content, mount points).
const generated = /^\/(proc|sys|dev)(\||\/)|^\/etc\/(hosts|hostname|resolv\.conf)\||^\/run\/\.containerenv\|/;
const listing = ['find', '/', '-xdev', '-exec', 'stat', '-c', '%n|%u|%g|%a|%F|%s', '{}', '+'];

for (const image of ['localhost/rrun-fixture-layers:latest', 'localhost/busybox:latest', 'docker.io/library/debian:bookworm']) {
  test(`the file tree of ${image} equals podman's view (owner, mode, type, size)`, async (t) => {
    if (!need(t, image)) return;
    const tree = (out: string): string[] => out.split('\n').filter((l) => l !== '' && !generated.test(l)).sort();
    const mine = tree(ok(await rrun(['run', '--rm', image, ...listing], { timeoutMs: 120_000 }), 'rrun find'));
    const theirs = tree(ok(await podman(['run', '--rm', '--network', 'none', image, ...listing], { timeoutMs: 120_000 }), 'podman find'));
    assert.ok(mine.length > 100, `listing has ${mine.length} entries`);
    assert.deepEqual(mine, theirs);
  });
}

test('the layers fixture shows its whiteout, opaque dir, hardlink, setuid and uid-1000 files', async (t) => {
  if (!need(t, 'localhost/rrun-fixture-layers:latest')) return;
  const script = 'stat -c "%n %u %g %a %h" $(find / -xdev \\( -perm -4000 -o -user 1000 \\) -not -path "/proc/*") | sort';
  const mine = ok(await rrun(['run', '--rm', 'localhost/rrun-fixture-layers', 'sh', '-c', script]), 'rrun');
  const theirs = ok(await podman(['run', '--rm', '--network', 'none', 'localhost/rrun-fixture-layers', 'sh', '-c', script]), 'podman');
  assert.match(mine, / 4755 /, 'a setuid file is present');
  assert.match(mine, / 1000 1000 /, 'a uid-1000 file is present');
  assert.equal(mine, theirs);
});

test('writes go to the container layer; the image is unchanged; --rm removes everything', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const before = await storeContainers();
  const r = await rrun(['run', '--rm', 'busybox', 'sh', '-c', 'echo new > /etc/added && rm /bin/ls && cat /etc/added']);
  assert.equal(ok(r, 'rrun write'), 'new\n');
  assert.deepEqual(await storeContainers(), before, '--rm left no container behind');
  ok(await podman(['run', '--rm', '--network', 'none', 'busybox', 'test', '-e', '/bin/ls']), 'image still has /bin/ls');
  const added = await podman(['run', '--rm', '--network', 'none', 'busybox', 'test', '-e', '/etc/added']);
  assert.equal(added.code, 1, 'the write did not reach the image');
});

test('without --rm podman lists the container and it pins the image', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const name = `rrun-keep-${process.pid}`;
  ok(await rrun(['run', '--name', name, 'busybox', 'true']), 'rrun run');
  try {
    const ps = ok(await podman(['ps', '-a', '--external', '--format', '{{.Names}}']), 'podman ps');
    assert.ok(ps.split('\n').includes(name), `podman ps --external lists ${name}: ${ps}`);
    const rmi = await podman(['rmi', 'localhost/busybox']);
    assert.notEqual(rmi.code, 0, 'podman refuses to remove an image in use');
    assert.match(rmi.stderr, /in use/);
    const dup = await rrun(['run', '--name', name, 'busybox', 'true']);
    assert.equal(dup.code, 125);
    assert.match(dup.stderr, /already in use/);
  } finally {
    ok(await podman(['rm', name]), 'podman rm of the rrun container');
  }
});

test('exit codes: the command\'s own, 127 not found, 126 not executable, 128+n for a signal', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const before = await storeContainers();
  assert.equal((await rrun(['run', 'busybox', 'sh', '-c', 'exit 42'])).code, 42);
  const notFound = await rrun(['run', 'busybox', 'no-such-command']);
  assert.equal(notFound.code, 127);
  assert.match(notFound.stderr, /no-such-command/);
  const notExec = await rrun(['run', 'busybox', '/etc/passwd']);
  assert.equal(notExec.code, 126);
  assert.equal((await rrun(['run', '--rm', 'busybox', 'sh', '-c', 'kill -TERM $$'])).code, 143);
  // The exit-42 container is kept (no --rm) like podman; the failed starts are not.
  const after = await storeContainers();
  assert.equal(after.length, before.length + 1);
  for (const id of after.filter((i) => !before.includes(i))) ok(await podman(['rm', id]), 'cleanup');
});

const badInputs: { name: string; args: string[]; expect: RegExp }[] = [
  // With no unqualified-search registries (Debian's default) podman says the same.
  { name: 'unknown image', args: ['run', 'no-such-image-xyz', 'true'], expect: /short-name "no-such-image-xyz" did not resolve to an alias/ },
  { name: 'unknown image, --pull=never', args: ['run', '--pull=never', 'no-such-image-xyz', 'true'], expect: /no-such-image-xyz: image not known/ },
  { name: 'bad -v spec', args: ['run', '-v', 'rel/ative:/data', 'busybox', 'true'], expect: /creating named volume "rel\/ative": running volume create option: names must match/ },
  { name: 'missing -v source', args: ['run', '-v', '/no/such/dir:/data', 'busybox', 'true'], expect: /statfs \/no\/such\/dir: no such file or directory/ },
  { name: '-u unknown user', args: ['run', '-u', 'nobody-here', 'busybox', 'true'], expect: /unable to find user nobody-here/ },
  { name: 'unknown network', args: ['run', '--network', 'bogus', 'busybox', 'true'], expect: /network mode "bogus"/ },
];

for (const c of badInputs) {
  test(`bad input: ${c.name} → exit 125 with a clear message, nothing left behind`, async (t) => {
    if (!need(t, 'localhost/busybox:latest')) return;
    const before = await storeContainers();
    const r = await rrun(c.args);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, c.expect);
    assert.deepEqual(await storeContainers(), before);
  });
}

test('-u, -w, -e, --env-file, --entrypoint, --hostname, -v and --tmpfs take effect', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const dir = ok(await runAs(['mktemp', '-d']), 'mktemp').trim();
  ok(await runAs(['sh', '-c', 'chmod 755 "$0" && echo shared > "$0/f" && printf "FROM_FILE=1\\n# comment\\n" > "$0/env"', dir]), 'prepare');
  const script = 'id -u; id -g; pwd; echo $A $FROM_FILE; hostname; cat /data/f; mount | grep -c " /scratch type tmpfs"';
  const out = ok(await rrun([
    'run', '--rm', '-u', '1000:1000', '-w', '/tmp', '-e', 'A=b', '--env-file', `${dir}/env`, '--hostname', 'box',
    '-v', `${dir}:/data:ro`, '--tmpfs', '/scratch', 'busybox', 'sh', '-c', script,
  ]), 'rrun run with options');
  assert.equal(out, '1000\n1000\n/tmp\nb 1\nbox\nshared\n1\n');
  const ro = ok(await rrun(['run', '--rm', '-v', `${dir}:/data:ro`, 'busybox', 'sh', '-c', 'touch /data/f 2>&1; true']), 'ro volume');
  assert.match(ro, /Read-only file system/);
  const ep = ok(await rrun(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'hello']), 'entrypoint');
  assert.equal(ep, 'hello\n');
  await runAs(['rm', '-rf', dir]);
});

test('the container cannot see host paths it was not given; masks and read-only /sys hold', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const bed = testBed();
  const script = [
    `test -e ${bed.home} && echo SEES-HOME`,
    'ls /proc/1/root/ | tr "\\n" " "; echo',
    'cd / && cd .. && cd .. && pwd',
    'cat /proc/keys /proc/timer_list | wc -c',
    'touch /sys/x 2>&1 | grep -c "Read-only"',
    'echo 1 > /proc/sys/kernel/printk 2>&1 | grep -c "Read-only"; true',
  ].join('; ');
  const out = ok(await rrun(['run', '--rm', 'busybox', 'sh', '-c', script]), 'escape checks');
  const lines = out.split('\n');
  assert.ok(!out.includes('SEES-HOME'), 'host home not visible');
  assert.ok(!lines[0]?.includes('home') || !lines[0]?.includes(bed.user), `/proc/1/root is the container root: ${lines[0]}`);
  assert.equal(lines[1], '/');
  assert.equal(lines[2]?.trim(), '0', 'masked /proc files read empty');
  assert.equal(lines[3], '1', '/sys is read-only');
});

test('rrun run --rootfs / sh -c id runs a plain directory read-only', async () => {
  const out = ok(await rrun(['run', '--rootfs', '/', 'sh', '-c', 'id -u; touch /rrun-probe 2>&1 | grep -c Read-only']), 'rootfs run');
  assert.equal(out, '0\n1\n');
});

test('SIGTERM to rrun stops the container, cleans up, and leaves no helper', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const before = await storeContainers();
  const bin = `${testBed().repo}/bin/rrun`;
  // Only this rrun's helpers count (other tests may have detached containers running).
  const script = `"$0" run --rm busybox sleep 60 & pid=$!; sleep 2; mine=$(pgrep -P $pid -x rrun-helper); kids=$(for h in $mine; do pgrep -P $h; done); echo "found=$(echo $mine $kids | wc -w)"; kill -TERM $pid; wait $pid; echo "rc=$?"; sleep 0.5; n=0; for p in $mine $kids; do kill -0 $p 2>/dev/null && n=$((n+1)); done; echo $n`;
  const out = ok(await runAs(['sh', '-c', script, bin], { timeoutMs: 60_000 }), 'term script');
  assert.match(out, /found=[2-9]\n/, 'the helper processes were seen while running');
  assert.match(out, /rc=143\n0\n$/);
  assert.deepEqual(await storeContainers(), before);
});

test('a container that ignores SIGTERM is killed after the grace period', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const bin = `${testBed().repo}/bin/rrun`;
  const script = `"$0" run --rm busybox sh -c 'trap "" TERM; sleep 60' & pid=$!; sleep 2; mine=$(pgrep -P $pid -x rrun-helper); kids=$(for h in $mine; do pgrep -P $h; done); start=$(date +%s); echo "found=$(echo $mine $kids | wc -w)"; kill -TERM $pid; wait $pid; echo "rc=$? after $(( $(date +%s) - start ))s"; n=0; for p in $mine $kids; do kill -0 $p 2>/dev/null && n=$((n+1)); done; echo $n`;
  const out = ok(await runAs(['sh', '-c', script, bin], { timeoutMs: 90_000 }), 'ignore-term script');
  assert.match(out, /found=[2-9]\n/, 'the helper processes were seen while running');
  const m = /rc=(\d+) after (\d+)s\n(\d+)\n$/.exec(out);
  assert.ok(m, out);
  assert.equal(m[1], '137');
  assert.ok(Number(m[2]) >= 9 && Number(m[2]) <= 20, `killed after ${m[2]} s`);
  assert.equal(m[3], '0');
});

test('symlinks in the root filesystem cannot redirect setup to host paths', async () => {
  const bed = testBed();
  const tag = `rrun-escape-${process.pid}`;
  const dir = ok(await runAs(['mktemp', '-d']), 'mktemp').trim();
  const outside = `${bed.home}/${tag}-target`;
  // A rootfs whose /etc/hostname and /etc/hosts point at host paths (absolute and via
  // ..), and whose -v destination /data is a symlink to a host directory. The targets
  // exist inside the rootfs, so a correct runtime binds there.
  const script = [
    'mkdir -p "$0/bin" "$0/etc" "$0/tmp" "$0$1" "$0/proc" "$0/dev" "$0/sys"',
    'cp /bin/busybox "$0/bin/busybox" && ln -s busybox "$0/bin/sh" && ln -s busybox "$0/bin/cat" && ln -s busybox "$0/bin/ls"',
    `touch "$0/tmp/${tag}-hostname" "$0/tmp/${tag}-hosts"`,
    `ln -s /tmp/${tag}-hostname "$0/etc/hostname"`,
    `ln -s ../../../../../../../../tmp/${tag}-hosts "$0/etc/hosts"`,
    'ln -s "$1" "$0/data"',
    'chmod -R a+rX "$0"',
  ].join(' && ');
  ok(await runAs(['sh', '-c', script, dir, outside]), 'build rootfs');
  const src = ok(await runAs(['mktemp', '-d']), 'mktemp').trim();
  ok(await runAs(['sh', '-c', 'chmod 755 "$0" && echo from-volume > "$0/v"', src]), 'volume source');
  const r = await rrun(['run', '--hostname', 'inside', '-v', `${src}:/data`, '--rootfs', dir, 'sh', '-c', 'cat /etc/hostname; echo; cat /data/v']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'inside\nfrom-volume\n');
  for (const p of [`/tmp/${tag}-hostname`, `/tmp/${tag}-hosts`, outside]) {
    const exists = await runAs(['test', '-e', p]);
    assert.notEqual(exists.code, 0, `${p} was created on the host`);
  }
  await runAs(['rm', '-rf', dir, src]);
});

test('a kept foreground container shows as exited with its code and can be started again', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const name = `rrun-kept-${process.pid}`;
  assert.equal((await rrun(['run', '--name', name, 'busybox', 'sh', '-c', 'exit 4'])).code, 4);
  try {
    const state = ok(await rrun(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', name]), 'inspect');
    assert.equal(state.trim(), 'exited 4');
    const ps = ok(await rrun(['ps', '-a', '--format', '{{.Names}} {{.Status}}']), 'ps -a');
    assert.match(ps, new RegExp(`^${name} Exited \\(4\\)`, 'm'));
    assert.equal((await rrun(['start', '-a', name])).code, 4, 'a restart runs the same command again');
  } finally {
    ok(await rrun(['rm', name]), 'rm');
  }
});

test('the root overlay is mounted as podman mounts it: volatile with --rm, not for a kept container', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  // The options of `/` without the layer paths, which differ between the two stores' containers.
  const rootOptions = async (tool: typeof rrun, args: string[]): Promise<string> => {
    const out = ok(await tool([...args, 'busybox', 'sh', '-c', 'grep " / " /proc/self/mounts']), `${args.join(' ')} mounts`);
    return out.replace(/(lowerdir|upperdir|workdir)=[^,]*,?/g, '').trim();
  };
  const rm = await rootOptions(rrun, ['run', '--rm']);
  assert.match(rm, /fsync=volatile/);
  assert.equal(rm, await rootOptions(podman, ['run', '--rm']));
  const kept = await rootOptions(rrun, ['run', '--name', 'rrun-test-kept-mount']);
  const podmanKept = await rootOptions(podman, ['run', '--name', 'rrun-test-kept-mount-p']);
  ok(await rrun(['rm', 'rrun-test-kept-mount']), 'rm');
  ok(await podman(['rm', 'rrun-test-kept-mount-p']), 'podman rm');
  assert.doesNotMatch(kept, /volatile/);
  assert.equal(kept, podmanKept);
});
