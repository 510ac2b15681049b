// Capability sets and --security-opt decoding. The expected masks are podman 4.3.1's,
// measured with `podman run --rm FLAGS busybox grep Cap /proc/self/status`.
import { test } from 'node:test';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { RrunError } from '../../oci/errors.js';
import { capMask } from '../../src/runtime/plan.js';
import { resolveCapabilities, type CapabilityRequest } from '../../src/security/capabilities.js';
import { containerSecurity, profileSource } from '../../src/security/container-security.js';
import { parseSecurityOpts } from '../../src/security/security-opt.js';

const hex = (names: string[]): string => capMask(names).toString(16).padStart(16, '0');

// [flags, CapInh, CapPrm=CapEff, CapBnd, CapAmb]
const measured: [CapabilityRequest, string, string, string, string][] = [
  [{ uid: 0 }, '0000000000000000', '00000000800405fb', '00000000800405fb', '0000000000000000'],
  [{ uid: 0, add: ['NET_RAW'] }, '0000000000000000', '00000000800425fb', '00000000800425fb', '0000000000000000'],
  [{ uid: 0, add: ['net_raw'] }, '0000000000000000', '00000000800425fb', '00000000800425fb', '0000000000000000'],
  [{ uid: 0, drop: ['ALL'], add: ['CHOWN'] }, '0000000000000000', '0000000000000001', '0000000000000001', '0000000000000000'],
  [{ uid: 0, add: ['ALL'] }, '0000000000000000', '000001ffffffffff', '000001ffffffffff', '0000000000000000'],
  [{ uid: 0, add: ['all'] }, '0000000000000000', '000001ffffffffff', '000001ffffffffff', '0000000000000000'],
  [{ uid: 0, drop: ['all'] }, '0000000000000000', '0000000000000000', '0000000000000000', '0000000000000000'],
  [{ uid: 0, privileged: true }, '0000000000000000', '000001ffffffffff', '000001ffffffffff', '0000000000000000'],
  [{ uid: 0, drop: ['CHOWN,kill'] }, '0000000000000000', '00000000800405da', '00000000800405da', '0000000000000000'],
  [{ uid: 1000 }, '0000000000000000', '0000000000000000', '00000000800405fb', '0000000000000000'],
  [{ uid: 1000, add: ['NET_RAW'] }, '0000000000002000', '0000000000002000', '00000000800425fb', '0000000000002000'],
  [{ uid: 1000, privileged: true }, '0000000000000000', '0000000000000000', '000001ffffffffff', '0000000000000000'],
  [{ uid: 1000, add: ['all'] }, '000001ffffffffff', '000001ffffffffff', '000001ffffffffff', '000001ffffffffff'],
];

test("capability sets equal podman's for the same flags", () => {
  for (const [req, inh, eff, bnd, amb] of measured) {
    const c = resolveCapabilities(req);
    const got = [hex(c.inheritable), hex(c.effective), hex(c.permitted), hex(c.bounding), hex(c.ambient)];
    assert.deepEqual(got, [inh, eff, eff, bnd, amb], JSON.stringify(req));
  }
});

test("capability errors use podman's words", () => {
  const cases: [CapabilityRequest, RegExp][] = [
    [{ uid: 0, add: ['BOGUS'] }, /^"CAP_BOGUS": unknown capability$/],
    [{ uid: 0, drop: ['CAP_ALL'] }, /^"CAP_ALL": unknown capability$/],
    [{ uid: 0, add: ['NET_RAW,SYS_ADMIN'], drop: ['NET_RAW'] }, /^capability "CAP_NET_RAW" cannot be dropped and added$/],
    [{ uid: 0, add: ['ALL'], drop: ['ALL'] }, /^adding all caps and removing all caps not allowed$/],
  ];
  for (const [req, re] of cases) {
    assert.throws(() => resolveCapabilities(req), (e: unknown) => e instanceof RrunError && e.code === 'ERR_CAPABILITY' && re.test(e.message) && e.hint !== undefined);
  }
});

test('--security-opt table', () => {
  assert.deepEqual(parseSecurityOpts([]), { seccomp: { kind: 'default' }, noNewPrivileges: true });
  assert.deepEqual(parseSecurityOpts(['seccomp=unconfined', 'no-new-privileges=false', 'label=disable']), { seccomp: { kind: 'unconfined' }, noNewPrivileges: false });
  assert.deepEqual(parseSecurityOpts(['seccomp:/p.json', 'no-new-privileges']), { seccomp: { kind: 'file', path: '/p.json' }, noNewPrivileges: true });
  for (const [opt, re] of [['bogus=1', /unknown option "bogus"/], ['no-new-privileges=maybe', /expected true or false/], ['label=type:foo_t', /only label=disable/], ['seccomp=', /profile path or "unconfined"/]] as const) {
    assert.throws(() => parseSecurityOpts([opt]), (e: unknown) => e instanceof RrunError && e.code === 'ERR_SECURITY_OPT' && re.test(e.message), opt);
  }
});

test('profile lookup: override first, clear errors for a missing or unreadable file', () => {
  assert.equal(profileSource({ kind: 'unconfined' }), undefined);
  assert.throws(() => profileSource({ kind: 'file', path: '/nonexistent/p.json' }), /seccomp profile \/nonexistent\/p\.json does not exist/);
  assert.throws(() => profileSource({ kind: 'default' }, ['/nonexistent/a.json']), /no default seccomp profile \(looked in \/nonexistent\/a\.json\)/);
  assert.throws(() => profileSource({ kind: 'file', path: '/proc' }), (e: unknown) => e instanceof RrunError && /cannot read seccomp profile \/proc: EISDIR/.test(e.message));
  const privileged = containerSecurity({ privileged: true, securityOpt: ['seccomp=/nonexistent'] }, 0);
  assert.equal(privileged.bpf, undefined, '--privileged ignores seccomp (podman 4.3)');
});

test('the compiled seccomp filter is cached by profile, bounding set and kernel; a bad entry is recomputed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rrun-seccomp-'));
  try {
    const cache = join(dir, 'cache');
    const first = containerSecurity({}, 0, undefined, cache);
    assert.ok(first.bpf !== undefined && first.seccomp !== undefined);
    assert.equal(readdirSync(cache).length, 1);
    const again = containerSecurity({}, 0, undefined, cache);
    assert.deepEqual(again, first);
    assert.deepEqual([...(again.bpf ?? [])], [...first.bpf]);
    // Another bounding set is another profile (and program).
    const raw = containerSecurity({ capAdd: ['SYS_ADMIN'] }, 0, undefined, cache);
    assert.equal(readdirSync(cache).length, 2);
    assert.notDeepEqual(raw.seccomp, first.seccomp);
    // A damaged entry is not used: the filter is compiled again (and equal).
    for (const f of readdirSync(cache)) writeFileSync(join(cache, f), '{"seccomp":{},"bpf":"AAA"}');
    assert.deepEqual(containerSecurity({}, 0, undefined, cache), first);
    assert.deepEqual(containerSecurity({ privileged: true }, 0, undefined, cache).bpf, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
