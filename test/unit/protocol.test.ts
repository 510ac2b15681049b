// The wire format: C and TS constants agree, the encoding is pinned by a golden file,
// messages survive arbitrary chunking, and the helper's own parser rejects bad plans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipOrFail } from '../lib/skip.js';
import {
  CLONE, decodePlanRecords, encodeControl, encodeEarlyPlan, encodeMessage, encodePlan, ExecStep, hexDump, MessageDecoder, MS,
  MsgType, OpCode, OpFlag, PLAN_VERSION, type HelperMessage, type LaunchPlan,
} from '../../helpers/protocol.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const golden = (name: string): string => resolve(repo, 'test', 'unit', 'golden', name);

/** Compares with a golden file; RRUN_UPDATE_GOLDEN=1 rewrites it instead. */
function assertGolden(name: string, actual: string): void {
  if (process.env['RRUN_UPDATE_GOLDEN'] === '1') writeFileSync(golden(name), actual);
  assert.equal(actual, readFileSync(golden(name), 'utf8'), `golden file test/unit/golden/${name} differs (RRUN_UPDATE_GOLDEN=1 to accept)`);
}

const snake = (s: string): string => s.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

function headerDefines(): Map<string, number> {
  const text = readFileSync(resolve(repo, 'helpers', 'native', 'protocol.h'), 'utf8');
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^#define (\w+) (\d+)u\b/gm)) out.set(m[1] ?? '', Number(m[2]));
  return out;
}

test('protocol.h and protocol.ts agree on every number', () => {
  const h = headerDefines();
  const tables: [string, Record<string, number>][] = [['OP_', OpCode], ['MSG_', MsgType], ['STEP_', ExecStep], ['OPF_', OpFlag]];
  let n = 0;
  for (const [prefix, table] of tables)
    for (const [name, value] of Object.entries(table)) {
      assert.equal(h.get(prefix + snake(name)), value, `${prefix}${snake(name)}`);
      n++;
    }
  assert.equal(h.get('PLAN_VERSION'), PLAN_VERSION);
  const cDefined = [...h.keys()].filter((k) => /^(OP|MSG|STEP|OPF)_/.test(k)).length;
  assert.equal(cDefined, n, 'protocol.h defines something protocol.ts lacks');
});

const small: LaunchPlan = {
  namespaces: CLONE.NEWUSER | CLONE.NEWNS | CLONE.NEWPID,
  ops: [
    { op: 'mount', source: null, target: '/', fstype: null, flags: MS.REC | MS.PRIVATE, data: null },
    { op: 'mkdir', path: '/r/proc', mode: 0o755 },
    { op: 'mount', source: '/dev/null', target: '/r/proc/kcore', fstype: null, flags: MS.BIND, data: null, optional: true },
    { op: 'write-file', path: '/r/etc/x', content: Buffer.from([0, 1, 2]), mode: 0o644 },
    { op: 'setrlimit', resource: 7, soft: 1024, hard: 'unlimited' },
    { op: 'pivot-root', newRoot: '/r' },
  ],
  process: {
    argv: ['sh', '-c', 'echo é'], env: ['PATH=/bin'], cwd: '/', uid: 0, gid: 0, additionalGids: [10],
    setgroups: true, noNewPrivs: true, umask: 0o22,
    caps: { bounding: 0x800405fbn, effective: 0x800405fbn, permitted: 0x800405fbn, inheritable: 0n, ambient: 0n },
    seccomp: Buffer.from([6, 0, 0, 0, 0, 0, 0xff, 0x7f]),
  },
};

test('plan encoding is pinned by a golden file', () => {
  assertGolden('protocol-small.hex', hexDump(encodePlan(small)));
});

test('plan records decode back to what was encoded', () => {
  const recs = decodePlanRecords(encodePlan(small));
  assert.deepEqual(recs.map((r) => r.code), [
    OpCode.namespaces, OpCode.mount, OpCode.mkdir, OpCode.mount, OpCode.writeFile, OpCode.setrlimit, OpCode.pivotRoot,
    OpCode.procArgv, OpCode.procEnv, OpCode.procCwd, OpCode.procUser, OpCode.procCaps, OpCode.procNoNewPrivs,
    OpCode.procSeccomp, OpCode.procUmask,
  ]);
  const [ns, prop, , kcore, file, rlimit] = recs;
  assert.equal(ns?.args[0]?.readBigUInt64LE(), BigInt(small.namespaces));
  assert.deepEqual(prop?.args.map((a) => a.length), [0, 1, 0, 8, 0], 'NULL source/fstype/data are empty args');
  assert.equal(kcore?.optional, true);
  assert.deepEqual([...(file?.args[1] ?? [])], [0, 1, 2]);
  assert.equal(rlimit?.args[2]?.readBigUInt64LE(), (1n << 64n) - 1n);
  assert.equal(recs[7]?.args[2]?.toString('utf8'), 'echo é');
  assert.deepEqual(recs[10]?.args.map((a) => Number(a.readBigUInt64LE())), [0, 0, 1, 10]);
});

test('stage 0 records: map tools (uid first, argv without the pid) and the attached log', () => {
  const plan: LaunchPlan = { ...small, stage0: { idmapTools: { uid: ['newuidmap', '0', '1001', '1'], gid: ['/usr/bin/newgidmap', '0', '1001', '1'] } } };
  const recs = decodePlanRecords(encodePlan(plan)).filter((r) => r.code === OpCode.idmap);
  assert.deepEqual(recs.map((r) => r.args.map((a) => a.toString('utf8'))), [['newuidmap', '0', '1001', '1'], ['/usr/bin/newgidmap', '0', '1001', '1']]);
  assert.throws(() => encodePlan({ ...small, stage0: { idmapTools: { uid: [], gid: ['newgidmap'] } } }), /idmapTools/);
  const logged = decodePlanRecords(encodePlan({ ...small, stage0: { log: { path: '/u/ctr.log' } } })).filter((r) => r.code === OpCode.log);
  assert.deepEqual(logged.map((r) => r.args.map((a) => a.toString('utf8'))), [['/u/ctr.log']]);
  assert.throws(() => encodePlan({ ...small, stage0: { log: { path: '/a' }, detach: { logPath: '/b', exitCommand: ['x'] } } }), /stage0.log/);
});

