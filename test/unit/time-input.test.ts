// Times as podman accepts them from users (logs --since/--until, until= filters).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration, parseInputTime } from '../../oci/time-input.js';

const S = 1_000_000_000n;
const NOW = 1_800_000_000n * S;

test('Go durations', () => {
  const table: [string, number | undefined][] = [
    ['10m', 600e9], ['1h30m', 5400e9], ['1.5h', 5400e9], ['-10m', -600e9], ['300ms', 300e6], ['2us', 2000], ['0', 0],
    ['', undefined], ['10', undefined], ['abc', undefined], ['1d', undefined], ['m', undefined],
  ];
  for (const [text, want] of table) assert.equal(parseGoDuration(text), want, text);
});

test('input times: timestamps, dates, unix seconds, durations', () => {
  const table: [string, bigint | undefined][] = [
    ['2026-01-01T00:00:00Z', 1767225600n * S],
    ['2026-01-01T00:00:00.5Z', 1767225600n * S + 500_000_000n],
    ['2026-01-01T01:00:00+01:00', 1767225600n * S],
    ['2026-01-01T00:00:00', 1767225600n * S],
    ['2026-01-01', 1767225600n * S],
    ['2026-01-01Z', 1767225600n * S],
    ['1767225600', 1767225600n * S],
    ['1767225600.25', 1767225600n * S + 250_000_000n],
    ['10m', NOW - 600n * S],
    ['abc', undefined],
    ['2026-13-01', undefined],
  ];
  for (const [text, want] of table) assert.equal(parseInputTime(text, NOW), want, text);
  assert.equal(parseInputTime('10m', NOW, 'future'), NOW + 600n * S, 'logs --until adds a duration, as podman does');
});
