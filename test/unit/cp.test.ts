// rrun cp's pure parts: podman's reading of SRC/DEST and where a copy lands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyRequest, landing, parseCopyArg, sourceName } from '../../src/copy/args.js';

test('parseCopyArg: host paths, streams and CONTAINER:PATH', () => {
  const table: [string, ReturnType<typeof parseCopyArg>][] = [
    ['/etc/x:y', { path: '/etc/x:y' }],
    ['./a:b', { path: './a:b' }],
    ['-', { path: '-' }],
    ['plain', { path: 'plain' }],
    ['ctr:/etc', { container: 'ctr', path: '/etc' }],
    ['ctr:', { container: 'ctr', path: '' }],
  ];
  for (const [arg, want] of table) assert.deepEqual(parseCopyArg(arg), want, arg);
});

test("copyRequest: direction, podman's errors", () => {
  assert.deepEqual(copyRequest('c:/a', '/tmp'), { direction: 'out', container: 'c', containerPath: '/a', hostPath: '/tmp' });
  assert.deepEqual(copyRequest('-', 'c:'), { direction: 'in', container: 'c', containerPath: '/', hostPath: '-' });
  assert.throws(() => copyRequest('a', 'b'), /name or ID cannot be empty/);
  assert.throws(() => copyRequest('a:/x', 'b:/y'), /between containers/);
});

test('landing: into a directory, over a file, as a new name; errors', () => {
  const base = { dest: '/d', parentKind: 'dir' as const, srcIsDir: true, srcName: 'src' };
  assert.deepEqual(landing({ ...base, destKind: 'dir' }), { dir: '/d', name: 'src' });
  assert.deepEqual(landing({ ...base, destKind: 'file' }), { error: 'not-dir' });
  assert.deepEqual(landing({ ...base, destKind: 'file', srcIsDir: false }), { dir: '/', name: 'd' });
  assert.deepEqual(landing({ ...base, destKind: 'none' }), { dir: '/', name: 'd' });
  assert.deepEqual(landing({ ...base, dest: '/d/', destKind: 'none' }), { error: 'not-found' });
  assert.deepEqual(landing({ ...base, destKind: 'none', parentKind: 'none' }), { error: 'not-found' });
  assert.deepEqual([sourceName('/a/b/'), sourceName('/a/.'), sourceName('/'), sourceName('f')], ['b', '.', '.', 'f']);
});
