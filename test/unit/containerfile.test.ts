// Containerfile parsing, ARG/ENV expansion, stage planning, .containerignore and the
// tar writer (checked by parsing its output with our tar reader).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseContainerfile } from '../../src/build/containerfile.js';
import { expandString, expandWords, keyValues } from '../../src/build/expand.js';
import { isIgnored, parseIgnore } from '../../src/build/ignore.js';
import { neededStages, planStages, targetStage } from '../../src/build/stages.js';
import { META, type MetaState } from '../../src/build/instructions.js';
import { tarHeader, padding, TAR_TRAILER } from '../../storage/tar-writer.js';
import { TarReader, type TarHeader } from '../../storage/tar-reader.js';
import { isRrunError } from '../../oci/errors.js';

test('continuations, comments, case-insensitive keywords, exec form, flags', () => {
  const text = 'from busybox AS b\n# c\nRUN echo a \\\n  # inside\n  && echo b\n\ncopy --chown=1:2 --from=b /x /y\nCMD ["sh", "-c", "x"]\nRUN [ -f x ]\n';
  const ins = parseContainerfile(text);
  assert.deepEqual(ins.map((i) => [i.keyword, i.line]), [['FROM', 1], ['RUN', 3], ['COPY', 7], ['CMD', 8], ['RUN', 9]]);
  assert.equal(ins[1]?.rest, 'echo a   && echo b');
  assert.deepEqual(ins[2]?.flags, { chown: '1:2', from: 'b' });
  assert.deepEqual(ins[3]?.json, ['sh', '-c', 'x']);
  assert.equal(ins[4]?.json, undefined, 'not JSON: shell form');
});

test('parser errors carry the line number', () => {
  const cases: [string, RegExp][] = [
    ['FROM a\nFROB x\n', /Containerfile:2: unknown instruction: FROB/],
    ['FROM a\nCOPY --bogus=1 a b\n', /Containerfile:2: COPY does not support the --bogus flag/],
    ['RUN x\n', /Containerfile:1: RUN before the first FROM/],
    ['# nothing\n', /no FROM instruction/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => planStages(parseContainerfile(text), 'Containerfile'), (e: unknown) => isRrunError(e, 'ERR_CONTAINERFILE') && re.test(e.message), text);
  }
});

test('escape directive switches the continuation character', () => {
  const ins = parseContainerfile('# escape=`\nFROM a\nRUN dir c:\\ `\n  x\n');
  assert.equal(ins[1]?.rest, 'dir c:\\   x');
});

test('variable expansion: forms, quotes, escapes', () => {
  const vars: Record<string, string> = { A: 'one', B: 'two words', E: '' };
  const l = (n: string): string | undefined => vars[n];
  assert.deepEqual(expandWords('$A ${B} "${A}x" \'$A\' \\$A ${E:-def} ${A:+alt} ${NO:-x y}', l), ['one', 'two words', 'onex', '$A', '$A', 'def', 'alt', 'x y']);
  assert.equal(expandString('/a/$A b', l), '/a/one b');
  assert.deepEqual(keyValues('K=v K2="a b" K3=$A', l, 'ENV'), [['K', 'v'], ['K2', 'a b'], ['K3', 'one']]);
  assert.deepEqual(keyValues('K legacy value', l, 'ENV'), [['K', 'legacy value']]);
});

test('ARG scoping: globals feed FROM; needed stages only', () => {
  const plan = planStages(parseContainerfile('ARG V=1\nFROM a AS one\nFROM b AS two\nCOPY --from=one /x /y\nFROM c AS three\n'), 'F');
  const globals = (n: string): string | undefined => (n === 'V' ? '1' : undefined);
  assert.deepEqual(neededStages(plan, targetStage(plan, 'two', 'F'), globals, 'F'), [0, 1]);
  assert.deepEqual(neededStages(plan, targetStage(plan, undefined, 'F'), globals, 'F'), [2]);
  assert.throws(() => targetStage(plan, 'nope', 'F'), /target stage "nope" is not defined/);
});

test('metadata instructions change the config and write buildah-style history', () => {
  const s: MetaState = { config: { Cmd: ['sh'], Env: ['PATH=/bin'] }, shell: ['/bin/sh', '-c'], cmdSet: false };
  const ins = (text: string) => parseContainerfile(`FROM x\n${text}`)[1]!;
  const l = (): undefined => undefined;
  assert.equal(META['ENV']!(s, ins('ENV A=1 B="x y"'), l, 'F'), '/bin/sh -c #(nop) ENV A=1 B="x y"');
  assert.deepEqual(s.config.Env, ['PATH=/bin', 'A=1', 'B=x y']);
  META['ENTRYPOINT']!(s, ins('ENTRYPOINT ["/e"]'), l, 'F');
  assert.equal(s.config.Cmd, undefined, 'inherited CMD dropped by ENTRYPOINT');
  META['WORKDIR']!(s, ins('WORKDIR /a'), l, 'F');
  META['WORKDIR']!(s, ins('WORKDIR b'), l, 'F');
  assert.equal(s.config.WorkingDir, '/a/b');
  META['EXPOSE']!(s, ins('EXPOSE 80 53/UDP'), l, 'F');
  assert.deepEqual(Object.keys(s.config.ExposedPorts ?? {}), ['80/tcp', '53/udp']);
  assert.throws(() => META['SHELL']!(s, ins('SHELL bash'), l, 'F'), /SHELL requires the JSON form/);
});

test('.containerignore: globs, **, directories, negation', () => {
  const rules = parseIgnore('# c\n*.log\n**/tmp\nbuild/\n!build/keep.txt\n/abs\n');
  const cases: [string, boolean][] = [
    ['a.log', true], ['d/a.log', false], ['x/y/tmp', true], ['x/y/tmp/f', true], ['build/o', true],
    ['build/keep.txt', false], ['abs/f', true], ['src/a.ts', false],
  ];
  for (const [p, want] of cases) assert.equal(isIgnored(rules, p), want, p);
});

test('tar writer output parses back (USTAR, PAX long names and xattrs)', () => {
  const long = `${'d'.repeat(120)}/file`;
  const parts = [
    tarHeader({ name: 'dir/', type: '5', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 1 }),
    tarHeader({ name: long, type: '0', mode: 0o644, uid: 1000, gid: 1000, size: 3, mtime: 2, xattrs: new Map([['user.x', Buffer.from([0, 1, 2])]]) }),
    Buffer.from('abc'), padding(3),
    tarHeader({ name: 'dir/.wh.gone', type: '0', mode: 0o600, uid: 0, gid: 0, size: 0, mtime: 3 }),
    TAR_TRAILER,
  ];
  const seen: TarHeader[] = [];
  const reader = new TarReader({ raw: () => {}, data: () => {}, entryEnd: () => {}, trailer: () => {}, entry: (h) => seen.push(h) });
  reader.write(Buffer.concat(parts));
  reader.end();
  assert.deepEqual(seen.map((h) => [h.name, h.type, h.uid, h.size]), [['dir/', '5', 0, 0], [long, '0', 1000, 3], ['dir/.wh.gone', '0', 0, 0]]);
  assert.deepEqual([...(seen[1]?.xattrs.get('user.x') ?? [])], [0, 1, 2]);
});
