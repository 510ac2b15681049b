// image prune, system prune, system df and rmi -a against podman 4.3: each test gets
// twin copies of a small template store (test/lib/store-pair.ts), makes the same
// containers and volumes in each (rrun's in its copy, podman's in the other), runs the
// same command with each tool and compares what they print and what is left. Image ids
// are equal in both copies; container ids are not, so those are compared by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ok, fixtureMissingReason, podman, requirePrereq, type RunResult } from '../lib/testbed.js';
import { storeArgs, twinStoreSuite, TOOLS, type StoreRun, type Template, type Tool } from '../lib/store-pair.js';

const BUSYBOX = 'localhost/busybox:latest';
const suite = twinStoreSuite(BUSYBOX);
const pair = (name: string): Promise<Record<Tool, StoreRun>> => suite.pair(name);

/** The same command in both stores, at the same time. */
async function both(p: Record<Tool, StoreRun>, args: string[], input?: string): Promise<Record<Tool, RunResult>> {
  const opts = input === undefined ? {} : { input };
  const [rrun, podman] = await Promise.all([p.rrun(args, opts), p.podman(args, opts)]);
  return { rrun, podman };
}

/** podman's first error line (rrun adds a Hint line below its own). */
const firstLines = (r: RunResult): string => `${r.stdout}|${r.stderr.split('\n')[0] ?? ''}|${String(r.code)}`;

/** Both tools printed the same and exited alike; returns the shared stdout. */
function same(r: Record<Tool, RunResult>, what: string, normalize: (s: string) => string = (s) => s): string {
  // Messages that name the program (`podman image prune` takes no arguments).
  const mine = firstLines(r.rrun).replaceAll('`rrun ', '`podman ');
  assert.equal(normalize(mine), normalize(firstLines(r.podman)), what);
  return r.rrun.stdout;
}

