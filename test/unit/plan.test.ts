// LaunchPlan building: golden encodings for three inputs plus the rules that matter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOp, encodePlan, hexDump, MS, CLONE, type LaunchPlan, type SetupOp } from '../../helpers/protocol.js';
import { buildLaunchPlan, capMask, PODMAN_DEFAULT_CAPS, type PlanInput } from '../../src/runtime/plan.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const goldenDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'unit', 'golden');

/** Compares with test/unit/golden/NAME; RRUN_UPDATE_GOLDEN=1 rewrites it instead. */
function assertGolden(name: string, actual: string): void {
  if (process.env['RRUN_UPDATE_GOLDEN'] === '1') writeFileSync(resolve(goldenDir, name), actual);
  assert.equal(actual, readFileSync(resolve(goldenDir, name), 'utf8'), `golden file ${name} differs (RRUN_UPDATE_GOLDEN=1 to accept)`);
}

const proc: PlanInput['process'] = {
  argv: ['sh', '-c', 'id'], env: ['PATH=/usr/bin:/bin', 'HOME=/root'], cwd: '/', uid: 0, gid: 0,
  capabilities: { bounding: PODMAN_DEFAULT_CAPS, effective: PODMAN_DEFAULT_CAPS, permitted: PODMAN_DEFAULT_CAPS },
};
const subid = { gidCount: 65537, setgroupsAllowed: true };

const inputs: Record<string, PlanInput> = {
  'bind-private': { rootfs: { kind: 'bind', path: '/tmp/root', readonly: false }, network: 'private', hostname: 'c1', idmap: subid, process: proc },
  'overlay-host': {
    rootfs: { kind: 'overlay', lowerdirs: ['l/AAA', 'l/BBB'], upperdir: '/s/c/diff', workdir: '/s/c/work', options: ['volatile'],
      mountpoint: '/s/c/merged', cwd: '/s/overlay', readonly: true },
    network: 'host', cgroupns: true, propagation: 'slave', hostname: 'c2', idmap: subid,
    binds: [{ source: '/home/u/data', destination: '/data/sub', readonly: true }, { source: '/home/u/d0', destination: '/data' }],
    tmpfs: [{ destination: '/run', data: 'mode=755' }],
    etc: { hosts: '/run/u/c2/hosts', resolvConf: '/run/u/c2/resolv.conf' },
    process: { ...proc, uid: 1000, gid: 1000, additionalGids: [27], noNewPrivs: true, umask: 0o22,
      rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }], seccomp: new Uint8Array(8) },
  },
  'fuse-single': {
    rootfs: { kind: 'fuse-overlayfs', argv: ['fuse-overlayfs', '-o', 'lowerdir=/a,upperdir=/b,workdir=/c', '/m'], mountpoint: '/m' },
    network: 'private', idmap: { gidCount: 1, setgroupsAllowed: false }, process: { ...proc, additionalGids: [5] },
  },
};

function listing(plan: LaunchPlan): string {
  return plan.ops.map((op, i) => `# ${i}: ${describeOp(op)}${'optional' in op && op.optional ? ' [optional]' : ''}\n`).join('');
}

for (const [name, input] of Object.entries(inputs))
  test(`golden plan: ${name}`, () => {
    const plan = buildLaunchPlan(input);
    assertGolden(`plan-${name}.txt`, listing(plan) + hexDump(encodePlan(plan)));
  });

const ops = (name: string): SetupOp[] => buildLaunchPlan(inputs[name] as PlanInput).ops;
const targets = (list: SetupOp[]): string[] => list.flatMap((o) => ('target' in o ? [o.target] : []));

test('propagation first, pivot_root last', () => {
  for (const name of Object.keys(inputs)) {
    const list = ops(name);
    assert.deepEqual(list[0], { op: 'mount', source: null, target: '/', fstype: null,
      flags: MS.REC | (name === 'overlay-host' ? MS.SLAVE : MS.PRIVATE), data: null });
    assert.equal(list.at(-1)?.op, 'pivot-root');
  }
});

test('namespaces: netns only for a private network, cgroupns on request', () => {
  const base = CLONE.NEWUSER | CLONE.NEWNS | CLONE.NEWPID | CLONE.NEWIPC | CLONE.NEWUTS;
  assert.equal(buildLaunchPlan(inputs['bind-private'] as PlanInput).namespaces, base | CLONE.NEWNET);
  assert.equal(buildLaunchPlan(inputs['overlay-host'] as PlanInput).namespaces, base | CLONE.NEWCGROUP);
});

