import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageSchema, layerSchema, parseRecords, type LayerRecord } from '../../storage/records.js';
import { bigDataFileName } from '../../storage/paths.js';

const id = 'f75a9aa7f657d808972afc33b15b69dc3b60f2b7fcb1310b43cb72c48653b22c';

test('records: a real podman layers.json line parses and keeps unknown fields', () => {
  const text = `[{"id":"${id}","created":"2026-11-22T09:49:15.530726205Z","compressed-diff-digest":"sha256:${id}","compressed-size":1996800,"diff-digest":"sha256:${id}","diff-size":1996800,"uidset":[0],"gidset":[0],"future-field":{"x":1}}]`;
  const [layer] = parseRecords<LayerRecord>('layers.json', text, layerSchema);
  assert.equal(layer?.['diff-size'], 1996800);
  assert.deepEqual(layer?.['future-field'], { x: 1 });
});

test('records: empty file is an empty store, as c/storage reads it', () => {
  assert.deepEqual(parseRecords('layers.json', '', layerSchema), []);
});

const bad: [string, string, RegExp][] = [
  ['truncated', `[{"id":"${id}","names":["a"`, /images\.json.*JSON/],
  ['not an array', `{"id":"${id}"}`, /expected a JSON array/],
  ['record not an object', `[1]`, /record 0 is not an object/],
  ['names not strings', `[{"id":"${id}","names":[1]}]`, /field "names" must be strings/],
  ['layer not a string', `[{"id":"${id}","layer":7}]`, /field "layer" must be string/],
  ['bad sizes map', `[{"id":"${id}","big-data-sizes":{"a":"1"}}]`, /field "big-data-sizes"/],
  ['short id', `[{"id":"abc"}]`, /64 lowercase hex/],
];
for (const [name, text, re] of bad) {
  test(`records: ${name} → ERR_STORE_CORRUPT naming the file`, () => {
    assert.throws(() => parseRecords('/s/overlay-images/images.json', text, imageSchema), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_STORE_CORRUPT');
      assert.match(err.message, /\/s\/overlay-images\/images\.json/);
      assert.match(err.message, re);
      return true;
    });
  });
}

test('big-data file names as podman writes them', () => {
  assert.equal(bigDataFileName('manifest'), 'manifest');
  assert.equal(
    bigDataFileName('sha256:6ebf408a982a03e648238c429a81d1c3a52593462d70f572615bece13e4ae46f'),
    '=c2hhMjU2OjZlYmY0MDhhOTgyYTAzZTY0ODIzOGM0MjlhODFkMWMzYTUyNTkzNDYyZDcwZjU3MjYxNWJlY2UxM2U0YWU0NmY=',
  );
  assert.equal(
    bigDataFileName('manifest-sha256:bbb241f0d6a40ac986e9b4f9885c666a0556f5a9bb49def0da3c5fa35e2d71ce'),
    '=bWFuaWZlc3Qtc2hhMjU2OmJiYjI0MWYwZDZhNDBhYzk4NmU5YjRmOTg4NWM2NjZhMDU1NmY1YTliYjQ5ZGVmMGRhM2M1ZmEzNWUyZDcxY2U=',
  );
});
