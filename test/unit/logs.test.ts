// k8s-file log records: parsing, partial lines, --tail, --timestamps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayTime, formatRecord, inWindow, parseLog, tailRecords } from '../../src/api/logs.js';

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

test('--timestamps prefixes the record time as Go prints RFC3339Nano', () => {
  const [first] = parseLog(`${log}\n`).records;
  assert.equal(formatRecord(first!, true), '2026-01-01T00:00:00.1Z one\n');
  assert.equal(formatRecord(first!, true, 'web '), 'web 2026-01-01T00:00:00.1Z one\n');
  const table: [string, string][] = [
    ['2026-11-22T12:41:38.159444372+00:00', '2026-11-22T12:41:38.159444372Z'],
    ['2026-11-22T12:41:38.159444300+00:00', '2026-11-22T12:41:38.1594443Z'],
    ['2026-11-22T12:41:38.000000000+02:00', '2026-11-22T12:41:38+02:00'],
    ['2026-11-22T12:41:38Z', '2026-11-22T12:41:38Z'],
    ['garbage', 'garbage'],
  ];
  for (const [raw, shown] of table) assert.equal(displayTime(raw), shown, raw);
});

test('--since/--until keep the records inside the window, ends included', () => {
  const records = parseLog(`${log}\n`).records;
  const at = (tenths: number): bigint => (1767225600n * 10n + BigInt(tenths)) * 100_000_000n;
  const table: [bigint | undefined, bigint | undefined, string[]][] = [
    [undefined, undefined, ['one', 'two', 'par', 't three', '', 'incompl']],
    [at(2), undefined, ['two', 'par', 't three', '', 'incompl']],
    [undefined, at(2), ['one', 'two']],
    [at(2), at(3), ['two', 'par']],
    [at(9), undefined, []],
  ];
  for (const [since, until, want] of table) assert.deepEqual(inWindow(records, since, until).map((r) => r.text), want, `${since}..${until}`);
});
