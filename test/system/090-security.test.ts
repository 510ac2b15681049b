// Hardening acceptance: capabilities, no_new_privs and seccomp inside rrun's containers,
// compared with podman's for the same flags, as the unprivileged test user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun } from '../lib/testbed.js';

const BUSYBOX = 'localhost/busybox:latest';
const DEBIAN = 'docker.io/library/debian:bookworm';

function need(t: Parameters<typeof requirePrereq>[0], ...refs: string[]): boolean {
  return refs.every((ref) => requirePrereq(t, hasFixture(ref), fixtureMissingReason(ref)));
}

const both = async (flags: string[], image: string, cmd: string[]): Promise<[string, string]> => [
  ok(await rrun(['run', '--rm', '--network', 'none', ...flags, image, ...cmd]), `rrun ${flags.join(' ')}`),
  ok(await podman(['run', '--rm', '--network', 'none', ...flags, image, ...cmd]), `podman ${flags.join(' ')}`),
];

const status = (out: string, key: string): string | undefined => new RegExp(`^${key}:\\s*(\\S+)$`, 'm').exec(out)?.[1];

test('a default container: podman\'s CapEff, NoNewPrivs 1, one seccomp filter', async (t) => {
  if (!need(t, BUSYBOX)) return;
  const out = ok(await rrun(['run', '--rm', '--network', 'none', BUSYBOX, 'cat', '/proc/self/status']), 'rrun');
  assert.equal(status(out, 'CapEff'), '00000000800405fb');
  assert.equal(status(out, 'CapBnd'), '00000000800405fb');
  assert.equal(status(out, 'NoNewPrivs'), '1');
  assert.equal(status(out, 'Seccomp'), '2');
  assert.equal(status(out, 'Seccomp_filters'), '1');
});

const capFlags: string[][] = [
  [], ['--cap-add', 'NET_RAW'], ['--cap-drop', 'ALL', '--cap-add', 'CHOWN'], ['--privileged'], ['--cap-add', 'all'],
  ['-u', '1000', '--cap-add', 'NET_RAW'], ['-u', '1000'], ['-u', '1000', '--privileged'], ['--cap-drop', 'CHOWN,kill'],
];

for (const flags of capFlags) {
  test(`capability sets equal podman's: ${flags.join(' ') || '(defaults)'}`, async (t) => {
    if (!need(t, BUSYBOX)) return;
    const [mine, theirs] = await both(flags, BUSYBOX, ['grep', '^Cap', '/proc/self/status']);
    assert.match(mine, /CapEff:/);
    assert.equal(mine, theirs);
  });
}

test('--privileged: no seccomp, nothing masked; seccomp=unconfined: no filter', async (t) => {
  if (!need(t, BUSYBOX)) return;
  const masked = ['sh', '-c', 'grep -c " /proc/keys " /proc/self/mountinfo; grep ^Seccomp: /proc/self/status'];
  assert.match(ok(await rrun(['run', '--rm', '--network', 'none', '--privileged', BUSYBOX, ...masked]), 'privileged'), /^0\nSeccomp:\s+0\n$/);
  assert.match(ok(await rrun(['run', '--rm', '--network', 'none', BUSYBOX, ...masked]), 'default'), /^1\nSeccomp:\s+2\n$/);
  const unconfined = ok(await rrun(['run', '--rm', '--network', 'none', '--security-opt', 'seccomp=unconfined', BUSYBOX, 'cat', '/proc/self/status']), 'unconfined');
  assert.equal(status(unconfined, 'Seccomp'), '0');
  const nnp = ok(await rrun(['run', '--rm', '--network', 'none', '--security-opt', 'no-new-privileges=false', BUSYBOX, 'cat', '/proc/self/status']), 'nnp off');
  assert.equal(status(nnp, 'NoNewPrivs'), '0');
  assert.equal(status(nnp, 'Seccomp'), '2', 'without no_new_privs the filter is loaded while the caps still allow it');
});

// perl's syscall() reports errno; numbers are x86_64's.
const probes = [
  'syscall(248,0,0,0,0,0); print "add_key $!{ENOSYS} ", $!+0, "\\n";',
  'syscall(321,0,0,0); print "bpf ", $!+0, "\\n";',
  'syscall(250,0,0,0,0,0); print "keyctl ", $!+0, "\\n";',
  'syscall(135,0x10); print "personality ", $!+0, "\\n";',
  'syscall(41,16,3,9); print "socket_audit ", $!+0, "\\n";',
  'syscall(0x40000027); print "x32_getpid ", $!+0, "\\n";',
  'syscall(101,16,1,0,0); print "ptrace_attach_1 ", $!+0, "\\n";',
].join(' ');

