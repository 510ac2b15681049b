// ps --filter, -n and -l against podman: the same three containers made by each tool
// (exited 0, exited 3, running), the same filters, the same names listed in the same
// order, oldest first (the tool's prefix aside), and podman's errors for bad filters.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun } from '../lib/testbed.js';

const BUSYBOX = 'localhost/busybox:latest';
const tag = randomBytes(3).toString('hex');
const prefix = { rrun: `rrun-psf-${tag}-`, podman: `podman-psf-${tag}-` };
type Tool = keyof typeof prefix;
const tools: Record<Tool, typeof rrun> = { rrun, podman };

after(async () => {
  for (const tool of ['rrun', 'podman'] as const) {
    for (const n of ['a', 'b', 'c']) await tools[tool](['rm', '-f', `${prefix[tool]}${n}`]);
  }
});

async function make(tool: Tool): Promise<void> {
  const p = prefix[tool];
  const run = tools[tool];
  ok(await run(['run', '--name', `${p}a`, BUSYBOX, 'true']), `${tool} a`);
  await new Promise((r) => setTimeout(r, 1100)); // before/since compare creation times
  assert.equal((await run(['run', '--name', `${p}b`, BUSYBOX, 'sh', '-c', 'exit 3'])).code, 3);
  await new Promise((r) => setTimeout(r, 1100));
  ok(await run(['run', '-d', '--name', `${p}c`, BUSYBOX, 'sleep', '300']), `${tool} c`);
}

/** The listed names of this run's containers, the tool's prefix removed. */
async function listed(tool: Tool, args: readonly string[]): Promise<string> {
  const p = prefix[tool];
  const real = args.map((a) => a.replaceAll('@', p));
  const out = ok(await tools[tool](['ps', ...real, '--format', '{{.Names}}']), `${tool} ps ${real.join(' ')}`);
  return out.split('\n').filter((n) => n.startsWith(p)).map((n) => n.slice(p.length)).join(' ');
}

const CASES: readonly (readonly string[])[] = [
  [], ['-a'], ['--filter', 'status=exited'], ['-f', 'status=running', '-f', 'status=exited'],
  ['-a', '-f', 'name=@[ab]'], ['-a', '-f', 'exited=3'], ['-a', '-f', 'exited=0'],
  ['-a', '-f', 'name=@a', '-f', 'status=exited'], ['-a', '-f', 'since=@a'], ['-a', '-f', 'before=@b'],
  ['-f', 'since=@a'], ['-a', '-f', 'ancestor=localhost/busybox:latest'], ['-a', '-f', 'ancestor=localhost/busybox'],
  ['-a', '-f', 'ancestor=docker.io/library/debian'], ['-a', '-f', 'status=created'],
];

test('ps --filter, -n and -l list what podman lists', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  await Promise.all([make('rrun'), make('podman')]);
  for (const args of CASES) {
    const [mine, theirs] = await Promise.all([listed('rrun', args), listed('podman', args)]);
    assert.equal(mine, theirs, `ps ${args.join(' ')}`);
  }
  // -n and -l count every container of the user, so only this run's newest are checked.
  assert.equal(await listed('rrun', ['-l']), 'c');
  assert.equal(await listed('rrun', ['-n', '2']), 'b c');
  assert.equal(await listed('rrun', ['-a', '-f', 'name=@', '-n', '5']), 'a b c');
});

test('ps refuses bad filters as podman does', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  for (const args of [['-f', 'status=bogus'], ['-f', 'foo=bar'], ['-f', 'name'], ['-f', 'since=rrun-psf-nosuch'], ['-n', '3', '-l']]) {
    const [r, p] = await Promise.all([rrun(['ps', ...args]), podman(['ps', ...args])]);
    assert.equal(r.code, 125, `ps ${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.code, p.code, args.join(' '));
    assert.equal(r.stderr.split('\n')[0], p.stderr.split('\n')[0], args.join(' '));
  }
});
