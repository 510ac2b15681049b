// The seccomp compiler against its reference semantics: compiled programs run in the
// BPF interpreter on synthetic seccomp_data must answer exactly what evaluatePolicy()
// answers, for fixed verdicts (podman's measured errnos) and hundreds of seeded cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RrunError } from '../../oci/errors.js';
import type { LinuxSeccomp } from '../../oci/runtime.js';
import { OP, checkProgram, decodeProgram, disassemble, encodeProgram, insn, type Insn } from '../../src/security/bpf.js';
import { runFilter } from '../../src/security/bpf-interp.js';
import { compilePolicy } from '../../src/security/seccomp-compile.js';
import { AUDIT_ARCH_X86_64, RET, buildPolicy, evaluatePolicy, resolveProfile, type SyscallPolicy } from '../../src/security/seccomp-policy.js';
import { parseSeccompProfile } from '../../src/security/seccomp-profile.js';
import { X86_64_MAX_SYSCALL, X86_64_SYSCALLS } from '../../src/security/syscalls-x86_64.js';
import { fuzzSeed, rng } from './fuzz-rng.js';

const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'unit', 'fixtures', 'seccomp');
const PODMAN_PROFILE = '/usr/share/containers/seccomp.json';
const DEFAULT_CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT'];
const I386 = 0x40000003;

const nr = (name: string): number => {
  const n = X86_64_SYSCALLS.get(name);
  assert.ok(n !== undefined, `no syscall ${name}`);
  return n;
};
const errno = (e: number): number => (RET.ERRNO | e) >>> 0;

function policyOf(path: string, caps = DEFAULT_CAPS, kernel = '6.1.0-25-amd64'): SyscallPolicy {
  const profile = parseSeccompProfile(readFileSync(path, 'utf8'), path);
  return buildPolicy(resolveProfile(profile, { arch: 'amd64', caps, kernel }));
}

/** Runs filter and reference on one case; returns the verdict. */
function verdict(prog: readonly Insn[], policy: SyscallPolicy, call: { nr: number; arch?: number; args?: bigint[] }): number {
  const data = { arch: AUDIT_ARCH_X86_64, ...call };
  const want = evaluatePolicy(policy, data);
  const got = runFilter(prog, data).ret;
  assert.equal(got.toString(16), want.toString(16), `nr ${data.nr} arch 0x${data.arch.toString(16)} args ${String(data.args ?? [])}`);
  return got;
}

/** Hundreds of seeded (syscall, args) cases: every number the policy names, its neighbours, random ones. */
function differential(policy: SyscallPolicy, prog: readonly Insn[], seed: number, rounds = 4): number {
  const r = rng(seed);
  const named = [...policy.syscalls.keys()];
  const condValues = [...policy.syscalls.values()].flat().flatMap((rule) => rule.conditions.flatMap((c) => [c.value, c.valueTwo, c.value + 1n, c.value - 1n]));
  let cases = 0;
  for (let i = 0; i < rounds * 150; i++) {
    const base = i < named.length ? (named[i] as number) : r.int(X86_64_MAX_SYSCALL + 40);
    const n = r.int(5) === 0 ? base + r.pick([-1, 1]) : base;
    const args = Array.from({ length: 6 }, () => (condValues.length > 0 && r.int(2) === 0 ? r.pick(condValues) & ((1n << 64n) - 1n) : r.u64()));
    verdict(prog, policy, { nr: Math.max(0, n), args });
    cases++;
  }
  return cases;
}

test('BPF encoding is struct sock_filter, little-endian, 8 bytes an instruction', () => {
  const prog = [insn(OP.LD_W_ABS, 4), insn(OP.JEQ_K, 0xc000003e, 1, 0), insn(OP.RET_K, 0x80000000), insn(OP.RET_K, 0x7fff0000)];
  const bytes = encodeProgram(prog);
  assert.equal(Buffer.from(bytes.subarray(0, 16)).toString('hex'), '2000000004000000' + '150001003e0000c0');
  assert.deepEqual(decodeProgram(bytes), prog);
});

