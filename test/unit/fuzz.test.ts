// Seeded fuzzing of rrun's parsers and encoders: image references, manifests and
// configs, registries.conf, the plan encoder/decoder, the seccomp compiler. Inputs are
// valid seeds mutated byte- and token-wise plus generated structures. A crash is any
// exception that is not the parser's own error type (RrunError; plain Error with the
// decoder's messages for plans) or a call slower than HANG_MS. A crash fails the test
// and is written to test/unit/fuzz-regressions/, where every later run replays it.
// Bounded: ITERATIONS per target (RRUN_FUZZ_ITERATIONS), a few seconds in all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RrunError } from '../../oci/errors.js';
import { manifestMediaType, parseImageConfig, parseImageManifest } from '../../oci/image.js';
import { formatReference, parseReference } from '../../oci/reference.js';
import { buildRegistriesConfig } from '../../src/config/registries.js';
import { CLONE, MS, decodePlanRecords, encodePlan, type LaunchPlan, type SetupOp } from '../../helpers/protocol.js';
import { runFilter } from '../../src/security/bpf-interp.js';
import { compilePolicy } from '../../src/security/seccomp-compile.js';
import { AUDIT_ARCH_X86_64, buildPolicy, evaluatePolicy, resolveProfile } from '../../src/security/seccomp-policy.js';
import { parseSeccompProfile, ACTIONS, OPERATORS } from '../../src/security/seccomp-profile.js';
import { X86_64_SYSCALL_NAMES } from '../../src/security/syscalls-x86_64.js';
import { fuzzSeed, rng, type Rng } from './fuzz-rng.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'unit');
const regressions = resolve(root, 'fuzz-regressions');
const ITERATIONS = Number(process.env['RRUN_FUZZ_ITERATIONS'] ?? 1500);
const HANG_MS = 250;

interface Target {
  name: string;
  seeds: string[];
  /** Extra generated inputs besides mutated seeds. */
  generate?: (r: Rng) => string;
  /** Only generated inputs: the encoder's input is typed, a mutated text is no plan at all. */
  generatedOnly?: boolean;
  run: (input: string) => void;
  /** Errors the target may throw on bad input. */
  expected: (err: unknown) => boolean;
}

const isRrunError = (err: unknown): boolean => err instanceof RrunError;

// ------------------------------------------------------------------ mutation

const TOKENS = ['/', ':', '@', '.', '-', '_', '"', '{', '}', '[', ']', ',', '\n', '=', '*', '\\', '\0', 'sha256:', '\u00e9', 'null', '0', '-1', '1e400', '18446744073709551616', '[[registry]]', 'prefix', 'location'];

function mutate(r: Rng, s: string): string {
  let out = s;
  for (let n = 1 + r.int(4); n > 0; n--) {
    const at = r.int(out.length + 1);
    switch (r.int(5)) {
      case 0: out = out.slice(0, at) + r.pick(TOKENS) + out.slice(at); break;
      case 1: out = out.slice(0, at) + out.slice(at + 1 + r.int(8)); break;
      case 2: out = out.slice(0, at) + String.fromCharCode(r.int(256)) + out.slice(at + 1); break;
      case 3: out = out.slice(0, at) + out.slice(r.int(out.length), r.int(out.length) + 16) + out.slice(at); break;
      default: out = out.slice(0, at) + out.slice(at, at + 32).repeat(1 + r.int(4)) + out.slice(at + 32);
    }
  }
  return out;
}

function input(t: Target, r: Rng): string {
  if (t.generate && (t.generatedOnly || r.int(3) === 0)) return t.generate(r);
  return mutate(r, r.pick(t.seeds));
}

// ------------------------------------------------------------------ harness

const regressionFile = (t: Target, s: string): string =>
  resolve(regressions, `${t.name}-${createHash('sha256').update(s).digest('hex').slice(0, 12)}.json`);