const imageIds = async (p: Record<Tool, StoreRun>): Promise<string> =>
  same(await both(p, ['images', '-a', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}']), 'images -a');

/** c1 created on two, c2 ran and wrote 5000 bytes into its layer and 3000 into volume vol1, c3 running, vol2 unused. */
async function populate(p: Record<Tool, StoreRun>): Promise<void> {
  for (const tool of TOOLS) {
    const run = p[tool];
    ok(await run(['create', '--name', 'c1', 'localhost/two', 'true']), `${tool} create c1`);
    ok(await run(['run', '-d', '--name', 'c2', '-v', 'vol1:/data', BUSYBOX, 'sh', '-c', 'head -c 5000 /dev/zero > /f; head -c 3000 /dev/zero > /data/x']), `${tool} run c2`);
    ok(await run(['wait', 'c2']), `${tool} wait c2`);
    ok(await run(['run', '-d', '--name', 'c3', BUSYBOX, 'sleep', '600']), `${tool} run c3`);
    ok(await run(['volume', 'create', 'vol2']), `${tool} volume create`);
  }
}

/** Full container ids → names, so outputs listing ids can be compared across stores. */
async function idsToNames(run: StoreRun): Promise<(s: string) => string> {
  const lines = ok(await run(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}}']), 'ps').trim().split('\n');
  const map = new Map(lines.map((l) => l.split(' ') as [string, string]));
  return (s) => s.replace(/\b[0-9a-f]{64}\b/g, (id) => map.get(id) ?? id);
}

test('image prune: the prompt, dangling images in rounds, -a, --filter, as podman', async (t) => {
  if (!requirePrereq(t, suite.template !== undefined, fixtureMissingReason(BUSYBOX))) return;
  const p = await pair('iprune');
  for (const tool of TOOLS) ok(await p[tool](['create', '--name', 'c1', 'localhost/two', 'true']), `${tool} create`);
  const before = await imageIds(p);
  same(await both(p, ['image', 'prune'], 'n\n'), 'answer n');
  same(await both(p, ['image', 'prune', '-a'], ''), 'stdin at its end');
  assert.equal(await imageIds(p), before, 'nothing removed without a yes');
  same(await both(p, ['image', 'prune', 'extra', '-f']), 'an argument');
  same(await both(p, ['image', 'prune', '-f', '--filter', 'bogus=1']), 'a bad filter');
  assert.equal(same(await both(p, ['image', 'prune', '-f', '--filter', 'label=a=2']), 'label=a=2'), '', 'two\'s chain is not dangling');
  const pruned = same(await both(p, ['image', 'prune', '-f', '--filter', 'label=a=1']), 'label=a=1');
  assert.equal(pruned.trim().split('\n').length, 2, `the dangling image, then its parent: ${pruned}`);
  same(await both(p, ['image', 'prune', '-f']), 'nothing dangling is left');
  const all = same(await both(p, ['image', 'prune', '-a', '-f'], 'y\n'), '-a');
  assert.equal(all.trim().split('\n').length, 3, `busybox and two's intermediates go, two stays for c1: ${all}`);
  const left = await imageIds(p);
  assert.match(left, /localhost\/two:latest/);
  assert.doesNotMatch(left, /busybox/);
});

test('system df: the summary, -v and --format, as podman', async (t) => {
  if (!requirePrereq(t, suite.template !== undefined, fixtureMissingReason(BUSYBOX))) return;
  const p = await pair('df');
  await populate(p);
  same(await both(p, ['system', 'df']), 'system df');
  same(await both(p, ['system', 'df', '--format', '{{.Type}}|{{.Total}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}']), '--format');
  same(await both(p, ['system', 'df', '--format', 'table {{.Type}} {{.Reclaimable}}']), 'table format');
  const verbose = await both(p, ['system', 'df', '-v']);
  // CREATED columns depend on when each tool ran, container ids on the store: cells are compared without them.
  const cells = (out: string): string[] => {
    const sections = out.split(/\n(?=\S[^\n]* space usage:)/);
    return sections.flatMap((section) => {
      const [title, , head, ...rows] = section.trim().split('\n');
      const columns = (head ?? '').split(/ {2,}/);
      const keep = (row: string): string => row.split(/ {2,}/).filter((_, i) => !['CREATED', 'CONTAINER ID'].includes(columns[i] ?? '')).join('|');
      return [title ?? '', keep(head ?? ''), ...rows.map(keep).sort()];
    });
  };
  assert.deepEqual(cells(ok(verbose.rrun, 'rrun df -v')), cells(ok(verbose.podman, 'podman df -v')));
  // podman 4.3 prints the verbose tables whatever --format says.
  const withFormat = await both(p, ['system', 'df', '-v', '--format', 'json']);
  assert.deepEqual(cells(ok(withFormat.rrun, 'rrun df -v --format json')), cells(ok(withFormat.podman, 'podman df -v --format json')));
  // The known difference: podman counts only its own containers. On rrun's copy it lists
  // none, yet counts rrun's containers as users of their images (they are in containers.json).
  const mine = ok(await p.rrun(['system', 'df']), 'rrun df').split('\n');
  const theirs = ok(await podman([...storeArgs(suite.template as Template, 'df', 'rrun', 'podman'), 'system', 'df']), 'podman df on rrun\'s store').split('\n');
  assert.equal(theirs[1], mine[1], 'Images: the same, rrun\'s containers keep theirs active');
  assert.match(theirs[2] ?? '', /^Containers +0 +0 +0B +0B \(0%\)$/);
  assert.match(mine[2] ?? '', /^Containers +3 +1 /);
});

test('system prune: prompt, sections, reclaimed space, --volumes and -a, as podman', async (t) => {
  if (!requirePrereq(t, suite.template !== undefined, fixtureMissingReason(BUSYBOX))) return;
  const p = await pair('sprune');
  await populate(p);
  same(await both(p, ['system', 'prune', '--volumes'], 'n\n'), 'answer n');
  same(await both(p, ['system', 'prune', '-a'], ''), 'stdin at its end');
  const names = { rrun: await idsToNames(p.rrun), podman: await idsToNames(p.podman) };
  const r = await both(p, ['system', 'prune', '-f', '--volumes']);
  // Containers go in each tool's own order: compare the sections with sorted lines.
  const sorted = (tool: Tool): string => names[tool](ok(r[tool], `${tool} system prune`)).split('\n').sort().join('\n');
  assert.equal(sorted('rrun'), sorted('podman'));
  assert.match(r.rrun.stdout, /^Deleted Containers\n/);
  assert.match(r.rrun.stdout, /\nDeleted Volumes\nvol1\nvol2\nDeleted Images\n/);
  same(await both(p, ['system', 'prune', '-f']), 'again: nothing');
  same(await both(p, ['system', 'prune', '-a', '-f']), '-a');
  same(await both(p, ['ps', '--format', '{{.Names}}']), 'c3 is still running');
  const left = await imageIds(p);
  assert.match(left, /localhost\/busybox:latest/, 'c3\'s image stays');
  assert.doesNotMatch(left, /two|<none>/);
});

test('system prune --filter: label= and until= narrow each prune, as podman', async (t) => {
  if (!requirePrereq(t, suite.template !== undefined, fixtureMissingReason(BUSYBOX))) return;
  const p = await pair('fprune');
  for (const tool of TOOLS) {
    ok(await p[tool](['create', '--name', 'new', BUSYBOX, 'true']), `${tool} create`);
    ok(await p[tool](['volume', 'create', '--label', 'x=1', 'vl']), `${tool} vl`);
    ok(await p[tool](['volume', 'create', 'vn']), `${tool} vn`);
  }
  for (const args of [['--filter', 'dangling=true'], ['--filter', 'until=abc']]) {
    same(await both(p, ['system', 'prune', '-f', ...args]), `bad: ${args.join(' ')}`);
  }
  same(await both(p, ['ps', '-a', '--format', '{{.Names}}']), 'a bad filter removes nothing');
  assert.equal(same(await both(p, ['system', 'prune', '-f', '--volumes', '--filter', 'label=x=1']), 'label=x=1'),
    'Deleted Volumes\nvl\nTotal reclaimed space: 0B\n', 'only the labelled volume; containers and images have no label x');
  same(await both(p, ['system', 'prune', '-f', '--volumes', '--filter', 'until=1h']), 'until=1h: everything is newer');
  const all = same(await both(p, ['system', 'prune', '-a', '-f', '--filter', 'label=a=2']), '-a label=a=2');
  assert.match(all, /^Deleted Images\n(?:[0-9a-f]{64}\n){3}Total/, 'two and its intermediates');
  same(await both(p, ['ps', '-a', '--format', '{{.Names}}']), 'the container without a label stays');
  await imageIds(p);
  // Volumes refuse label!= only when their turn comes: the containers are gone by then.
  same(await both(p, ['system', 'prune', '-f', '--volumes', '--filter', 'label!=x']), 'label!= with --volumes');
  assert.equal(same(await both(p, ['ps', '-a', '--format', '{{.Names}}']), 'after label!='), '');
});

test('rmi -a, -i, and rmi of a chain, as podman (podman reads rrun\'s store after)', async (t) => {
  if (!requirePrereq(t, suite.template !== undefined, fixtureMissingReason(BUSYBOX))) return;
  const a = await pair('rmi');
  same(await both(a, ['rmi', '-i', 'nosuch']), '-i');
  same(await both(a, ['rmi', 'nosuch']), 'missing');
  same(await both(a, ['rmi', '-a', 'localhost/two']), '-a with a name');
  same(await both(a, ['rmi', 'localhost/busybox', 'localhost/alias:1']), 'the last name of an image with children');
  same(await both(a, ['rmi', 'localhost/two']), 'two and its dangling parents');
  await imageIds(a);
  const b = await pair('rmia');
  for (const tool of TOOLS) ok(await b[tool](['create', '--name', 'c1', 'localhost/two', 'true']), `${tool} create`);
  same(await both(b, ['rmi', '-a']), 'rmi -a with an image in use', (s) => s.replace(/image used by [0-9a-f]+/, 'image used by X'));
  await imageIds(b);
  for (const tool of TOOLS) ok(await b[tool](['rm', 'c1']), `${tool} rm`);
  same(await both(b, ['rmi', '-a']), 'rmi -a');
  assert.equal(await imageIds(b), '');
});

test('rmi -f removes the containers that use the image, as podman', async (t) => {
  if (!requirePrereq(t, suite.template !== undefined, fixtureMissingReason(BUSYBOX))) return;
  const p = await pair('rmif');
  for (const tool of TOOLS) {
    ok(await p[tool](['create', '--name', 'f1', 'localhost/two', 'true']), `${tool} create`);
    ok(await p[tool](['run', '--name', 'f2', 'localhost/two', 'true']), `${tool} run`);
    ok(await p[tool](['create', '--name', 'f3', BUSYBOX, 'true']), `${tool} create f3`);
  }
  same(await both(p, ['rmi', 'localhost/two']), 'in use', (s) => s.replace(/image used by [0-9a-f]+/, 'image used by X'));
  same(await both(p, ['rmi', '-f', 'localhost/two']), '-f');
  same(await both(p, ['ps', '-a', '--format', '{{.Names}}']), 'f1 and f2 are gone, f3 stays');
  await imageIds(p);
});

test('container prune: the question, then the ids of the stopped containers, as podman', async (t) => {
  if (!requirePrereq(t, suite.template !== undefined, fixtureMissingReason(BUSYBOX))) return;
  const p = await pair('cprune');
  for (const tool of TOOLS) {
    ok(await p[tool](['create', '--name', 'p1', BUSYBOX, 'true']), `${tool} create`);
    ok(await p[tool](['run', '--name', 'p2', BUSYBOX, 'true']), `${tool} run`);
  }
  same(await both(p, ['container', 'prune'], 'n\n'), 'answer n');
  same(await both(p, ['container', 'prune'], ''), 'stdin at its end');
  const names = { rrun: await idsToNames(p.rrun), podman: await idsToNames(p.podman) };
  const r = await both(p, ['container', 'prune'], 'y\n');
  // After the question (same in both), each tool's own order: compared sorted.
  const listed = (tool: Tool): string => names[tool](ok(r[tool], `${tool} container prune`)).replace(/^[\s\S]*\[y\/N\] /, '').trim().split('\n').sort().join(' ');
  assert.equal(listed('rrun'), listed('podman'));
  assert.equal(listed('rrun'), 'p1 p2');
  assert.equal(r.rrun.stdout.split('[y/N] ')[0], r.podman.stdout.split('[y/N] ')[0]);
});
