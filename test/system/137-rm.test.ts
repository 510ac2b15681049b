// rm's batch semantics against podman: every name is looked up before anything is
// removed (a missing one exits 1 and removes nothing), -i skips missing names, a running
// container without -f exits 2 but does not keep the others, -a removes every stopped
// container and, with -f, the running ones too. Files run one at a time and each removes
// its containers, so `rm -a` here meets only this file's containers. start --all (with
// a filter, so it meets only these) starts the stopped ones and prints their ids; -l
// starts the newest.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun, type RunResult } from '../lib/testbed.js';

const BUSYBOX = 'localhost/busybox:latest';
const tag = randomBytes(4).toString('hex');
const name = (what: string): string => `rrun-rm-test-${what}-${tag}`;
const made: string[] = [];

after(async () => {
  for (const c of made) await rrun(['rm', '-f', c]);
});

const errorLine = (r: RunResult): string => r.stderr.split('\n')[0] ?? '';

async function names(): Promise<string[]> {
  const out = ok(await rrun(['ps', '-a', '--format', '{{.Names}}']), 'ps -a');
  return out.split('\n').filter((n) => n.startsWith('rrun-rm-test-')).sort();
}

async function created(what: string): Promise<string> {
  const n = name(what);
  made.push(n);
  ok(await rrun(['create', '--name', n, BUSYBOX, 'true']), `create ${what}`);
  return n;
}

async function running(what: string): Promise<string> {
  const n = name(what);
  made.push(n);
  ok(await rrun(['run', '-d', '--name', n, BUSYBOX, 'sleep', '300']), `run -d ${what}`);
  return n;
}

test('rm looks every name up first, skips missing ones with -i, goes on past a running one', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const a = await created('a');
  const missing = name('nosuch');
  const r = await rrun(['rm', missing, a]);
  // podman is asked about the missing name only: it removes a container of another
  // tool (rrun's, here) from the store by name, which would spoil the check below.
  const p = await podman(['rm', missing]);
  assert.equal(r.code, 1);
  assert.equal(r.code, p.code);
  assert.equal(errorLine(r), errorLine(p));
  assert.deepEqual(await names(), [a], 'a missing name removes nothing');

  assert.equal(ok(await rrun(['rm', '-i', missing, a]), 'rm -i'), `${a}\n`);
  assert.deepEqual(await names(), []);

  const b = await running('b');
  const c = await created('c');
  const mixed = await rrun(['rm', b, c]);
  assert.equal(mixed.code, 2, mixed.stderr);
  assert.equal(mixed.stdout, `${c}\n`);
  assert.match(errorLine(mixed), /^Error: cannot remove container [0-9a-f]{64} as it is running - running or paused containers cannot be removed without force: container state improper$/);
  assert.deepEqual(await names(), [b]);
  assert.equal(ok(await rrun(['rm', '-f', '-t', '0', b]), 'rm -f -t 0'), `${b}\n`);
  assert.deepEqual(await names(), []);
});

test('rm -a removes the stopped containers, and with -f the running ones', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const d = await created('d');
  const e = await running('e');
  const ids = new Map<string, string>();
  for (const n of [d, e]) ids.set(n, ok(await rrun(['inspect', '--format', '{{.Id}}', n]), 'inspect').trim());
  const first = await rrun(['rm', '-a']);
  assert.equal(first.code, 2, first.stderr);
  assert.match(first.stdout, new RegExp(`^${ids.get(d)}$`, 'm'));
  assert.doesNotMatch(first.stdout, new RegExp(ids.get(e) ?? 'unset'));
  assert.deepEqual(await names(), [e]);
  const forced = ok(await rrun(['rm', '-a', '-f']), 'rm -a -f');
  assert.match(forced, new RegExp(`^${ids.get(e)}$`, 'm'));
  assert.deepEqual(await names(), []);
});

test('rm refuses bad arguments as podman does', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  for (const args of [['rm'], ['rm', '-a', 'x']]) {
    const [r, p] = await Promise.all([rrun(args), podman(args)]);
    assert.equal(r.code, 125, args.join(' '));
    assert.equal(r.code, p.code, args.join(' '));
    assert.equal(errorLine(r), errorLine(p), args.join(' '));
  }
});

test('an attached short value (-t0) is read as podman\'s pflag reads it', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  for (const [tool, run] of [['rrun', rrun], ['podman', podman]] as const) {
    const n = `${name('t0')}-${tool}`;
    ok(await run(['run', '-d', '--name', n, BUSYBOX, 'sleep', '300']), `${tool} run -d`);
    ok(await run(['rm', '-f', '-t0', n]), `${tool} rm -f -t0`);
    assert.equal((await run(['container', 'exists', n])).code, 1, `${tool}: ${n} is gone`);
  }
});

test('start --all --filter starts the stopped containers it selects; -l the newest', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const f = name('f');
  const g = name('g');
  made.push(f, g);
  ok(await rrun(['create', '--name', f, BUSYBOX, 'sleep', '300']), 'create f');
  ok(await rrun(['run', '-d', '--name', g, BUSYBOX, 'sleep', '300']), 'run -d g');
  const id = ok(await rrun(['inspect', '--format', '{{.Id}}', f]), 'inspect f').trim();
  assert.equal(ok(await rrun(['start', '--all', '--filter', `name=^rrun-rm-test-.*-${tag}$`]), 'start --all'), `${id}\n`);
  const states = ok(await rrun(['ps', '-a', '--filter', `name=${tag}`, '--format', '{{.Names}} {{.ID}}']), 'ps');
  assert.equal(ok(await rrun(['ps', '--filter', `name=${tag}`, '--format', '{{.Names}}']), 'ps running').split('\n').filter(Boolean).sort().join(' '), [f, g].sort().join(' '), states);
  ok(await rrun(['rm', '-f', f, g]), 'rm -f');
  const h = await created('h');
  const hid = ok(await rrun(['inspect', '--format', '{{.Id}}', h]), 'inspect h').trim();
  assert.equal(ok(await rrun(['start', '-l']), 'start -l'), `${hid}\n`);
  assert.equal((await rrun(['wait', h])).stdout, '0\n');
  const [r, p] = await Promise.all([rrun(['start', '--all', 'x']), podman(['start', '--all', 'x'])]);
  assert.equal(r.code, p.code);
  assert.equal(errorLine(r), errorLine(p));
});
