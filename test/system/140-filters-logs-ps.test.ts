// images --filter, logs --since/--until/--tail/-n and several containers, ps --sort and
// --size against podman 4.3, on twin copies of the small template store
// (test/lib/store-pair.ts): the same command by each tool, the same lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ok, fixtureMissingReason, requirePrereq, runAs, type RunResult } from '../lib/testbed.js';
import { storeArgs, twinStoreSuite, TOOLS, type StoreRun, type Template, type Tool } from '../lib/store-pair.js';

const BUSYBOX = 'localhost/busybox:latest';
const suite = twinStoreSuite(BUSYBOX);
const pair = (name: string): Promise<Record<Tool, StoreRun>> => suite.pair(name);

async function both(p: Record<Tool, StoreRun>, args: string[]): Promise<Record<Tool, RunResult>> {
  const [rrun, podman] = await Promise.all([p.rrun(args), p.podman(args)]);
  return { rrun, podman };
}

/** stdout, the first stderr line (rrun adds a hint below) and the exit code. */
const summary = (r: RunResult, lines: (s: string) => string = (s) => s): string => `${lines(r.stdout)}|${lines(r.stderr).split('\n')[0] ?? ''}|${String(r.code)}`;

const FILTERS: readonly string[] = [
  'dangling=true', 'dangling=false', 'dangling=x', 'dangling!=true', 'intermediate=true', 'intermediate=false',
  'reference=busybox', 'reference=localhost/busybox', 'reference=*box', 'reference=localhost/*', 'reference=two:latest',
  'reference=busy*:lat*', 'reference!=busybox', 'reference=nomatch', 'before=localhost/two', 'since=localhost/busybox',
  'after=localhost/busybox', 'before=nosuch', 'before=', 'label=a', 'label=a=2', 'label=a=', 'label!=a', 'label=b=x',
  'containers=false', 'containers=x', 'until=1h', 'until=2000-01-01', 'until=abc', 'readonly=false', 'readonly=true',
  'digest=sha256:abc', 'foo=bar', 'label',
];

test('images --filter selects what podman selects, with and without -a, and fails alike', async (t) => {
  if (!requirePrereq(t, suite.template !== undefined, fixtureMissingReason(BUSYBOX))) return;
  const p = await pair('imgf');
  const fullId = ok(await p.podman(['images', '--no-trunc', '--format', '{{.ID}}', 'localhost/busybox']), 'busybox id').split('\n')[0]!.replace(/^sha256:/, '');
  const cases = [...FILTERS.map((f) => [f]), [`id=${fullId}`], [`id=${fullId.slice(0, 12)}`],
    ['label=a=2', 'label=a=1'], ['reference=busybox', 'reference=two'], ['dangling=true', 'dangling=1'], ['since=localhost/busybox', 'before=localhost/two']];
  for (const filters of cases) {
    for (const all of [[], ['-a']]) {
      const args = ['images', ...all, ...filters.flatMap((f) => ['--filter', f]), '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'];
      const r = await both(p, args);
      assert.equal(summary(r.rrun), summary(r.podman), `${args.join(' ')} (${JSON.stringify(r.rrun.stderr)})`);
    }
  }
});

test('images IMAGE is a reference filter, as in podman', async (t) => {
  if (!requirePrereq(t, suite.template !== undefined, fixtureMissingReason(BUSYBOX))) return;
  const p = await pair('imgarg');
  for (const args of [['busybox'], ['localhost/*'], ['nosuch'], ['busybox', 'two'], ['--filter', 'reference=two', 'busybox'], ['-a', 'two']]) {
    const r = await both(p, ['images', ...args, '--format', '{{.ID}} {{.Repository}}:{{.Tag}}']);
    assert.equal(summary(r.rrun), summary(r.podman), `images ${args.join(' ')}`);
  }
});