/** The problem with one input, or undefined. */
function check(t: Target, s: string): string | undefined {
  const started = performance.now();
  try {
    t.run(s);
  } catch (err) {
    if (!t.expected(err)) return `crash: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  }
  const ms = performance.now() - started;
  return ms > HANG_MS ? `slow: ${ms.toFixed(0)} ms` : undefined;
}

function replayAndFuzz(t: Target): void {
  const saved = readdirSync(regressions).filter((f) => f.startsWith(`${t.name}-`) && f.endsWith('.json'));
  for (const f of saved) {
    const { input: s } = JSON.parse(readFileSync(resolve(regressions, f), 'utf8')) as { input: string };
    const problem = check(t, s);
    assert.equal(problem, undefined, `regression ${f}: ${problem}`);
  }
  const r = rng(fuzzSeed() ^ [...t.name].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
  for (let i = 0; i < ITERATIONS; i++) {
    const s = input(t, r);
    const problem = check(t, s);
    if (problem === undefined) continue;
    mkdirSync(regressions, { recursive: true });
    writeFileSync(regressionFile(t, s), `${JSON.stringify({ target: t.name, seed: fuzzSeed(), iteration: i, problem: problem.split('\n')[0], input: s }, null, 2)}\n`);
    assert.fail(`${t.name}: iteration ${i} (seed ${fuzzSeed()}): ${problem}\ninput: ${JSON.stringify(s)}`);
  }
}

// ------------------------------------------------------------------ targets

const referenceTarget: Target = {
  name: 'reference',
  seeds: ['busybox', 'docker.io/library/debian:bookworm', 'localhost:5000/a/b_c-d.e:v1.2', `quay.io/x/y@sha256:${'a'.repeat(64)}`, 'Registry.IO/Upper:tag', '[::1]:5000/img'],
  run: (s) => {
    const ref = parseReference(s);
    // the canonical form is a fixed point
    const again = formatReference(parseReference(formatReference(ref)));
    assert.equal(again, formatReference(ref));
  },
  expected: isRrunError,
};

const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'b'.repeat(64)}`, size: 2 },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'c'.repeat(64)}`, size: 3 }] });
const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/bin'], Cmd: ['sh'], User: '1000' },
  rootfs: { type: 'layers', diff_ids: [`sha256:${'d'.repeat(64)}`] }, history: [{ created_by: 'x' }] });

const imageTarget: Target = {
  name: 'image',
  seeds: [manifest, config, manifest.replace('"mediaType":"application/vnd.oci.image.manifest.v1+json",', '')],
  run: (s) => {
    try {
      manifestMediaType(parseImageManifest(s, 'fuzz'));
    } finally {
      parseImageConfig(new TextEncoder().encode(s), 'fuzz');
    }
  },
  expected: isRrunError,
};

const registriesSeeds = readdirSync(resolve(root, 'fixtures', 'registries')).map((f) => readFileSync(resolve(root, 'fixtures', 'registries', f), 'utf8'));
const registriesTarget: Target = {
  name: 'registries',
  seeds: registriesSeeds.length > 0 ? registriesSeeds : ['unqualified-search-registries = ["docker.io"]\n'],
  run: (s) => void buildRegistriesConfig({ mainPath: '/fuzz/registries.conf', main: { path: '/fuzz/registries.conf', text: s }, dropIns: [] }),
  expected: isRrunError,
};

/** A random but well-formed profile: every action and operator, duplicated indexes, edge values. */
function generateProfile(r: Rng): string {
  const names = X86_64_SYSCALL_NAMES.filter((n): n is string => n !== undefined);
  const value = (): number => r.pick([0, 1, 9, 16, 0x7fffffff, 0xffffffff, 0x100000000, 2 ** 53 - 1, r.int(2 ** 31)]);
  const syscalls = Array.from({ length: 1 + r.int(40) }, () => ({
    names: Array.from({ length: 1 + r.int(4) }, () => r.pick(names)),
    action: r.pick(ACTIONS.filter((a) => a !== 'SCMP_ACT_NOTIFY')),
    ...(r.int(2) === 0 ? { errnoRet: r.int(4096) } : {}),
    args: Array.from({ length: r.int(4) }, () => ({ index: r.int(6), value: value(), valueTwo: value(), op: r.pick(OPERATORS) })),
    ...(r.int(4) === 0 ? { includes: { caps: ['CAP_SYS_ADMIN'] } } : {}),
  }));
  return JSON.stringify({ defaultAction: r.pick(['SCMP_ACT_ERRNO', 'SCMP_ACT_ALLOW', 'SCMP_ACT_KILL_PROCESS']), defaultErrnoRet: 38, syscalls });
}

const small = readFileSync(resolve(root, 'fixtures', 'seccomp', 'small.json'), 'utf8');
const seccompTarget: Target = {
  name: 'seccomp',
  seeds: [small, generateProfile(rng(1))],
  generate: generateProfile,
  run: (s) => {
    const policy = buildPolicy(resolveProfile(parseSeccompProfile(s, 'fuzz.json'), { arch: 'amd64', caps: [], kernel: '6.1.0' }));
    const { program } = compilePolicy(policy);
    const r = rng(s.length);
    const nrs = [...policy.syscalls.keys()];
    for (let i = 0; i < 20; i++) {
      const call = { nr: nrs.length > 0 && i % 2 === 0 ? r.pick(nrs) : r.int(500), arch: AUDIT_ARCH_X86_64, args: Array.from({ length: 6 }, () => r.u64()) };
      assert.equal(runFilter(program, call).ret, evaluatePolicy(policy, call), `nr ${call.nr}`);
    }
  },
  expected: isRrunError,
};

/** A random plan as JSON (strings only, so it round-trips through the regression files). */
function generatePlan(r: Rng): string {
  const str = (): string => r.pick(['/', '/a/b', '', 'é', 'x'.repeat(r.int(300)), '\0', 'a b\nc']);
  const ops: SetupOp[] = Array.from({ length: r.int(12) }, (): SetupOp => r.pick<() => SetupOp>([
    () => ({ op: 'mkdir', path: str(), mode: r.int(0o7777) }),
    () => ({ op: 'mount', source: r.int(2) ? str() : null, target: str(), fstype: r.int(2) ? str() : null, flags: r.pick([0, MS.BIND, MS.RDONLY | MS.NOSUID]), data: r.int(2) ? str() : null, ...(r.int(2) ? { optional: true } : {}) }),
    () => ({ op: 'symlink', target: str(), linkpath: str() }),
    () => ({ op: 'sethostname', name: str() }),
    () => ({ op: 'pivot-root', newRoot: str() }),
  ])());
  return JSON.stringify({ ops, argv: [str(), str()], env: [str()], uid: r.int(70000), seccompLen: r.int(4) * 8 });
}

function planOf(s: string): LaunchPlan {
  const j = JSON.parse(s) as { ops: SetupOp[]; argv: string[]; env: string[]; uid: number; seccompLen: number };
  return {
    namespaces: CLONE.NEWUSER | CLONE.NEWNS,
    ops: j.ops,
    process: { argv: j.argv, env: j.env, cwd: '/', uid: j.uid, gid: j.uid, additionalGids: [], setgroups: false, noNewPrivs: true,
      ...(j.seccompLen > 0 ? { seccomp: new Uint8Array(j.seccompLen) } : {}) },
  };
}

const planErrors = /^(not an rrun plan|plan version \d+|plan length mismatch|truncated plan record)$/;
const planTarget: Target = {
  name: 'plan',
  seeds: [generatePlan(rng(2)), generatePlan(rng(3))],
  generate: generatePlan,
  generatedOnly: true,
  run: (s) => {
    const plan = planOf(s);
    let bytes: Buffer;
    try {
      bytes = encodePlan(plan);
    } catch (err) {
      if (err instanceof RangeError || err instanceof RrunError) return; // the encoder refused it, by contract
      throw err;
    }
    const records = decodePlanRecords(bytes);
    assert.ok(records.length >= plan.ops.length, 'every op is a record');
    // corrupt one byte or cut the tail: the decoder must refuse or decode, never crash
    const r = rng(bytes.length);
    const bad = Buffer.from(bytes);
    bad[r.int(bad.length)] = r.int(256);
    for (const b of [bad, bytes.subarray(0, r.int(bytes.length))]) {
      try {
        decodePlanRecords(b);
      } catch (err) {
        if (!(err instanceof Error && planErrors.test(err.message))) throw err;
      }
    }
  },
  expected: isRrunError,
};

for (const t of [referenceTarget, imageTarget, registriesTarget, seccompTarget, planTarget]) {
  test(`fuzz ${t.name}: ${ITERATIONS} seeded inputs, no crash or hang`, () => replayAndFuzz(t));
}
