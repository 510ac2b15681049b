// ps --filter parsing and matching (podman's keys and messages), on hand-made containers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filtersWantAll, parsePsFilters, psPredicate } from '../../src/api/ps-filter.js';
import type { RrunContainer } from '../../src/api/container-store.js';
import type { ContainerState } from '../../src/runtime/state.js';

const c = (name: string, id: string, created: string, state: ContainerState, imageName = 'localhost/busybox:latest'): RrunContainer =>
  ({ name, id, created, state, imageName, imageId: 'abcdef0123' } as unknown as RrunContainer);

const all = [
  c('web', '1111aaaa', '2026-01-01T00:00:01Z', { status: 'exited', exitCode: 0 }),
  c('job', '2222bbbb', '2026-01-01T00:00:02Z', { status: 'exited', exitCode: 3 }),
  c('db', '3333cccc', '2026-01-01T00:00:03Z', { status: 'running' }, 'docker.io/library/debian:bookworm'),
  c('new', '4444dddd', '2026-01-01T00:00:04Z', { status: 'created' }),
];

const names = (specs: string[]): string[] => all.filter(psPredicate(parsePsFilters(specs), all)).map((x) => x.name);

const cases: [string[], string[]][] = [
  [[], ['web', 'job', 'db', 'new']],
  [['status=exited'], ['web', 'job']],
  [['status=stopped'], ['web', 'job']],
  [['status=running', 'status=created'], ['db', 'new']],
  [['exited=3'], ['job']],
  [['name=^(web|db)$'], ['web', 'db']],
  [['name=e', 'status=exited'], ['web']],
  [['id=2222'], ['job']],
  [['ancestor=debian'], ['db']],
  [['ancestor=docker.io/library/debian'], ['db']],
  [['ancestor=localhost/busybox:latest'], ['web', 'job', 'new']],
  [['ancestor=abcdef'], ['web', 'job', 'db', 'new']],
  [['since=job'], ['db', 'new']],
  [['before=job'], ['web']],
  [['before=db', 'since=web'], ['job']],
];

for (const [specs, want] of cases) {
  test(`ps --filter ${specs.join(' ') || '(none)'}`, () => assert.deepEqual(names(specs), want));
}

test('bad filters fail with podman\'s messages and exit 125', () => {
  const bad: [string, RegExp][] = [
    ['status=bogus', /^unknown container state: bogus: invalid argument$/],
    ['foo=bar', /^foo is an invalid filter$/],
    ['name', /^invalid filter "name"$/],
    ['exited=abc', /^exited code out of range 'abc'/],
    ['name=(', /invalid regular expression/],
  ];
  for (const [spec, re] of bad) {
    assert.throws(() => parsePsFilters([spec]), (e: Error & { exitCode?: number }) => re.test(e.message) && e.exitCode === 125, spec);
  }
  assert.throws(() => psPredicate(parsePsFilters(['since=nosuch']), all), /no container with name or ID "nosuch" found/);
});

test('a status filter widens ps to every state, as in podman; others do not', () => {
  assert.equal(filtersWantAll(parsePsFilters(['status=exited'])), true);
  assert.equal(filtersWantAll(parsePsFilters(['name=x', 'exited=0'])), false);
});