test('the checker refuses what the kernel refuses', () => {
  const cases: [Insn[], RegExp][] = [
    [[insn(OP.LD_W_ABS, 64), insn(OP.RET_K, 0)], /outside seccomp_data/],
    [[insn(OP.LD_W_ABS, 2), insn(OP.RET_K, 0)], /unaligned/],
    [[insn(OP.JEQ_K, 0, 1, 0), insn(OP.RET_K, 0)], /past the end/],
    [[insn(OP.JA, 5), insn(OP.RET_K, 0)], /past the end/],
    [[insn(OP.LD_W_ABS, 0)], /does not end with a return/],
    [[insn(0xff, 0), insn(OP.RET_K, 0)], /unknown opcode/],
    [[insn(OP.ALU_DIV_K, 0), insn(OP.RET_K, 0)], /division/],
    [[], /length 0/],
  ];
  for (const [prog, re] of cases) assert.throws(() => checkProgram(prog), (e: unknown) => e instanceof RrunError && re.test(e.message));
});

test('the interpreter: ALU, scratch memory, X register, jset', () => {
  const prog = [
    insn(OP.LD_W_ABS, 16), insn(OP.ALU_ADD_K, 5), insn(OP.ST, 3), insn(OP.LDX_IMM, 2), insn(OP.ALU_LSH_X), insn(OP.TAX),
    insn(OP.LD_MEM, 3), insn(OP.ALU_SUB_X), insn(OP.ALU_NEG), insn(OP.JSET_K, 1, 0, 1), insn(OP.RET_A), insn(OP.RET_K, 7),
  ];
  // a0 = 1: A = 6, M[3] = 6, X = 24, A = 6 - 24 = -18, neg → 18, bit 0 clear → 7
  assert.equal(runFilter(prog, { nr: 0, arch: 0, args: [1n] }).ret, 7);
  // a0 = 2: A = 7, X = 28, 7 - 28 = -21 → 21 (odd) → ret A
  assert.equal(runFilter(prog, { nr: 0, arch: 0, args: [2n] }).ret, 21);
  assert.equal(runFilter([insn(OP.LDX_IMM, 0), insn(OP.ALU_DIV_X), insn(OP.RET_K, 9)], { nr: 0, arch: 0 }).ret, 0);
});

test('a two-rule profile compiles to the documented layout', () => {
  const s: LinuxSeccomp = { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, syscalls: [
    { names: ['read'], action: 'SCMP_ACT_ALLOW' },
    { names: ['write'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0x100000002, op: 'SCMP_CMP_EQ' }] },
  ] };
  const prog = compilePolicy(buildPolicy(s)).program;
  // arch check, x32 check, then the number search: [0,1) allow, [1,2) args of write, [2,∞) default.
  // write's 64-bit operand: high word (args[0] at offset 20) first, then the low word (16).
  assert.deepEqual(disassemble(prog), [
    '0: ld_w_abs 0x4', '1: jeq_k 0xc000003e ? 3 : 2', '2: ret_k 0x80000000', '3: ld_w_abs 0x0',
    '4: jge_k 0x40000000 ? 5 : 6', '5: ret_k 0x50026', '6: jge_k 0x1 ? 8 : 7', '7: ret_k 0x7fff0000',
    '8: jge_k 0x2 ? 15 : 9', '9: ld_w_abs 0x14', '10: jeq_k 0x1 ? 11 : 14', '11: ld_w_abs 0x10',
    '12: jeq_k 0x2 ? 13 : 14', '13: ret_k 0x7fff0000', '14: ret_k 0x50026', '15: ret_k 0x50026',
  ]);
  const policy = buildPolicy(s);
  assert.equal(verdict(prog, policy, { nr: 1, args: [0x100000002n] }), RET.ALLOW);
  assert.equal(verdict(prog, policy, { nr: 1, args: [2n] }), errno(38));
  assert.equal(verdict(prog, policy, { nr: 0 }), RET.ALLOW);
});