test('an early plan holds the namespaces, stage 0 and OP_DEFER, nothing else; exec cannot be deferred', () => {
  const stage0 = { log: { path: '/u/ctr.log' }, terminal: { forwardStdin: true }, idmapTools: { uid: ['newuidmap', '0', '1001', '1'], gid: ['newgidmap', '0', '1001', '1'] } };
  const recs = decodePlanRecords(encodeEarlyPlan({ namespaces: small.namespaces, stage0 }));
  assert.deepEqual(recs.map((r) => r.code), [OpCode.namespaces, OpCode.terminal, OpCode.log, OpCode.idmap, OpCode.idmap, OpCode.defer]);
  assert.equal(recs[0]?.args[0]?.readBigUInt64LE(0), BigInt(small.namespaces));
  assert.deepEqual(recs.at(-1)?.args, []);
  // The whole plan that follows carries the same stage 0 records, without OP_DEFER.
  const whole = decodePlanRecords(encodePlan({ ...small, stage0 })).map((r) => r.code);
  assert.ok(!whole.includes(OpCode.defer));
  assert.throws(() => encodeEarlyPlan({ namespaces: small.namespaces, stage0: { join: 42 } }), /join/);
});

test('encoder rejects what the helper would reject', () => {
  const bad = (p: Partial<LaunchPlan['process']>): LaunchPlan => ({ ...small, process: { ...small.process, ...p } });
  assert.throws(() => encodePlan(bad({ argv: [] })), /argv/);
  assert.throws(() => encodePlan(bad({ seccomp: Buffer.alloc(7) })), /sock_filter/);
  assert.throws(() => encodePlan({ ...small, ops: [{ op: 'mkdir', path: '/x', mode: -1 }] }), /u64/);
});

const messages: HelperMessage[] = [
  { type: 'NeedIdmap', pid: 4242 },
  { type: 'Ready' },
  { type: 'Error', opIndex: 7, errno: 13, what: 'mount' },
  { type: 'ExecFailed', step: 'exec', errno: 2 },
  { type: 'Exited', exitCode: 143, signal: 15 },
];

test('messages survive any chunking of the stream', () => {
  const bytes = Buffer.concat(messages.map(encodeMessage));
  for (const size of [1, 3, 8, 13, bytes.length]) {
    const d = new MessageDecoder();
    const got: HelperMessage[] = [];
    for (let i = 0; i < bytes.length; i += size) got.push(...d.push(bytes.subarray(i, i + size)));
    assert.deepEqual(got, messages, `chunk size ${size}`);
    assert.equal(d.pending, 0);
  }
  assertGolden('protocol-messages.hex', hexDump(Buffer.concat([bytes, encodeControl('IdmapDone'), encodeControl('Start')])));
});

test('unknown message types are protocol errors', () => {
  const frame = Buffer.alloc(8);
  frame.writeUInt32LE(99, 0);
  assert.throws(() => new MessageDecoder().push(frame), /unknown helper message type 99/);
});

// ---------------------------------------------------------------- the C parser, without namespaces

const helper = resolve(repo, 'helpers', 'native', 'rrun-helper');

/** Feeds raw bytes to the helper; it must refuse before doing anything. */
function feed(bytes: Buffer): Promise<{ code: number | null; messages: HelperMessage[] }> {
  return new Promise((done, fail) => {
    const child = spawn(helper, [], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    const d = new MessageDecoder();
    const got: HelperMessage[] = [];
    const sock = child.stdio[3] as unknown as Duplex;
    sock.on('data', (c: Buffer) => got.push(...d.push(c)));
    sock.on('error', () => {});
    sock.write(bytes);
    child.on('error', fail);
    child.on('exit', (code) => setImmediate(() => done({ code, messages: got })));
  });
}

test('the helper rejects malformed plans with Error{-1, EPROTO} and exit 125', async (t) => {
  if (!existsSync(helper)) {
    skipOrFail(t, `the built helper ${helper} (npm run build)`);
    return;
  }
  const good = encodePlan(small);
  const badMagic = Buffer.from(good);
  badMagic.write('XXXX', 0);
  const unknownOp = Buffer.from(good);
  unknownOp.writeUInt32LE(200, 16); // the first record's op code
  const wrongArity = Buffer.from(good);
  wrongArity.writeUInt32LE(0, 24); // namespaces record with argc 0 (leaves its arg as garbage)
  // OP_DEFER in a plan that has setup ops and a process: an early plan has neither.
  const deferRecord = Buffer.alloc(12);
  deferRecord.writeUInt32LE(OpCode.defer, 0);
  const deferredWhole = Buffer.concat([good, deferRecord]);
  deferredWhole.writeUInt32LE(deferredWhole.length - 16, 12);
  for (const [name, bytes] of [['magic', badMagic], ['unknown op', unknownOp], ['arity', wrongArity], ['defer with setup', deferredWhole]] as const) {
    const r = await feed(bytes);
    assert.equal(r.code, 125, name);
    assert.equal(r.messages[0]?.type, 'Error', name);
    const m = r.messages[0] as Extract<HelperMessage, { type: 'Error' }>;
    assert.deepEqual([m.opIndex, m.errno, m.what], [-1, 71 /* EPROTO */, 'read plan'], name);
  }
});
