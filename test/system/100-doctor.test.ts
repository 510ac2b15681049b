// `rrun doctor` on the healthy bed, and setup failures made on purpose: each must give
// the cause and the fix, with the right exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ok, requirePrereq, rrun, runAs, testBed } from '../lib/testbed.js';

interface Report {
  ok: boolean;
  checks: { id: string; status: string; detail: string; fix?: string }[];
}

function failed(report: Report): string[] {
  return report.checks.filter((c) => c.status === 'fail').map((c) => c.id);
}

test('doctor on the healthy test bed: no ✗, exit 0', async () => {
  const r = await rrun(['doctor']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.ok(!r.stdout.includes('✗'), r.stdout);
  assert.match(r.stdout, /✓ native overlay/);
  const report = JSON.parse(ok(await rrun(['doctor', '--format', 'json']), 'doctor json')) as Report;
  assert.equal(report.ok, true);
  assert.deepEqual(failed(report), []);
  for (const id of ['userns', 'subuid', 'subgid', 'newuidmap', 'newgidmap', 'overlay', 'store', 'mapping']) {
    assert.equal(report.checks.find((c) => c.id === id)?.status, 'ok', id);
  }
});

/** A bin directory holding symlinks to just these tools, plus a non-setuid newuidmap copy if asked. */
async function toolDir(tools: string[], copyNewuidmap: boolean): Promise<string> {
  const dir = ok(await runAs(['mktemp', '-d']), 'mktemp').trim();
  const links = tools.map((t) => `ln -s "$(command -v ${t})" "$0/${t}"`).join(' && ');
  const copy = copyNewuidmap ? ' && cp /usr/bin/newuidmap "$0/newuidmap"' : '';
  ok(await runAs(['sh', '-c', `${links}${copy}`, dir]), 'tool dir');
  return dir;
}

test('newuidmap without its setuid bit: run says why and how to fix it; doctor fails', async () => {
  const dir = await toolDir(['node', 'newgidmap', 'slirp4netns', 'pasta', 'fuse-overlayfs', 'true'], true);
  const env = { PATH: `${dir}:/usr/bin:/bin` };
  const run = await rrun(['run', '--rm', '--network', 'none', 'busybox', 'true'], { env });
  assert.equal(run.code, 125, run.stderr);
  assert.match(run.stderr, /newuidmap/);
  assert.match(run.stderr, /neither setuid root nor has cap_setuid/);
  assert.match(run.stderr, /fix: sudo apt-get install --reinstall uidmap/);
  const doc = await rrun(['doctor', '--format', 'json'], { env });
  assert.equal(doc.code, 1);
  const report = JSON.parse(doc.stdout) as Report;
  const check = report.checks.find((c) => c.id === 'newuidmap');
  assert.equal(check?.status, 'fail');
  assert.equal(check?.fix, 'sudo apt-get install --reinstall uidmap');
  await runAs(['rm', '-rf', dir]);
});

test('no slirp4netns and no pasta: doctor names the network check and its fix', async () => {
  const dir = await toolDir(['node', 'newuidmap', 'newgidmap', 'fuse-overlayfs', 'true'], false);
  const doc = await rrun(['doctor', '--format', 'json'], { env: { PATH: dir } });
  assert.equal(doc.code, 1, doc.stderr);
  const report = JSON.parse(doc.stdout) as Report;
  assert.deepEqual(failed(report), ['net-helpers']);
  assert.match(report.checks.find((c) => c.id === 'net-helpers')?.fix ?? '', /apt-get install slirp4netns passt/);
  await runAs(['rm', '-rf', dir]);
});

test('an unwritable runroot is named with the fix, exit 125, and leaves no container directory', async () => {
  const graphroot = `${ok(await rrun(['info', '--format', '{{.Store.GraphRoot}}']), 'info').trim()}/overlay-containers`;
  const dirs = (): string[] => readdirSync(graphroot).filter((d) => /^[0-9a-f]{64}$/.test(d)).sort();
  const before = dirs();
  const r = await rrun(['--runroot', '/usr/rrun-not-writable', 'run', '--rm', 'busybox', 'true']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /cannot create \/usr\/rrun-not-writable\/.* in the runroot \/usr\/rrun-not-writable: EACCES/);
  assert.match(r.stderr, /--runroot/);
  assert.deepEqual(dirs(), before, 'the graphroot half of the container was removed again');
});

const NOSUB = 'rrun-nosub';

/** As root: a user whose /etc/subuid and /etc/subgid lines are removed (useradd adds some). */
function userWithoutSubids(): { uid: number; home: string } {
  if (spawnSync('id', ['-u', NOSUB]).status !== 0) {
    const r = spawnSync('useradd', ['-m', '-s', '/bin/sh', NOSUB]);
    assert.equal(r.status, 0, r.stderr.toString());
  }
  for (const file of ['/etc/subuid', '/etc/subgid']) {
    const kept = readFileSync(file, 'utf8').split('\n').filter((l) => !l.startsWith(`${NOSUB}:`));
    writeFileSync(file, kept.join('\n'));
  }
  const uid = Number(spawnSync('id', ['-u', NOSUB]).stdout.toString().trim());
  return { uid, home: `/home/${NOSUB}` };
}

test('a user without subordinate ids: run and doctor print the usermod fix', async (t) => {
  if (!requirePrereq(t, process.getuid?.() === 0, 'root, to create a user without /etc/subuid entries')) return;
  const { home } = userWithoutSubids();
  const bin = `${testBed().repo}/bin/rrun`;
  const as = (args: string[]) =>
    spawnSync('runuser', ['-u', NOSUB, '--', 'env', '-i', `HOME=${home}`, `USER=${NOSUB}`, 'PATH=/usr/bin:/bin', bin, ...args], { cwd: '/', encoding: 'utf8' });
  const run = as(['run', '--rootfs', '/', 'true']);
  assert.equal(run.status, 125, run.stderr);
  assert.match(run.stderr, new RegExp(`no subordinate ids for user ${NOSUB} in /etc/subuid`));
  assert.match(run.stderr, new RegExp(`sudo usermod --add-subuids \\d+-\\d+ --add-subgids \\d+-\\d+ ${NOSUB}`));
  const doc = as(['doctor', '--format', 'json']);
  assert.equal(doc.status, 1, doc.stderr);
  const report = JSON.parse(doc.stdout) as Report;
  assert.ok(failed(report).includes('subuid') && failed(report).includes('subgid'), JSON.stringify(failed(report)));
  assert.match(report.checks.find((c) => c.id === 'subuid')?.fix ?? '', /^sudo usermod --add-subuids/);
  // The suggested range is free: it overlaps no line of either file.
  const single = as(['run', '--userns=single', '--rootfs', '/', 'id', '-u']);
  assert.equal(single.status, 0, single.stderr);
  assert.equal(single.stdout, '0\n');
  assert.match(single.stderr, /--userns=single: only your own id is mapped/);
});

test('resource limits are refused with the reason where no delegated cgroup v2 exists', async () => {
  const { statfsSync } = await import('node:fs');
  const v2 = statfsSync('/sys/fs/cgroup').type === 0x63677270;
  const r = await rrun(['run', '--rm', '--memory', '256m', '--pids-limit', '50', 'busybox', 'true']);
  if (v2) {
    // Delegation depends on a systemd user session: either applied (0) or refused with the fix.
    assert.ok(r.code === 0 || /loginctl enable-linger/.test(r.stderr), r.stderr);
  } else {
    assert.equal(r.code, 125);
    assert.match(r.stderr, /need cgroup v2: \/sys\/fs\/cgroup is cgroup v1 or a v1\/v2 hybrid/);
  }
  const bad = await rrun(['run', '--rm', '--cpus', 'many', 'busybox', 'true']);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /invalid argument "many" for "--cpus" flag/);
});
