// images --filter parsing and matching (podman 4.3's keys, OR within a key, AND across
// keys, `!=`), reference candidates and Go's path.Match, on hand-made image facts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch, imagePredicate, parseImageFilters, type FilterableImage } from '../../src/api/image-filter.js';
import { referenceCandidates } from '../../src/api/image-reference-match.js';

const NOW = 1_800_000_000n * 1_000_000_000n;
const at = (secondsAgo: number): bigint => NOW - BigInt(secondsAgo) * 1_000_000_000n;
const img = (id: string, names: string[], agoS: number, more: Partial<FilterableImage> = {}): FilterableImage =>
  ({ id, names, created: at(agoS), labels: {}, dangling: false, intermediate: false, containers: 0, ...more });

const all: FilterableImage[] = [
  img('aaaa', ['localhost/busybox:latest'], 7200),
  img('bbbb', ['docker.io/library/debian:bookworm'], 3600, { containers: 2 }),
  img('cccc', [], 1800, { intermediate: true, labels: { a: '2' } }),
  img('dddd', [], 600, { dangling: true, labels: { a: '1', b: 'x' } }),
  img('eeee', ['localhost/two:latest', 'localhost/two:v2'], 60, { labels: { a: '2' } }),
];
const byName: Record<string, FilterableImage> = { busybox: all[0]!, debian: all[1]!, two: all[4]! };
const anchor = (_key: string, ref: string): bigint => {
  const found = byName[ref];
  if (found === undefined) throw new Error(`${ref}: image not known`);
  return found.created;
};

const ids = (specs: string[]): string => all.filter(imagePredicate(parseImageFilters(specs, NOW), anchor, NOW)).map((i) => i.id.slice(0, 1)).join('');

const cases: [string[], string][] = [
  [[], 'abcde'],
  [['dangling=true'], 'd'],
  [['dangling=false'], 'abce'],
  [['dangling=1'], 'd'],
  [['dangling!=true'], 'abce'],
  [['intermediate=true'], 'c'],
  [['intermediate=false'], 'abde'],
  [['containers=true'], 'b'],
  [['containers=false'], 'acde'],
  [['label=a'], 'cde'],
  [['label=a='], 'cde'],
  [['label=a=2'], 'ce'],
  [['label=a=2', 'label=a=1'], 'cde'],
  [['label=a', 'label!=a=2'], 'abcde'],
  [['label!=a'], 'ab'],
  [['label=b=x', 'dangling=true'], 'd'],
  [['id=aaaa'], 'a'],
  [['id=aaa'], ''],
  [['reference=busybox'], 'a'],
  [['reference=debian'], 'b'],
  [['reference=library/debian'], 'b'],
  [['reference=docker.io/library/debian:bookworm'], 'b'],
  [['reference=*box'], 'a'],
  [['reference=localhost/*'], 'ae'],
  [['reference=two:v2'], 'e'],
  [['reference=busy*:lat*'], 'a'],
  [['reference=busybox', 'reference=two'], 'ae'],
  [['reference!=busybox'], 'bcde'],
  [['reference=*'], 'abe'],
  [['before=two'], 'abcd'],
  [['since=busybox'], 'bcde'],
  [['after=busybox'], 'bcde'],
  [['since=busybox', 'before=two'], 'bcd'],
  [['since=busybox', 'since=two'], 'bcde'],
  [['until=1h'], 'a'], [['until=3599s'], 'ab'],
  [['until=2000-01-01'], ''],
  [['until=1799999000'], 'abc'],
  [['readonly=false'], 'abcde'],
  [['readonly=true'], ''],
];

for (const [specs, want] of cases) {
  test(`images --filter ${specs.join(' ') || '(none)'}`, () => assert.equal(ids(specs), want));
}

test('bad image filters fail with podman 4.3\'s messages and exit 125', () => {
  const bad: [string[], string][] = [
    [['foo=bar'], 'unsupported image filter "foo"'],
    [['digest=sha256:abc'], 'unsupported image filter "digest"'],
    [['label'], 'invalid image filter "label": must be in the format "filter=value or filter!=value"'],
    [['dangling=x'], 'non-boolean value "dangling" for x filter: strconv.ParseBool: parsing "x": invalid syntax'],
    [['containers=x'], 'unsupported value "x" for containers filter'],
    [['until=abc'], 'failed to parse value as time or duration: "abc"'],
    [['dangling=true', 'dangling=1'], 'specifying "dangling" filter more than once with different values is not supported'],
    [['intermediate=false', 'intermediate=true'], 'specifying "intermediate" filter more than once with different values is not supported'],
  ];
  for (const [specs, message] of bad) {
    assert.throws(() => parseImageFilters(specs, NOW), (e: Error & { exitCode?: number }) => e.message === message && e.exitCode === 125, specs.join(' '));
  }
  // Same value twice, or negated, is fine.
  assert.doesNotThrow(() => parseImageFilters(['dangling!=true', 'dangling=true'], NOW));
});

test('reference candidates are the shorter spellings of a name', () => {
  assert.deepEqual(referenceCandidates('docker.io/library/debian:bookworm'), [
    'docker.io/library/debian:bookworm', 'library/debian', 'debian:bookworm', 'docker.io/library/debian', 'library/debian:bookworm', 'debian',
  ]);
  assert.deepEqual(referenceCandidates('localhost/busybox'), ['localhost/busybox', 'busybox', 'busybox']);
});

test('globMatch is Go\'s path.Match', () => {
  const table: [string, string, boolean][] = [
    ['*', 'abc', true], ['*', 'a/b', false], ['a?c', 'abc', true], ['a?c', 'a/c', false],
    ['[a-c]x', 'bx', true], ['[^a-c]x', 'bx', false], ['[^a-c]x', 'dx', true], ['a.c', 'abc', false],
    ['\\*', '*', true], ['[', '[', false], ['lo*/*', 'localhost/busybox', true],
  ];
  for (const [pattern, text, want] of table) assert.equal(globMatch(pattern, text), want, `${pattern} ~ ${text}`);
});
