import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freeRange, mapToolCheck, parseAllRanges, subidCheck, usernsCheck } from '../../src/doctor/ids.js';
import { cgroupCheck, networkChecks, runtimeDirCheck, storeFsCheck } from '../../src/doctor/system.js';
import { distroFamily, FsMagic, type DoctorHost } from '../../src/doctor/types.js';
import { renderReport } from '../../src/doctor/doctor.js';

function host(over: Partial<DoctorHost> & { files?: Record<string, string>; fs?: Record<string, number>; bins?: string[] } = {}): DoctorHost {
  const files = over.files ?? {};
  const fs = over.fs ?? { '/': FsMagic.EXT4 };
  const bins = over.bins ?? ['newuidmap', 'newgidmap', 'slirp4netns', 'pasta', 'fuse-overlayfs'];
  return {
    env: {},
    user: { name: 'alice', uid: 1000, gid: 1000 },
    readFile: (p) => files[p],
    stat: (p) => (bins.some((b) => p === `/usr/bin/${b}`) ? { uid: 0, mode: 0o104755, isFile: true, isDirectory: false } : undefined),
    fsType: (p) => fs[p],
    canReadWrite: () => true,
    hasFileCaps: () => false,
    which: (n) => (bins.includes(n) ? `/usr/bin/${n}` : undefined),
    ...over,
  };
}

test('subuid: present and large enough → ok', () => {
  const h = host({ files: { '/etc/subuid': 'bob:100000:65536\nalice:165536:65536\n', '/etc/subgid': 'alice:165536:65536\n' } });
  assert.equal(subidCheck(h, 'uid').status, 'ok');
});

test('subuid: missing → fail with a usermod fix using a free range', () => {
  const h = host({ files: { '/etc/subuid': 'bob:100000:65536\n', '/etc/subgid': 'bob:100000:65536\ncarol:165536:65536\n' } });
  const r = subidCheck(h, 'uid');
  assert.equal(r.status, 'fail');
  assert.match(r.detail, /no line for alice in \/etc\/subuid/);
  assert.equal(r.fix, 'sudo usermod --add-subuids 231072-296607 --add-subgids 231072-296607 alice');
});

test('subuid: too small, own uid inside, overlapping another user', () => {
  const small = subidCheck(host({ files: { '/etc/subuid': 'alice:100000:1000\n' } }), 'uid');
  assert.equal(small.status, 'fail');
  assert.match(small.detail, /only 1000 ids/);
  const self = subidCheck(host({ files: { '/etc/subuid': 'alice:0:65536\n' } }), 'uid');
  assert.match(self.detail, /contains alice's own uid 1000/);
  const shared = subidCheck(host({ files: { '/etc/subuid': 'alice:100000:65536\nbob:120000:65536\n' } }), 'uid');
  assert.match(shared.detail, /overlaps bob's 120000:65536/);
  const byUid = subidCheck(host({ files: { '/etc/subuid': '1000:300000:65536\n' } }), 'uid');
  assert.equal(byUid.status, 'ok', 'a line naming the numeric uid counts');
});

test('free range skips every taken block', () => {
  assert.deepEqual(freeRange(parseAllRanges('a:100000:65536\nb:165536:10\n')), { start: 231072, end: 296607 });
  assert.deepEqual(freeRange([]), { start: 100000, end: 165535 });
});

test('newuidmap: missing, not setuid (fix per distro), file caps', () => {
  const missing = mapToolCheck(host({ bins: [] }), 'newuidmap', 'debian');
  assert.equal(missing.status, 'fail');
  const plain = host({ stat: () => ({ uid: 0, mode: 0o100755, isFile: true, isDirectory: false }) });
  const r = mapToolCheck(plain, 'newuidmap', 'debian');
  assert.equal(r.status, 'fail');
  assert.match(r.detail, /neither setuid root nor has cap_setuid/);
  assert.equal(r.fix, 'sudo apt-get install --reinstall uidmap');
  assert.equal(mapToolCheck(plain, 'newgidmap', 'fedora').fix, 'sudo dnf reinstall shadow-utils');
  assert.equal(mapToolCheck({ ...plain, hasFileCaps: () => true }, 'newuidmap', 'debian').status, 'ok');
});

test('user namespaces: sysctls of Debian and Ubuntu', () => {
  assert.equal(usernsCheck(host({ files: { '/proc/sys/user/max_user_namespaces': '0\n' } }), '/h')[0]?.status, 'fail');
  const deb = usernsCheck(host({ files: { '/proc/sys/kernel/unprivileged_userns_clone': '0\n' } }), '/h');
  assert.ok(deb.some((c) => c.id === 'userns-debian' && c.status === 'fail'));
  const ubuntu = usernsCheck(host({ files: { '/proc/sys/kernel/apparmor_restrict_unprivileged_userns': '1\n' } }), '/opt/rrun/helpers/native/rrun-helper');
  const aa = ubuntu.find((c) => c.id === 'userns-apparmor');
  assert.equal(aa?.status, 'fail');
  assert.match(aa?.fix ?? '', /\/opt\/rrun\/helpers\/native\/rrun-helper flags=\(unconfined\)/);
});

test('store filesystem: NFS fails, overlay warns, ext4 ok', () => {
  assert.equal(storeFsCheck(host({ fs: { '/s': FsMagic.NFS } }), '/s').status, 'fail');
  assert.equal(storeFsCheck(host({ fs: { '/s': FsMagic.OVERLAY } }), '/s').status, 'warn');
  assert.equal(storeFsCheck(host({ fs: { '/': FsMagic.EXT4 } }), '/home/a/store').detail, 'ext4', 'a missing store is judged by its parent');
});

test('network helpers: none → fail, one → warn; /dev/net/tun', () => {
  assert.equal(networkChecks(host({ bins: [] }))[0]?.status, 'fail');
  assert.equal(networkChecks(host({ bins: ['pasta'] }))[0]?.status, 'warn');
  const tun = networkChecks(host({ canReadWrite: () => false, stat: () => ({ uid: 0, mode: 0o20600, isFile: false, isDirectory: false }) }))[1];
  assert.equal(tun?.status, 'fail');
  assert.match(tun?.fix ?? '', /chmod 0666 \/dev\/net\/tun/);
});

test('cgroups and runtime dir', () => {
  assert.equal(cgroupCheck(host({ fs: { '/sys/fs/cgroup': FsMagic.TMPFS, '/sys/fs/cgroup/unified': FsMagic.CGROUP2 } })).status, 'warn');
  assert.equal(runtimeDirCheck(host()).status, 'warn');
  const bad = runtimeDirCheck(host({ env: { XDG_RUNTIME_DIR: '/run/user/1000' }, stat: () => ({ uid: 1000, mode: 0o40755, isFile: false, isDirectory: true }) }));
  assert.equal(bad.status, 'fail');
  assert.match(bad.detail, /mode 0700/);
});

test('distro family and report rendering', () => {
  assert.equal(distroFamily('ID=ubuntu\nID_LIKE=debian\n'), 'debian');
  assert.equal(distroFamily('ID="rocky"\nID_LIKE="rhel centos fedora"\n'), 'fedora');
  assert.equal(distroFamily(undefined), 'other');
  const text = renderReport({ ok: false, checks: [{ id: 'x', title: 'X', status: 'fail', detail: 'broken', fix: 'do it' }, { id: 'y', title: 'Y', status: 'ok', detail: 'fine' }] });
  assert.equal(text, '✗ X: broken\n    fix: do it\n✓ Y: fine\n\n1 problem(s) to fix before rrun can run containers here.\n');
});
