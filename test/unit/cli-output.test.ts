import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goJson, humanDuration, humanSize, renderTable } from '../../src/cli/output.js';

test('humanSize matches go-units (values seen in podman images)', () => {
  const rows: [number, string][] = [
    [0, '0 B'], [999, '999 B'], [1000, '1 kB'], [1997907, '2 MB'], [2010384, '2.01 MB'],
    [123_456_789, '123 MB'], [369_000_000, '369 MB'], [1_500_000_000, '1.5 GB'],
  ];
  for (const [n, want] of rows) assert.equal(humanSize(n), want, String(n));
});

test('humanDuration matches go-units', () => {
  const rows: [number, string][] = [
    [0.4, 'Less than a second'], [1, '1 second'], [9, '9 seconds'], [59, '59 seconds'], [60, 'About a minute'],
    [150, '3 minutes'], [3600, 'About an hour'], [7200, '2 hours'], [3 * 86400, '3 days'], [30 * 86400, '4 weeks'],
    [90 * 86400, '3 months'], [800 * 86400, '2 years'],
  ];
  for (const [s, want] of rows) assert.equal(humanDuration(s), want, String(s));
});

test('renderTable pads like Go tabwriter(minwidth 12, padding 2)', () => {
  const out = renderTable([
    ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
    ['localhost/busybox', 'latest', '6ebf408a982a', 'Less than a second ago', '2 MB'],
  ]);
  assert.equal(
    out,
    'REPOSITORY         TAG         IMAGE ID      CREATED                 SIZE\n' +
      'localhost/busybox  latest      6ebf408a982a  Less than a second ago  2 MB\n',
  );
});

test('goJson escapes HTML characters as Go does', () => {
  assert.equal(goJson({ a: '<&>' }), '{\n    "a": "\\u003c\\u0026\\u003e"\n}\n');
});
