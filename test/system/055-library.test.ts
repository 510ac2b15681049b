// rrun as a library: a Node program imports the package entry and runs a container,
// lists images and inspects one, without the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureMissingReason, hasFixture, requirePrereq, runAs, testBed } from '../lib/testbed.js';

const program = (entry: string): string => `
import { run, listImages, inspectImage, RrunError } from '${entry}';
const images = await listImages();
const bb = await inspectImage('busybox');
let out = '';
const r = await run({
  image: 'busybox', command: ['sh', '-c', 'echo hello-from-library; exit 3'], remove: true, network: 'none',
  stdio: ['ignore', 'pipe', 'inherit'],
  onStart: (h) => h.stdout?.on('data', (d) => (out += d)),
});
let missing = '';
try { await run({ image: 'no-such-image-lib', pull: 'never', remove: true }); } catch (e) { missing = e instanceof RrunError ? e.code : String(e); }
// run() starts its helper before the image is resolved: a failed run must not leave it.
const { execFileSync } = await import('node:child_process');
let helpers = '';
try { helpers = execFileSync('pgrep', ['-P', String(process.pid), '-l'], { encoding: 'utf8' }); } catch { /* pgrep: none found */ }
console.log(JSON.stringify({ n: images.length, id: bb.Id, exitCode: r.exitCode, out, missing, helpers }));
`;

test('a Node program runs a container through the library API', async (t) => {
  if (!requirePrereq(t, hasFixture('localhost/busybox:latest'), fixtureMissingReason('localhost/busybox:latest'))) return;
  const dir = (await runAs(['mktemp', '-d'])).stdout.trim();
  const file = `${dir}/use-rrun.mjs`;
  const write = await runAs(['sh', '-c', 'cat > "$0"', file], { input: program(`${testBed().repo}/dist/src/index.js`) });
  assert.equal(write.code, 0, write.stderr);
  const r = await runAs(['node', file], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { n: number; id: string; exitCode: number; out: string; missing: string; helpers: string };
  assert.ok(result.n >= 4);
  assert.match(result.id, /^[0-9a-f]{64}$/);
  assert.equal(result.exitCode, 3);
  assert.equal(result.out, 'hello-from-library\n');
  assert.equal(result.missing, 'ERR_IMAGE_NOT_FOUND');
  // pgrep lists itself as our child only while it runs; anything else is a leftover.
  assert.deepEqual(result.helpers.split('\n').filter((l) => l !== '' && !/ pgrep$/.test(l)), [], 'no helper left after a failed run');
  await runAs(['rm', '-rf', dir]);
});