test('devpts gets gid=5 only when gid 5 is mapped', () => {
  const data = (name: string): string | null | undefined =>
    ops(name).flatMap((o) => (o.op === 'mount' && o.fstype === 'devpts' ? [o.data] : []))[0];
  assert.equal(data('bind-private'), 'newinstance,ptmxmode=0666,mode=0620,gid=5');
  assert.equal(data('fuse-single'), 'newinstance,ptmxmode=0666,mode=0620');
});

test('/sys: fresh read-only sysfs with a netns, read-only rbind and /sys/kernel masked without', () => {
  const priv = ops('bind-private').find((o) => o.op === 'mount' && o.target === '/tmp/root/sys');
  assert.deepEqual(priv && priv.op === 'mount' && [priv.fstype, priv.flags & MS.RDONLY], ['sysfs', MS.RDONLY]);
  const host = ops('overlay-host');
  assert.ok(host.some((o) => o.op === 'mount' && o.source === '/sys' && o.flags === (MS.BIND | MS.REC)));
  assert.ok(host.some((o) => o.op === 'remount' && o.target === '/s/c/merged/sys' && (o.flags & MS.RDONLY) !== 0));
  assert.ok(targets(host).includes('/s/c/merged/sys/kernel'));
  assert.ok(!targets(ops('bind-private')).includes('/tmp/root/sys/kernel'));
});

test('masked paths are optional binds of /dev/null (files) or read-only tmpfs (dirs)', () => {
  const list = ops('bind-private');
  const kcore = list.find((o) => o.op === 'mount' && o.target === '/tmp/root/proc/kcore');
  assert.deepEqual(kcore, { op: 'mount', source: '/dev/null', target: '/tmp/root/proc/kcore', fstype: null, flags: MS.BIND, data: null, optional: true });
  const acpi = list.find((o) => o.op === 'mount' && o.target === '/tmp/root/proc/acpi');
  assert.ok(acpi?.op === 'mount' && acpi.fstype === 'tmpfs' && (acpi.flags & MS.RDONLY) !== 0 && acpi.optional === true);
});

test('caller binds: sorted by depth, read-only remount after, file mount points for /etc files', () => {
  const t = targets(ops('overlay-host'));
  assert.ok(t.indexOf('/s/c/merged/data') < t.indexOf('/s/c/merged/data/sub'));
  const list = ops('overlay-host');
  const i = list.findIndex((o) => o.op === 'mount' && o.target === '/s/c/merged/data/sub');
  assert.deepEqual(list[i + 1], { op: 'remount', target: '/s/c/merged/data/sub', flags: MS.RDONLY });
  assert.ok(list.some((o) => o.op === 'touch' && o.path === '/s/c/merged/etc/hosts'));
  assert.ok(!list.some((o) => o.op === 'write-file'), 'never truncate image files');
});

test('destinations cannot climb out of the root', () => {
  const plan = buildLaunchPlan({ ...(inputs['bind-private'] as PlanInput), binds: [{ source: '/x', destination: '../../etc' }] });
  assert.ok(targets(plan.ops).includes('/tmp/root/etc'));
});

test('read-only rootfs is remounted after every mount point exists', () => {
  const list = ops('overlay-host');
  const ro = list.findIndex((o) => o.op === 'remount' && o.target === '/s/c/merged');
  assert.ok(ro > list.findIndex((o) => o.op === 'mkdir' && o.path === '/s/c/merged/run'));
  assert.equal(list[ro + 1]?.op, 'sethostname');
});

test('process: podman caps mask, setgroups only when allowed', () => {
  assert.equal(capMask(PODMAN_DEFAULT_CAPS), 0x800405fbn);
  assert.equal(capMask(['SYS_ADMIN', 'cap_net_raw']), (1n << 21n) | (1n << 13n));
  assert.throws(() => capMask(['CAP_BOGUS']), /unknown capability CAP_BOGUS/);
  const single = buildLaunchPlan(inputs['fuse-single'] as PlanInput).process;
  assert.deepEqual([single.setgroups, single.additionalGids], [false, []]);
  assert.throws(() => buildLaunchPlan({ ...(inputs['bind-private'] as PlanInput), process: { ...proc, argv: [] } }), /no command/);
});
