// system prune --filter: podman 4.3's keys and messages, and what passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkVolumeFilters, labelHolds, parsePruneFilters, prunable } from '../../src/api/prune-filter.js';

const S = 1_000_000_000n;
const NOW = 1_800_000_000n * S;

test('keys, values and podman\'s messages', () => {
  assert.deepEqual(parsePruneFilters(['label=x=1', 'label!=y', 'until=1h'], NOW), {
    labels: ['x=1'], notLabels: ['y'], until: NOW - 3600n * S, specs: ['label=x=1', 'label!=y', 'until=1h'],
  });
  const bad: [string[], string][] = [
    [['dangling=true'], 'dangling is an invalid filter'],
    [['foo'], 'foo is an invalid filter'],
    [['until=abc'], 'failed to parse value as time or duration: "abc"'],
  ];
  for (const [specs, message] of bad) {
    assert.throws(() => parsePruneFilters(specs, NOW), (e: Error & { exitCode?: number }) => e.message === message && e.exitCode === 125, specs.join(' '));
  }
  assert.throws(() => checkVolumeFilters(parsePruneFilters(['label!=x'], NOW)), (e: Error) => e.message === '"label!" is an invalid volume filter');
  assert.doesNotThrow(() => checkVolumeFilters(parsePruneFilters(['label=x'], NOW)));
});

test('labels and until decide what may go', () => {
  const labels = { x: '1', y: '' };
  const table: [string, boolean][] = [['x', true], ['x=1', true], ['x=2', false], ['x=', true], ['y', true], ['z', false]];
  for (const [spec, want] of table) assert.equal(labelHolds(labels, spec), want, spec);
  const f = parsePruneFilters(['label=x', 'label!=y=2', 'until=2026-01-01'], NOW);
  assert.equal(prunable(f, labels, '2025-12-31T23:59:59Z'), true);
  assert.equal(prunable(f, labels, '2026-01-01T00:00:01Z'), false, 'too new');
  assert.equal(prunable(f, {}, '2025-01-01T00:00:00Z'), false, 'no label x');
  assert.equal(prunable(f, { x: '1', y: '2' }, '2025-01-01T00:00:00Z'), false, 'label y=2 keeps it');
  assert.equal(prunable(parsePruneFilters([], NOW), {}, 'garbage'), true, 'no filters: everything');
});
