import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isParentOf, repoDigests, repoTags, splitName } from '../../src/image/catalog.js';
import type { ImageConfig } from '../../oci/image.js';

const h = (created: string, by: string, empty = false) => ({ created, created_by: by, ...(empty ? { empty_layer: true } : {}) });
const base: ImageConfig = { rootfs: { type: 'layers', diff_ids: ['sha256:a'] }, history: [h('2026-01-01T00:00:00.1Z', 'ADD')] };

test('parent: shared diff ids and one more history entry', () => {
  const child: ImageConfig = { rootfs: { type: 'layers', diff_ids: ['sha256:a', 'sha256:b'] }, history: [...(base.history ?? []), h('2026-01-01T00:00:01Z', 'RUN x')] };
  assert.ok(isParentOf(base, child));
  const label: ImageConfig = { rootfs: base.rootfs, history: [...(base.history ?? []), h('2026-01-01T00:00:02Z', 'LABEL', true)] };
  assert.ok(isParentOf(base, label), 'empty-layer child on the same top layer');
  assert.ok(!isParentOf(child, base));
  const grandchild: ImageConfig = { rootfs: child.rootfs, history: [...(child.history ?? []), h('x', 'y'), h('x', 'z')] };
  assert.ok(!isParentOf(base, grandchild), 'two history entries more is not a child');
});

test('parent: history timestamps compare at nanosecond precision', () => {
  const a: ImageConfig = { rootfs: base.rootfs, history: [h('2026-01-01T00:00:00.123456789Z', 'ADD')] };
  const b: ImageConfig = { rootfs: base.rootfs, history: [h('2026-01-01T00:00:00.123456788Z', 'ADD'), h('2026-01-02T00:00:00Z', 'X')] };
  assert.ok(!isParentOf(a, b));
  const c: ImageConfig = { rootfs: base.rootfs, history: [h('2026-01-01T01:00:00.123456789+01:00', 'ADD'), h('2026-01-02T00:00:00Z', 'X')] };
  assert.ok(isParentOf(a, c), 'same instant in another zone');
});

test('names: tags and digests', () => {
  assert.deepEqual(splitName('localhost:5000/a/b:t'), { repo: 'localhost:5000/a/b', tag: 't' });
  assert.deepEqual(splitName('localhost:5000/a/b'), { repo: 'localhost:5000/a/b' });
  assert.deepEqual(splitName('x/y@sha256:ab'), { repo: 'x/y', digest: 'sha256:ab' });
  const img = {
    id: 'i', digest: 'sha256:d1', names: ['localhost/m:1', 'x/y@sha256:d2'],
    'big-data-names': ['manifest-sha256:d2', 'manifest'], 'big-data-digests': { 'manifest-sha256:d2': 'sha256:d2', manifest: 'sha256:d1' },
  };
  assert.deepEqual(repoTags(img), ['localhost/m:1']);
  assert.deepEqual(repoDigests(img), ['localhost/m@sha256:d1', 'localhost/m@sha256:d2', 'x/y@sha256:d1', 'x/y@sha256:d2']);
});