test('small fixture: per-rule semantics', () => {
  const policy = policyOf(`${fixtures}/small.json`);
  const prog = compilePolicy(policy).program;
  const v = (name: string, ...args: bigint[]): number => verdict(prog, policy, { nr: nr(name), args });
  assert.equal(v('read'), RET.ALLOW);
  assert.equal(v('kill'), errno(1));
  assert.equal(v('personality', 8n), RET.ALLOW);
  assert.equal(v('personality', 0xffffffffn), RET.ALLOW);
  assert.equal(v('personality', 0x1ffffffffn), errno(38), 'a 64-bit EQ compares both halves');
  assert.equal(v('clone', 0x10000000n), errno(38), 'CLONE_NEWUSER is masked out without CAP_SYS_ADMIN');
  assert.equal(v('clone', 0x11n), RET.ALLOW);
  assert.equal(v('mmap', 0n, 0xffffffffn, 7n), RET.ALLOW);
  assert.equal(v('mmap', 0n, 0x100000000n, 7n), errno(38));
  assert.equal(v('mmap', 0n, 1n, 8n), errno(38));
  assert.equal(v('mprotect', 0n, 0n, 5n), RET.TRAP);
  assert.equal(v('lseek', 0n, 0n, 0x100000002n), RET.LOG);
  assert.equal(v('lseek', 0n, 0n, 3n), RET.KILL_PROCESS);
  assert.equal(v('lseek', 0n, 0n, 2n), errno(38));
  assert.equal(v('socket', 16n, 3n, 9n), errno(22));
  assert.equal(v('socket', 2n, 1n, 0n), RET.ALLOW);
  assert.equal(v('fcntl', 0n, 1n), RET.ALLOW, 'two args on one index are ORed');
  assert.equal(v('fcntl', 0n, 2n), RET.ALLOW);
  assert.equal(v('fcntl', 0n, 3n), errno(38));
  assert.equal(v('getppid'), errno(38), 'minKernel 99.0 leaves the rule out');
  assert.equal(v('getuid'), errno(13));
  assert.equal(v('arch_prctl'), RET.ALLOW);
  assert.equal(v('ioperm'), errno(38), 'arm64-only rule');
  assert.equal(v('getpid'), RET.ALLOW, 'the first unconditional rule wins');
  assert.equal(v('getgid'), errno(1), 'ERRNO without errnoRet is EPERM');
  assert.equal(verdict(prog, policy, { nr: nr('read'), arch: I386 }), RET.KILL_PROCESS);
  assert.equal(verdict(prog, policy, { nr: 0x40000000 | nr('read') }), errno(38), 'x32 numbers never reach the table');
  const admin = policyOf(`${fixtures}/small.json`, [...DEFAULT_CAPS, 'CAP_SYS_ADMIN']);
  assert.equal(verdict(compilePolicy(admin).program, admin, { nr: nr('clone'), args: [0x10000000n] }), RET.ALLOW);
});

test('small fixture: seeded differential against the reference', () => {
  for (const caps of [DEFAULT_CAPS, [...DEFAULT_CAPS, 'CAP_SYS_ADMIN'], []]) {
    const policy = policyOf(`${fixtures}/small.json`, caps);
    assert.ok(differential(policy, compilePolicy(policy).program, fuzzSeed()) >= 600);
  }
});

test('long programs jump through ja trampolines and still agree', () => {
  const names = [...X86_64_SYSCALLS.keys()].slice(0, 300);
  const s: LinuxSeccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: names.map((name, i) => ({
    names: [name], action: 'SCMP_ACT_ERRNO', errnoRet: i + 1,
    args: [{ index: i % 6, value: i * 0x100000001, op: ['SCMP_CMP_EQ', 'SCMP_CMP_NE', 'SCMP_CMP_GT', 'SCMP_CMP_LE'][i % 4] as string }],
  })) };
  const policy = buildPolicy(s);
  const { program } = compilePolicy(policy);
  assert.ok(program.length > 1000, `program has ${program.length} instructions`);
  assert.ok(program.some((i) => i.code === OP.JA), 'expected a long jump');
  differential(policy, program, fuzzSeed() + 1, 6);
});