test('blocked syscalls fail with the errno podman\'s profile gives', async (t) => {
  if (!need(t, DEBIAN)) return;
  const [mine, theirs] = await both([], DEBIAN, ['perl', '-e', probes]);
  assert.match(mine, /^add_key \S* 38\nbpf 1\nkeyctl 22\npersonality 38\nsocket_audit 22\nx32_getpid 38\nptrace_attach_1 1\n$/);
  assert.equal(mine, theirs);
});

test('unshare and mount inside: same outcome as podman', async (t) => {
  if (!need(t, DEBIAN)) return;
  const script = 'unshare -U true; echo "unshare-U $?"; unshare -m true 2>/dev/null; echo "unshare-m $?"; mount -t proc proc /mnt 2>/dev/null; echo "mount $?"; nsenter --net=/dev/null true 2>&1 | sed "s/^nsenter: //"';
  const [mine, theirs] = await both([], DEBIAN, ['sh', '-c', script]);
  assert.match(mine, /^unshare-U 0\nunshare-m 1\nmount 32\n/);
  assert.equal(mine, theirs);
});

test('the workload inherits only stdin, stdout, stderr', async (t) => {
  if (!need(t, BUSYBOX)) return;
  const [mine, theirs] = await both([], BUSYBOX, ['ls', '/proc/self/fd']);
  assert.equal(mine, '0\n1\n2\n3\n');
  assert.equal(mine, theirs);
});

test('bad security flags fail before anything is created, with podman\'s words', async (t) => {
  if (!need(t, BUSYBOX)) return;
  const cases: [string[], RegExp][] = [
    [['--cap-add', 'BOGUS'], /Error: "CAP_BOGUS": unknown capability/],
    [['--cap-add', 'NET_RAW', '--cap-drop', 'net_raw'], /cannot be dropped and added/],
    [['--security-opt', 'seccomp=/nonexistent/profile.json'], /seccomp profile \/nonexistent\/profile\.json does not exist/],
    [['--security-opt', 'bogus=1'], /invalid --security-opt "bogus=1"/],
  ];
  for (const [flags, re] of cases) {
    const r = await rrun(['run', '--rm', '--network', 'none', '--name', 'rrun-090-bad-flags', ...flags, BUSYBOX, 'true']);
    assert.equal(r.code, 125, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  const left = ok(await podman(['ps', '-a', '--external', '--format', '{{.Names}}']), 'podman ps');
  assert.ok(!left.split('\n').includes('rrun-090-bad-flags'), 'no container record left behind');
});

// Caps and the seccomp filter as podman's exec gives them; no_new_privs as the container's
// init has it (rrun sets it by default, podman 4.3 does not: see docs/ARCHITECTURE.md).
for (const flags of [[], ['--security-opt', 'no-new-privileges=false']]) {
  test(`exec: the process gets the container's caps, seccomp filter and no_new_privs: ${flags.join(' ') || '(defaults)'}`, async (t) => {
    if (!need(t, BUSYBOX)) return;
    const tag = `${process.pid}-${Date.now()}`;
    const names = { rrun: `rrun-exec-sec-${tag}`, podman: `podman-exec-sec-${tag}` };
    const tools = { rrun, podman };
    const fields = ['CapEff', 'CapBnd', 'Seccomp', 'Seccomp_filters'];
    const seen: Record<string, string[]> = {};
    try {
      for (const tool of ['rrun', 'podman'] as const) {
        ok(await tools[tool](['run', '-d', '--name', names[tool], '--network', 'none', ...flags, BUSYBOX, 'sleep', '300']), `${tool} run -d`);
        const out = ok(await tools[tool](['exec', names[tool], 'cat', '/proc/self/status']), `${tool} exec`);
        seen[tool] = fields.map((f) => `${f}=${status(out, f) ?? '?'}`);
      }
      assert.deepEqual(seen['rrun'], seen['podman']);
      assert.ok(seen['rrun']?.includes('Seccomp=2'), `filtered: ${seen['rrun']?.join(' ')}`);
      const init = ok(await rrun(['exec', names.rrun, 'cat', '/proc/2/status']), 'workload status'); // pid 2: the workload (pid 1 is rrun's init)
      const execd = ok(await rrun(['exec', names.rrun, 'cat', '/proc/self/status']), 'exec status');
      assert.equal(status(execd, 'NoNewPrivs'), status(init, 'NoNewPrivs'));
      assert.equal(status(execd, 'NoNewPrivs'), flags.length === 0 ? '1' : '0');
    } finally {
      await rrun(['rm', '-f', names.rrun]);
      await podman(['rm', '-f', '-t', '0', names.podman]);
    }
  });
}
