import { test } from 'node:test';
import assert from 'node:assert/strict';
import { command, flag, number, option, positional, string } from 'cmd-ts';
import { attachShortValues, valuedShorts } from '../../src/cli/cmd.js';
import { presplit } from '../../src/cli/commands/run.js';
import { parseEnvFile, parseTmpfs, parseVolume, resolveEnvArg } from '../../src/runtime/volumes.js';
import { tmpfsMount } from '../../src/runtime/spec-plan.js';
import { MS } from '../../helpers/protocol.js';

// The cases cmd-ts gets wrong without the pre-split (deps.md §6).
const splits: [string[], string[]][] = [
  [['alpine', 'echo', 'hi'], ['alpine', '--', 'echo', 'hi']],
  [['--rm', '-e', 'A=1', '--name', 'c1', 'alpine', 'ls', '-la', '--color'], ['--rm', '-e', 'A=1', '--name', 'c1', 'alpine', '--', 'ls', '-la', '--color']],
  [['node', 'npm', '--version'], ['node', '--', 'npm', '--version']],
  [['alpine', '--rm'], ['alpine', '--', '--rm']],
  [['-e', 'FOO=1', 'alpine', 'env', '-e', 'BAR'], ['-e', 'FOO=1', 'alpine', '--', 'env', '-e', 'BAR']],
  [['alpine', '--help'], ['alpine', '--', '--help']],
  [['--env=A=1', '-v', '/a:/b', 'img'], ['--env=A=1', '-v', '/a:/b', 'img', '--']],
  [['--rm', '--', 'img', 'x'], ['--rm', '--', 'img', 'x']],
];
for (const [argv, want] of splits) {
  test(`pre-split ${argv.join(' ')}`, () => assert.deepEqual(presplit(argv), want));
}

test('-v: host:ctr[:opts]', () => {
  assert.deepEqual(parseVolume('/h:/c'), { source: '/h', destination: '/c', readonly: false });
  assert.deepEqual(parseVolume('/h:/c:ro,z'), { source: '/h', destination: '/c', readonly: true });
  assert.throws(() => parseVolume('./rel:/c'), /not an absolute host path/);
  assert.throws(() => parseVolume('/h:rel'), /must be an absolute path/);
  assert.throws(() => parseVolume('/h:/c:bogus'), /invalid option type "bogus"/);
  assert.throws(() => parseVolume('/a:/b:ro:x'), /expected HOST-DIR:CONTAINER-DIR/);
});

test('--tmpfs and its options become flags and data', () => {
  assert.deepEqual(parseTmpfs('/t:size=1m,ro'), { destination: '/t', options: ['size=1m', 'ro'] });
  const m = tmpfsMount('/t', ['nosuid', 'ro', 'size=1m', 'mode=1777']);
  assert.equal(m.flags, MS.NOSUID | MS.RDONLY);
  assert.equal(m.data, 'size=1m,mode=1777');
  assert.throws(() => tmpfsMount('/t', ['weird']), /invalid tmpfs option "weird"/);
  assert.throws(() => parseTmpfs('t'), /must be absolute/);
});

test('-e and --env-file', () => {
  assert.deepEqual(resolveEnvArg('A=1', {}), ['A=1']);
  assert.deepEqual(resolveEnvArg('HOME', { HOME: '/h' }), ['HOME=/h']);
  assert.deepEqual(resolveEnvArg('UNSET', {}), []);
  assert.throws(() => resolveEnvArg('=x', {}), /empty name/);
  assert.deepEqual(parseEnvFile('# c\nA=1\n\n  B=2\r\nC\n', { C: '3' }), ['A=1', 'B=2', 'C=3']);
});

test("a valued short option's value may be attached, as pflag allows (`-t0`, `-n=5`)", () => {
  const cmd = command({
    name: 'x',
    args: {
      time: option({ long: 'time', short: 't', type: number, defaultValue: () => 10 }),
      force: flag({ long: 'force', short: 'f' }),
      names: positional({ type: string }),
    },
    handler: () => 0,
  });
  const valued = valuedShorts(cmd.helpTopics().map((t) => t.usage));
  assert.deepEqual([...valued], ['t']);
  const table: [string[], string[]][] = [
    [['-t0', 'c'], ['-t', '0', 'c']],
    [['-t=5', 'c'], ['-t', '5', 'c']],
    [['-t', '3', '-f', 'c'], ['-t', '3', '-f', 'c']],
    [['-fc'], ['-fc']], // not valued: left to cmd-ts
    [['--time=2', 'c'], ['--time=2', 'c']],
    [['c', '--', '-t0'], ['c', '--', '-t0']], // after `--` (run's pre-split puts it after IMAGE) nothing changes
  ];
  for (const [input, want] of table) assert.deepEqual(attachShortValues(input, valued), want, input.join(' '));
});