test('default-allow profile: listed syscalls are denied, the rest allowed', () => {
  const s: LinuxSeccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount', 'umount2'], action: 'SCMP_ACT_ERRNO' }] };
  const policy = buildPolicy(s);
  const prog = compilePolicy(policy).program;
  assert.equal(verdict(prog, policy, { nr: nr('mount') }), errno(1));
  assert.equal(verdict(prog, policy, { nr: nr('read') }), RET.ALLOW);
  assert.equal(verdict(prog, policy, { nr: 5000 }), RET.ALLOW);
  assert.equal(verdict(prog, policy, { nr: nr('mount'), arch: I386 }), RET.KILL_PROCESS, 'i386 numbers would bypass an x86_64 deny list');
});

test('profile errors name the file, the place and the problem', () => {
  const cases: [string, RegExp][] = [
    ['{', /invalid seccomp profile p\.json: .*JSON/],
    ['[]', /profile: expected a JSON object/],
    ['{"defaultAction":"SCMP_ACT_NOPE"}', /defaultAction: unknown value "SCMP_ACT_NOPE"/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}', /syscalls\[0\]\.args\[0\]\.index: 6 is larger than 5/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}]}]}', /value: .* is larger than/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[],"action":"SCMP_ACT_ERRNO"}]}', /syscalls\[0\]: no syscall names/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_LIKE"}]}]}', /op: unknown value/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/x.sock"}', /listenerPath: seccomp notify listeners are not supported/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","includes":{"minKernel":"five"}}]}', /minKernel: "five" is not MAJOR\.MINOR/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseSeccompProfile(text, 'p.json'), (e: unknown) => e instanceof RrunError && e.code === 'ERR_SECCOMP_PROFILE' && re.test(e.message), text);
  }
  assert.throws(() => buildPolicy({ defaultAction: 'SCMP_ACT_NOTIFY' }), /SCMP_ACT_NOTIFY .* not supported/);
});

test("podman's default profile: the verdicts measured inside podman", { skip: !existsSync(PODMAN_PROFILE) && `${PODMAN_PROFILE} missing` }, () => {
  const policy = policyOf(PODMAN_PROFILE);
  const { program } = compilePolicy(policy);
  const v = (name: string, ...args: bigint[]): number => verdict(program, policy, { nr: nr(name), args });
  assert.equal(v('add_key'), errno(38));
  assert.equal(v('bpf'), errno(1));
  assert.equal(v('keyctl'), RET.ALLOW);
  assert.equal(v('unshare'), RET.ALLOW);
  assert.equal(v('mount'), RET.ALLOW, 'mount is refused by the kernel (no CAP_SYS_ADMIN), not by seccomp');
  assert.equal(v('setns'), RET.ALLOW, 'podman: nsenter --net=/dev/null fails with EINVAL, not EPERM');
  assert.equal(v('personality', 0x10n), errno(38));
  assert.equal(v('personality', 8n), RET.ALLOW);
  assert.equal(v('socket', 16n, 3n, 9n), errno(22));
  assert.equal(v('chroot'), RET.ALLOW);
  assert.equal(verdict(program, policy, { nr: 0x40000027 }), errno(38));
  const dropped = policyOf(PODMAN_PROFILE, DEFAULT_CAPS.filter((c) => c !== 'CAP_SYS_CHROOT'));
  assert.equal(verdict(compilePolicy(dropped).program, dropped, { nr: nr('chroot') }), errno(1));
  for (const caps of [DEFAULT_CAPS, [...DEFAULT_CAPS, 'CAP_SYS_ADMIN', 'CAP_AUDIT_WRITE', 'CAP_SYS_PTRACE'], []]) {
    const p = policyOf(PODMAN_PROFILE, caps);
    differential(p, compilePolicy(p).program, fuzzSeed() + caps.length, 3);
  }
});
