// rrun-helper end to end, as the unprivileged test user: a busybox rootfs directory is
// launched through plan → protocol → helper → idmap by fixtures-helper-run.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, lchownSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { formatIdMap, parseSubIds, podmanIdMap } from '../../helpers/subid.js';
import { rmScratch, userScratchDir } from '../lib/scratch.js';
import { requirePrereq, runAs, testBed } from '../lib/testbed.js';

const bed = testBed();
const fixture = join(bed.repo, 'dist', 'test', 'system', 'fixtures-helper-run.js');
const helperBin = join(bed.repo, 'helpers', 'native', 'rrun-helper');
const busybox = '/bin/busybox';

/** A rootfs of busybox-static with every applet linked, owned by the test user. */
function buildRootfs(): string {
  const dir = userScratchDir(bed, 'rrun-010-');
  const root = join(dir, 'root');
  for (const d of ['bin', 'proc', 'dev', 'sys', 'etc', 'tmp', 'root']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(busybox, join(root, 'bin', 'busybox'));
  chmodSync(join(root, 'bin', 'busybox'), 0o755);
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) symlinkSync('busybox', join(root, 'bin', a));
  writeFileSync(join(root, 'bin', 'not-executable'), 'echo hi\n', { mode: 0o644 });
  if (bed.asRoot) chownTree(dir);
  return root;
}

function chownTree(path: string): void {
  lchownSync(path, bed.uid, bed.gid);
  if (!readlinkSafe(path)) for (const e of readdirSafe(path)) chownTree(join(path, e));
}
const readdirSafe = (p: string): string[] => { try { return readdirSync(p); } catch { return []; } };
const readlinkSafe = (p: string): boolean => { try { readlinkSync(p); return true; } catch { return false; } };

let rootfs = '';
const ready = (): boolean => existsSync(busybox) && existsSync(helperBin);

function run(command: string[], opts: string[] = []) {
  return runAs(['node', fixture, '--rootfs', rootfs, ...opts, '--', ...command], { timeoutMs: 60_000 });
}
const sh = (script: string, opts: string[] = []) => run(['sh', '-c', script], opts);

test.before(() => {
  if (ready()) rootfs = buildRootfs();
});
test.after(async () => {
  if (rootfs) await rmScratch(bed, join(rootfs, '..'));
});

test("the container's uid/gid maps are podman's mapping", async (t) => {
  if (!requirePrereq(t, ready(), `${busybox} (busybox-static) and the built helper`)) return;
  const r = await sh('cat /proc/self/uid_map; echo --; cat /proc/self/gid_map');
  assert.equal(r.code, 0, r.stderr);
  const expect = (file: string, id: number): string =>
    formatIdMap(podmanIdMap(id, parseSubIds(readFileSync(file, 'utf8'), { name: bed.user, id })));
  assert.equal(r.stdout, `${expect('/etc/subuid', bed.uid)}--\n${expect('/etc/subgid', bed.gid)}`);
  const podman = await runAs(['podman', 'unshare', 'cat', '/proc/self/uid_map'], { timeoutMs: 60_000 });
  if (podman.code === 0) assert.equal(r.stdout.split('--\n')[0], podman.stdout, 'same as podman unshare');
});

test('root inside, workload is pid 2 under the helper as init, only the rootfs is visible', async (t) => {
  if (!requirePrereq(t, ready(), 'busybox and the helper')) return;
  const r = await sh('id -u; echo $$; tr "\\0" " " < /proc/1/cmdline; echo; hostname; ls /');
  assert.equal(r.code, 0, r.stderr);
  const [uid, pid, init, hostname, ...ls] = r.stdout.trim().split('\n');
  assert.deepEqual([uid, pid, hostname], ['0', '2', 'rrun-test']);
  assert.match(init ?? '', /rrun-helper/, 'pid 1 is the helper');
  assert.deepEqual(ls, ['bin', 'dev', 'etc', 'proc', 'root', 'sys', 'tmp']);
});

test('kernel files are masked, /proc/sys and /sys are read-only', async (t) => {
  if (!requirePrereq(t, ready(), 'busybox and the helper')) return;
  const r = await sh([
    'for f in /proc/kcore /proc/keys /proc/timer_list; do [ -e $f ] && echo "$f $(wc -c < $f)"; done',
    'grep -c " /proc/acpi tmpfs ro" /proc/self/mounts',
    'mkdir /sys/rrun-x 2>&1; echo 1 > /proc/sys/kernel/hostname 2>&1; true',
  ].join('; '));
  assert.equal(r.code, 0, r.stderr);
  for (const line of r.stdout.split('\n').filter((l) => l.startsWith('/proc/'))) assert.match(line, / 0$/, `${line}: masked`);
  assert.match(r.stdout, /\/proc\/keys 0/);
  assert.match(r.stdout, /^1$/m, '/proc/acpi is a read-only tmpfs');
  assert.match(r.stdout, /mkdir: can't create directory '\/sys\/rrun-x': Read-only file system/);
  assert.match(r.stdout, /Read-only file system/);
});

test('/dev has the bound host nodes, devpts and the standard links', async (t) => {
  if (!requirePrereq(t, ready(), 'busybox and the helper')) return;
  const r = await sh('echo x > /dev/null && head -c 4 /dev/zero | wc -c; readlink /dev/ptmx; readlink /dev/fd; ls /dev/pts');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '4\npts/ptmx\n/proc/self/fd\nptmx\n');
});

