// ps --sort keys and orders (podman 4.3 as measured), ps --size's SIZE cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePsSort, sortPsEntries, type PsSortKey } from '../../src/api/ps-sort.js';
import { GO_ZERO_UNIX, type PsEntry } from '../../src/api/ps.js';
import { sizeColumn } from '../../src/format/reporters/ps.js';

const e = (name: string, id: string, created: number, state: string, command: string, image: string, size: number | null): PsEntry =>
  ({ Names: [name], Id: id, Created: created, StartedAt: state === 'created' ? GO_ZERO_UNIX : created * 10, State: state, Command: command.split(' '), Image: image, Size: size === null ? null : { rootFsSize: image.includes('debian') ? 900 : image.includes('two') ? 1003 : 1000, rwSize: size } } as unknown as PsEntry);

const list = [
  e('lg1', '7803', 1, 'exited', 'sh -c echo one', 'localhost/busybox:latest', 12),
  e('lg2', '6ca3', 2, 'exited', 'sh -c echo four', 'localhost/busybox:latest', 12),
  e('b', '0d32', 3, 'running', 'sleep 9', 'docker.io/library/debian:bookworm', 5012),
  e('a', 'ffff', 4, 'created', 'true', 'localhost/two:latest', 0),
];

const cases: [PsSortKey, string][] = [
  ['created', 'lg1 lg2 b a'],
  ['runningfor', 'a lg1 lg2 b'],
  ['id', 'b lg2 lg1 a'],
  ['names', 'a b lg1 lg2'],
  ['command', 'lg2 lg1 b a'],
  ['status', 'a lg1 lg2 b'],
  ['image', 'b lg1 lg2 a'],
  ['size', 'b lg1 lg2 a'],
];

for (const [key, want] of cases) {
  test(`ps --sort ${key}`, () => assert.equal(sortPsEntries(list, parsePsSort(key)).map((x) => x.Names[0]).join(' '), want));
}

test('--sort refuses other keys with podman\'s message', () => {
  assert.throws(() => parsePsSort('bogus'), (err: Error & { exitCode?: number }) =>
    err.message === 'invalid argument "bogus" for "--sort" flag: "bogus" is not a valid value.  Choose from: "command, created, id, image, names, runningfor, size, status"' && err.exitCode === 125);
});

test('SIZE is the writable layer, then the image layers as virtual, three digits', () => {
  assert.equal(sizeColumn({ rwSize: 12, rootFsSize: 1_985_630 }), '12B (virtual 1.99MB)');
  assert.equal(sizeColumn({ rwSize: 5012, rootFsSize: 0 }), '5.01kB (virtual 0B)');
});