test('logs --since/--until/--tail/-n/-t and several containers print what podman prints', async (t) => {
  if (!requirePrereq(t, suite.template !== undefined, fixtureMissingReason(BUSYBOX))) return;
  const p = await pair('logs');
  await Promise.all(TOOLS.map(async (tool) => {
    ok(await p[tool](['run', '-d', '--name', 'lg1', BUSYBOX, 'sh', '-c', 'echo one; echo two >&2; sleep 2; echo three']), `${tool} lg1`);
    ok(await p[tool](['run', '-d', '--name', 'lg2', BUSYBOX, 'echo', 'four']), `${tool} lg2`);
    ok(await p[tool](['wait', 'lg1', 'lg2']), `${tool} wait`);
  }));
  const cases: string[][] = [
    [], ['--since', 'abc'], ['--until', 'x'], ['--since', '1.5s'], ['--until', '10m'], ['--until', '-10m'],
    ['--since', '2026-01-01'], ['--since', '1700000000'], ['--until', '2000-01-01T00:00:00Z'], ['--tail', '1'],
    ['--tail', '0'], ['--tail', '-1'], ['-n'], ['-n', '--tail', '1'], ['--since', '1.5s', '--tail', '1'],
  ];
  for (const args of cases) {
    const r = await both(p, ['logs', ...args, 'lg1']);
    assert.equal(summary(r.rrun), summary(r.podman), `logs ${args.join(' ')}`);
  }
  // Several containers: podman logs them side by side, so lines are compared sorted;
  // times and short ids differ between the stores.
  const normal = (s: string): string => s.replace(/^[0-9a-f]{12} /gm, 'ID ').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T').split('\n').sort().join('\n');
  for (const args of [[], ['-n'], ['-n', '-t'], ['-t']]) {
    const r = await both(p, ['logs', ...args, 'lg1', 'lg2']);
    assert.equal(summary(r.rrun, normal), summary(r.podman, normal), `logs ${args.join(' ')} lg1 lg2`);
  }
  for (const args of [['lg1', 'nosuch'], []]) {
    const r = await both(p, ['logs', ...args]);
    assert.equal(summary(r.rrun), summary(r.podman), `logs ${args.join(' ')}`);
  }
});

// podman 4.3 prints the lines up to --until and then goes on following without printing
// (it never exits by itself); rrun stops there. The lines are the same.
test('logs -f --until prints the lines up to that time, then rrun stops following', async (t) => {
  if (!requirePrereq(t, suite.template !== undefined, fixtureMissingReason(BUSYBOX))) return;
  const p = await pair('follow');
  for (const tool of TOOLS) ok(await p[tool](['run', '-d', '--name', 'loop', BUSYBOX, 'sh', '-c', 'while true; do echo x; sleep 0.5; done']), `${tool} loop`);
  const started = Date.now();
  const [mine, theirs] = await Promise.all([
    p.rrun(['logs', '-f', '--until', '2s', 'loop']),
    runAs(['timeout', '5', 'podman', ...storeArgs(suite.template as Template, 'follow', 'podman'), 'logs', '-f', '--until', '2s', 'loop']),
  ]);
  assert.ok(Date.now() - started < 15_000, 'rrun stopped following');
  assert.equal(theirs.code, 124, 'podman 4.3 was still following when timeout stopped it');
  const lines = (r: RunResult): number => r.stdout.split('\n').filter((l) => l === 'x').length;
  assert.equal(ok(mine, 'rrun logs -f --until').replace(/x\n/g, ''), '', 'only the container\'s lines');
  assert.ok(Math.abs(lines(mine) - lines(theirs)) <= 1, `about as many lines: rrun ${lines(mine)}, podman ${lines(theirs)}`);
  assert.ok(lines(mine) >= 3 && lines(mine) <= 8, `the lines of about 2 s: ${lines(mine)}`);
});

test('ps --sort orders and ps --size measures as podman does', async (t) => {
  if (!requirePrereq(t, suite.template !== undefined, fixtureMissingReason(BUSYBOX))) return;
  const p = await pair('ps');
  for (const tool of TOOLS) {
    const run = p[tool];
    ok(await run(['run', '-d', '--name', 'zeta', BUSYBOX, 'sh', '-c', 'head -c 5000 /dev/zero > /f']), `${tool} zeta`);
    ok(await run(['wait', 'zeta']), `${tool} wait`);
    ok(await run(['create', '--name', 'alpha', 'localhost/two', 'true']), `${tool} alpha`);
    ok(await run(['run', '-d', '--name', 'mid', BUSYBOX, 'sleep', '600']), `${tool} mid`);
  }
  for (const key of ['created', 'names', 'command', 'status', 'image', 'runningfor', 'size']) {
    const r = await both(p, ['ps', '-a', '-s', '--sort', key, '--format', '{{.Names}}']);
    assert.equal(summary(r.rrun), summary(r.podman), `--sort ${key}`);
  }
  const bad = await both(p, ['ps', '--sort', 'bogus']);
  assert.equal(summary(bad.rrun), summary(bad.podman), '--sort bogus');
  const sizes = await both(p, ['ps', '-a', '--size', '--sort', 'names', '--format', '{{.Names}} {{.Size}}']);
  assert.equal(summary(sizes.rrun), summary(sizes.podman), '{{.Size}}');
  assert.match(sizes.rrun.stdout, /^zeta 5\.\d+kB \(virtual 1\.\d+MB\)$/m, 'the written file counts');
  const table = await both(p, ['ps', '-a', '-s', '--sort', 'names']);
  const sizeColumn = (out: string): string => out.split('\n').map((l) => l.split(/ {2,}/).slice(-2).join('|')).join('\n');
  assert.equal(sizeColumn(ok(table.rrun, 'rrun ps -s')), sizeColumn(ok(table.podman, 'podman ps -s')));
});