test('exit codes: own status, 128+n for a signal, 127 not found, 126 not executable', async (t) => {
  if (!requirePrereq(t, ready(), 'busybox and the helper')) return;
  assert.equal((await sh('exit 7')).code, 7);
  assert.equal((await sh('kill -TERM $$')).code, 143);
  const missing = await run(['no-such-command']);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /no-such-command.*not found/);
  const noexec = await run(['/bin/not-executable']);
  assert.equal(noexec.code, 126);
  assert.match(noexec.stderr, /EACCES/);
});

/** Host pids of processes still alive among `pids` (zombies count as gone). */
function alive(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      return false;
    }
  });
}

/** Processes of the test user whose command line contains `marker`. */
function withMarker(marker: string): number[] {
  return readdirSafe('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
    } catch {
      return false;
    }
  });
}

async function assertAllGone(stderr: string, marker: string): Promise<void> {
  const m = /@@pids helper=(\d+) init=(\d+)/.exec(stderr);
  assert.ok(m, `launcher printed its pids: ${stderr}`);
  const pids = [Number(m[1]), Number(m[2])];
  for (let i = 0; i < 50 && (alive(pids).length > 0 || withMarker(marker).length > 0); i++) await delay(100);
  assert.deepEqual(alive(pids), [], 'helper and container init are gone');
  assert.deepEqual(withMarker(marker), [], 'the workload is gone');
}

test('SIGTERM to the launcher stops the container; nothing is left behind', async (t) => {
  if (!requirePrereq(t, ready(), 'busybox and the helper')) return;
  const r = await run(['sleep', '4321'], ['--term-after', '500']);
  assert.equal(r.code, 143, r.stderr);
  await assertAllGone(r.stderr, 'sleep 4321');
});

test('a container ignoring SIGTERM is killed after the grace period', async (t) => {
  if (!requirePrereq(t, ready(), 'busybox and the helper')) return;
  const r = await sh('trap "" TERM; sleep 4322 & wait', ['--term-after', '500']);
  assert.equal(r.code, 137, r.stderr);
  await assertAllGone(r.stderr, 'sleep 4322');
});

test('SIGKILL to the launcher takes the helper and the container with it', async (t) => {
  if (!requirePrereq(t, ready(), 'busybox and the helper')) return;
  const r = await run(['sleep', '4323'], ['--kill-after', '500']);
  assert.ok(r.signal === 'SIGKILL' || r.code === 137, `killed: ${r.code} ${r.signal}`);
  await assertAllGone(r.stderr, 'sleep 4323');
});

function scratch(): string {
  return userScratchDir(bed, 'rrun-010-ovl-');
}

test('kernel overlay rootfs (userxattr): writes land in upper, deletions are 0:0 whiteouts', async (t) => {
  if (!requirePrereq(t, ready(), 'busybox and the helper')) return;
  const dir = scratch();
  try {
    const r = await sh('grep " / " /proc/self/mounts; echo hi > /etc/new; rm /bin/ls', ['--overlay', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^overlay \/ overlay .*userxattr/);
    assert.equal(readFileSync(join(dir, 'upper', 'etc', 'new'), 'utf8'), 'hi\n');
    const listing = await runAs(['stat', '-c', '%F %t:%T', join(dir, 'upper', 'bin', 'ls')]);
    assert.equal(listing.stdout.trim(), 'character special file 0:0');
    assert.ok(existsSync(join(rootfs, 'bin', 'ls')), 'the lower layer is untouched');
  } finally {
    await rmScratch(bed, dir);
  }
});

test('fuse-overlayfs rootfs through an exec-wait op', async (t) => {
  const fuse = ['/usr/bin/fuse-overlayfs', '/bin/fuse-overlayfs'].some(existsSync);
  if (!requirePrereq(t, ready() && fuse, 'fuse-overlayfs (apt-get install fuse-overlayfs)')) return;
  if (!requirePrereq(t, (await runAs(['test', '-w', '/dev/fuse'])).code === 0, '/dev/fuse writable by the test user')) return;
  const dir = scratch();
  try {
    const r = await sh('grep " / " /proc/self/mounts; echo hi > /etc/fuse-new', ['--fuse', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^fuse-overlayfs \/ fuse\.fuse-overlayfs /);
    assert.equal(readFileSync(join(dir, 'upper', 'etc', 'fuse-new'), 'utf8'), 'hi\n');
  } finally {
    await rmScratch(bed, dir);
  }
});

test('non-root user: ids, empty effective caps, no_new_privs and a seccomp filter', async (t) => {
  if (!requirePrereq(t, ready() && process.arch === 'x64', 'busybox, the helper, x86_64 (the test filter uses x86_64 syscall numbers)')) return;
  const r = await sh('id; grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status; mkdir /tmp/denied',
    ['--user', '1000:1000', '--nnp', '--seccomp-deny-mkdir']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^uid=1000 gid=1000$/m);
  assert.match(r.stdout, /CapEff:\s+0000000000000000/);
  assert.match(r.stdout, /CapBnd:\s+00000000800405fb/);
  assert.match(r.stdout, /NoNewPrivs:\s+1/);
  assert.match(r.stdout, /Seccomp:\s+2/);
  assert.match(r.stderr, /mkdir: can't create directory '\/tmp\/denied': Operation not permitted/);
});

test('a failing setup op is named in the error, with exit code 125', async (t) => {
  if (!requirePrereq(t, ready(), 'busybox and the helper')) return;
  const r = await run(['true'], ['--bind', '/nonexistent-rrun:/data']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /container setup failed at op \d+ \(bind \/nonexistent-rrun → .*\/data\): mount: ENOENT/);
});

test('read-only rootfs', async (t) => {
  if (!requirePrereq(t, ready(), 'busybox and the helper')) return;
  const r = await sh('touch /x', ['--readonly']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Read-only file system/);
});
