// k8s-file log records: parsing, partial lines, --tail, --timestamps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRecord, parseLog, tailRecords } from '../../src/api/logs.js';

const log = [
  '2026-01-01T00:00:00.1+00:00 stdout F one',
  '2026-01-01T00:00:00.2+00:00 stderr F two',
  '2026-01-01T00:00:00.3+00:00 stdout P par',
  '2026-01-01T00:00:00.4+00:00 stdout F t three',
  '2026-01-01T00:00:00.5+00:00 stdout F ',
  '2026-01-01T00:00:00.6+00:00 stdout F incompl',
].join('\n');

test('records keep order and streams; an unfinished last line waits', () => {
  const { records, rest } = parseLog(log);
  assert.deepEqual(records.map((r) => [r.stream, r.partial, r.text]), [
    ['stdout', false, 'one'], ['stderr', false, 'two'], ['stdout', true, 'par'], ['stdout', false, 't three'], ['stdout', false, ''],
  ]);
  assert.equal(rest, '2026-01-01T00:00:00.6+00:00 stdout F incompl');
});

test('partial records join the next one without a newline', () => {
  const text = parseLog(`${log}\n`).records.map((r) => formatRecord(r, false)).join('');
  assert.equal(text, 'one\ntwo\npart three\n\nincompl\n');
});

test('--tail counts lines, keeping the pieces of a split line together', () => {
  const { records } = parseLog(`${log}\n`);
  assert.deepEqual(tailRecords(records, 3).map((r) => r.text), ['par', 't three', '', 'incompl']);
  assert.deepEqual(tailRecords(records, 0), []);
  assert.equal(tailRecords(records, -1).length, records.length);
  assert.equal(tailRecords(records, 100).length, records.length);
});

test('--timestamps prefixes the record time', () => {
  const [first] = parseLog(`${log}\n`).records;
  assert.equal(formatRecord(first!, true), '2026-01-01T00:00:00.1+00:00 one\n');
});
