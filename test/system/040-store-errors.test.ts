// Damaged stores: rrun names the broken file or layer, exits 125, and leaves the file
// exactly as it found it. Each case builds a small scratch store owned by the test user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ok, rrun, runAs } from '../lib/testbed.js';

const layerId = 'f75a9aa7f657d808972afc33b15b69dc3b60f2b7fcb1310b43cb72c48653b22c';
const config = JSON.stringify({
  created: '2026-11-22T09:49:15.323443244Z',
  architecture: 'amd64',
  os: 'linux',
  config: { Cmd: ['sh'] },
  rootfs: { type: 'layers', diff_ids: [`sha256:${layerId}`] },
  history: [{ created: '2026-11-22T09:49:15.323443244Z', created_by: 'test' }],
});
const imageId = createHash('sha256').update(config).digest('hex');
const configFile = `=${Buffer.from(`sha256:${imageId}`).toString('base64')}`;
const goodLayers = JSON.stringify([{ id: layerId, created: '2026-11-22T09:49:15Z', 'diff-digest': `sha256:${layerId}`, 'diff-size': 10 }]);
const goodImages = JSON.stringify([
  {
    id: imageId,
    names: ['localhost/scratch-test:latest'],
    layer: layerId,
    'big-data-names': [`sha256:${imageId}`],
    'big-data-sizes': { [`sha256:${imageId}`]: config.length },
    created: '2026-11-22T09:49:15Z',
  },
]);

/** A scratch store: files given relative to its root, written as the test user. */
async function scratchStore(files: Record<string, string>): Promise<string> {
  const root = ok(await runAs(['mktemp', '-d']), 'mktemp').trim();
  for (const [rel, content] of Object.entries(files)) {
    ok(await runAs(['sh', '-c', 'mkdir -p "$(dirname "$0")" && cat > "$0"', `${root}/${rel}`], { input: content }), `write ${rel}`);
  }
  return root;
}

function storeArgs(root: string): string[] {
  return ['--root', root, '--runroot', `${root}/run`, '--storage-driver', 'overlay'];
}

async function sha(path: string): Promise<string> {
  return ok(await runAs(['sha256sum', path]), 'sha256sum').split(' ')[0] ?? '';
}

const base = {
  'overlay-layers/layers.lock': '',
  'overlay-images/images.lock': '',
  [`overlay-images/${imageId}/${configFile}`]: config,
};

test('the scratch store is valid when nothing is broken (control case)', async () => {
  const root = await scratchStore({ ...base, 'overlay-layers/layers.json': goodLayers, 'overlay-images/images.json': goodImages, [`overlay/${layerId}/diff/.keep`]: '' });
  const list = JSON.parse(ok(await rrun([...storeArgs(root), 'images', '--format', 'json']), 'images')) as { Id: string }[];
  assert.deepEqual(list.map((e) => e.Id), [imageId]);
  ok(await rrun([...storeArgs(root), 'image', 'inspect', 'scratch-test']), 'inspect');
  await runAs(['rm', '-rf', root]);
});

const broken: { name: string; file: string; content: string; expect: RegExp }[] = [
  { name: 'truncated images.json', file: 'overlay-images/images.json', content: goodImages.slice(0, 60), expect: /images\.json/ },
  { name: 'images.json with a wrong type', file: 'overlay-images/images.json', content: goodImages.replace('"layer":', '"layer":1,"x":'), expect: /images\.json.*"layer"/ },
  { name: 'truncated layers.json', file: 'overlay-layers/layers.json', content: goodLayers.slice(0, 30), expect: /layers\.json/ },
  { name: 'layers.json with a wrong type', file: 'overlay-layers/layers.json', content: goodLayers.replace('"diff-size":10', '"diff-size":"10"'), expect: /layers\.json.*"diff-size"/ },
];

for (const c of broken) {
  test(`${c.name}: clear error naming the file, exit 125, file untouched`, async () => {
    const files = { ...base, 'overlay-layers/layers.json': goodLayers, 'overlay-images/images.json': goodImages, [c.file]: c.content };
    const root = await scratchStore(files);
    const before = await sha(`${root}/${c.file}`);
    for (const args of [['images'], ['image', 'inspect', 'scratch-test']]) {
      const r = await rrun([...storeArgs(root), ...args]);
      assert.equal(r.code, 125, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, c.expect);
      assert.ok(r.stderr.includes(`${root}/${c.file}`), `error names the file: ${r.stderr}`);
    }
    assert.equal(await sha(`${root}/${c.file}`), before);
    await runAs(['rm', '-rf', root]);
  });
}

test('a missing layer directory is reported with the layer id', async () => {
  const root = await scratchStore({ ...base, 'overlay-layers/layers.json': goodLayers, 'overlay-images/images.json': goodImages });
  const r = await rrun([...storeArgs(root), 'image', 'inspect', 'scratch-test']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, new RegExp(`layer ${layerId}`));
  assert.match(r.stderr, /is missing/);
  await runAs(['rm', '-rf', root]);
});

test('a layer record missing from layers.json is reported with its id', async () => {
  const root = await scratchStore({ ...base, 'overlay-layers/layers.json': '[]', 'overlay-images/images.json': goodImages });
  const r = await rrun([...storeArgs(root), 'images']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, new RegExp(`layer ${layerId} of ${imageId} is not in .*layers\\.json`));
  await runAs(['rm', '-rf', root]);
});
