import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  type ConfigFile,
  type RegistriesConfig,
  type RegistriesHost,
  buildRegistriesConfig,
  findRegistry,
  loadRegistriesConfig,
  pullSources,
  registriesFilePlan,
} from '../../src/config/registries.js';
import { isRrunError } from '../../oci/errors.js';

// Compiled to dist/test/unit; fixtures stay in the source tree.
const fixtureDir = new URL('../../../test/unit/fixtures/registries/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, fixtureDir), 'utf8');

const SYS = '/etc/containers/registries.conf';
const SYS_D = '/etc/containers/registries.conf.d';
const USER = '/home/u/.config/containers/registries.conf';
const USER_D = '/home/u/.config/containers/registries.conf.d';

function fakeHost(files: Record<string, string>, env: Record<string, string> = { HOME: '/home/u' }, uid = 1001): RegistriesHost {
  return {
    env,
    uid,
    readFile: (p) => files[p],
    readdir: (dir) =>
      Object.keys(files)
        .filter((p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/'))
        .map((p) => p.slice(dir.length + 1))
        .reverse(), // the loader must sort, not rely on readdir order
  };
}

function build(main: string | undefined, ...dropIns: [name: string, text: string][]): RegistriesConfig {
  return buildRegistriesConfig({
    mainPath: SYS,
    main: main === undefined ? undefined : { path: SYS, text: main },
    dropIns: dropIns.map(([name, text]): ConfigFile => ({ path: `${SYS_D}/${name}`, text })),
  });
}

function expectConfError(fn: () => unknown, path: string, words: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isRrunError(err, 'ERR_REGISTRIES_CONF'), String(err));
    assert.ok(err.message.includes(`"${path}"`), `message does not name ${path}: ${err.message}`);
    assert.ok(err.message.includes(words), `"${err.message}" lacks "${words}"`);
    assert.equal(err.subject, path);
    assert.ok(err.hint);
    return true;
  });
}

test('which files are read (checked on podman 4.3.1 with --log-level debug)', () => {
  const rows: { name: string; files: Record<string, string>; env?: Record<string, string>; want: string[] }[] = [
    {
      name: 'Debian default: system file, system drop-ins, user drop-ins',
      files: { [SYS]: '', [`${SYS_D}/shortnames.conf`]: '', [`${USER_D}/50-x.conf`]: '' },
      want: [SYS, `${SYS_D}/shortnames.conf`, `${USER_D}/50-x.conf`],
    },
    {
      name: 'user registries.conf suppresses the system file and system drop-ins',
      files: { [SYS]: '', [`${SYS_D}/shortnames.conf`]: '', [USER]: '', [`${USER_D}/50-x.conf`]: '' },
      want: [USER, `${USER_D}/50-x.conf`],
    },
    {
      name: 'CONTAINERS_REGISTRIES_CONF still reads both drop-in dirs',
      files: { '/tmp/r.conf': '', [SYS]: '', [`${SYS_D}/shortnames.conf`]: '' },
      env: { HOME: '/home/u', CONTAINERS_REGISTRIES_CONF: '/tmp/r.conf' },
      want: ['/tmp/r.conf', `${SYS_D}/shortnames.conf`],
    },
    {
      name: 'drop-ins: *.conf only, lexical order, missing system file is fine',
      files: { [`${SYS_D}/b.conf`]: '', [`${SYS_D}/a.conf`]: '', [`${SYS_D}/c.conf.bak`]: '', [`${SYS_D}/README`]: '' },
      want: [`${SYS_D}/a.conf`, `${SYS_D}/b.conf`],
    },
    {
      name: 'user alias cache is read last',
      files: { [SYS]: '', '/home/u/.cache/containers/short-name-aliases.conf': '' },
      want: [SYS, '/home/u/.cache/containers/short-name-aliases.conf'],
    },
    {
      name: 'XDG_CACHE_HOME moves the alias cache; XDG_CONFIG_HOME does not move registries.conf',
      files: { '/xdg/config/containers/registries.conf': '', '/xdg/cache/containers/short-name-aliases.conf': '' },
      env: { HOME: '/home/u', XDG_CONFIG_HOME: '/xdg/config', XDG_CACHE_HOME: '/xdg/cache' },
      want: ['/xdg/cache/containers/short-name-aliases.conf'],
    },
  ];
  for (const row of rows) {
    assert.deepEqual(loadRegistriesConfig(fakeHost(row.files, row.env)).sources, row.want, row.name);
  }
});

test('main path named in errors follows the chosen file', () => {
  assert.equal(registriesFilePlan(fakeHost({})).mainPath, SYS);
  assert.equal(registriesFilePlan(fakeHost({ [USER]: '' })).mainPath, USER);
  assert.equal(loadRegistriesConfig(fakeHost({})).mainPath, SYS);
  assert.equal(loadRegistriesConfig(fakeHost({}, {}, 0)).userAliasesPath, '/var/cache/containers/short-name-aliases.conf');
});

test('CONTAINERS_REGISTRIES_CONF naming a missing file is an error (podman 4.3.1 too)', () => {
  // podman: loading registries configuration "/tmp/nonexistent.conf": open /tmp/nonexistent.conf: no such file or directory
  expectConfError(
    () => loadRegistriesConfig(fakeHost({}, { HOME: '/home/u', CONTAINERS_REGISTRIES_CONF: '/tmp/nonexistent.conf' })),
    '/tmp/nonexistent.conf',
    'no such file or directory',
  );
});

test('defaults: no search registries, permissive, containers-auth.json', () => {
  const c = build(fixture('debian-registries.conf'), ['shortnames.conf', fixture('shortnames.conf')]);
  assert.deepEqual(c.unqualifiedSearchRegistries, []);
  assert.equal(c.shortNameMode, 'permissive');
  assert.deepEqual(c.credentialHelpers, ['containers-auth.json']);
  assert.equal(c.aliases.get('node'), 'docker.io/library/node');
  assert.equal(c.aliases.get('fedora'), 'registry.fedoraproject.org/fedora');
  assert.equal(c.aliases.size, 19);
});

test('v2 file: every field', () => {
  const c = build(fixture('v2-full.conf'));
  assert.deepEqual(c.unqualifiedSearchRegistries, ['registry.fedoraproject.org', 'docker.io']);
  assert.equal(c.shortNameMode, 'enforcing');
  assert.deepEqual(c.credentialHelpers, ['containers-auth.json', 'secretservice']);
  assert.deepEqual(
    c.registries.map((r) => [r.prefix, r.location, r.insecure, r.blocked]),
    [
      ['*.example.com', '', false, true],
      ['example.com/foo', 'internal.mirror:5000/foo', false, false], // trailing / stripped
      ['localhost:5000', 'localhost:5000', true, false], // prefix defaults to location
    ],
  );
  const foo = c.registries[1];
  assert.deepEqual(foo?.mirrors, [
    { location: 'mirror-a.example.com/foo', insecure: false, pullFromMirror: 'all' },
    { location: 'mirror-b.example.com/foo', insecure: true, pullFromMirror: 'tag-only' },
  ]);
  assert.equal(foo?.mirrorByDigestOnly, true);
  assert.equal(c.aliases.get('tools/jq'), 'quay.io/tools/jq');
});

test('v1 is converted to v2', () => {
  const c = build(fixture('v1.conf'));
  assert.deepEqual(c.unqualifiedSearchRegistries, ['registry.fedoraproject.org', 'docker.io']);
  assert.deepEqual(
    c.registries.map((r) => [r.prefix, r.insecure, r.blocked]),
    [
      ['10.0.0.1:5000', true, false],
      ['docker.io', false, true],
      ['localhost:5000', true, true], // insecure and blocked merge into one entry
    ],
  );
});

test('drop-ins replace scalars they set, replace registries by prefix, merge aliases per key', () => {
  const main = `
unqualified-search-registries = ["a.io", "b.io"]
short-name-mode = "enforcing"
[[registry]]
prefix = "a.io"
location = "mirror-a:5000"
[[registry]]
location = "b.io"
insecure = true
[aliases]
"x" = "a.io/x"
"y" = "a.io/y"
`;
  const c = build(
    main,
    ['10-search.conf', 'unqualified-search-registries = ["c.io"]\n'],
    ['20-reg.conf', '[[registry]]\nprefix = "a.io"\nlocation = "mirror-b:5000"\n[aliases]\n"y" = "c.io/y"\n"z" = "c.io/z"\n'],
    ['30-del.conf', '[aliases]\n"x" = ""\n'], // empty value deletes (podman 4.3.1: alias no longer tried)
    ['40-mode.conf', 'credential-helpers = ["pass"]\n'],
  );
  assert.deepEqual(c.unqualifiedSearchRegistries, ['c.io']);
  assert.equal(c.shortNameMode, 'enforcing'); // not set by any drop-in: kept
  assert.deepEqual(c.credentialHelpers, ['pass']);
  assert.deepEqual(
    c.registries.map((r) => [r.prefix, r.location, r.insecure]),
    [
      ['a.io', 'mirror-b:5000', false],
      ['b.io', 'b.io', true],
    ],
  );
  assert.deepEqual([...c.aliases], [['y', 'c.io/y'], ['z', 'c.io/z']]);
  assert.deepEqual(build(main, ['50-empty.conf', 'unqualified-search-registries = []\n']).unqualifiedSearchRegistries, []);
});

test('user alias cache is separate and wins later in lookup', () => {
  const c = buildRegistriesConfig({
    mainPath: SYS,
    main: { path: SYS, text: '[aliases]\n"busybox" = "docker.io/library/busybox"\n' },
    dropIns: [],
    userAliasesPath: '/home/u/.cache/containers/short-name-aliases.conf',
    userAliases: { path: '/home/u/.cache/containers/short-name-aliases.conf', text: '[aliases]\n"busybox" = "127.0.0.1:9/bb"\n' },
  });
  assert.equal(c.aliases.get('busybox'), 'docker.io/library/busybox');
  assert.equal(c.userAliases.get('busybox'), '127.0.0.1:9/bb');
});

test('invalid files: ERR_REGISTRIES_CONF naming the file and the problem (podman 4.3.1 words)', () => {
  const rows: [text: string, words: string, dropIn?: boolean][] = [
    // podman: toml: line 2 (last key "unqualified-search-registries"): expected a comma (',') or array terminator (']'), but got 's'
    ['unqualified-search-registries = ["127.0.0.1:1"\nshort-name-mode = "enforcing"\n', 'toml: line 2'],
    ['[aliases\n', 'toml: line 1'],
    ['unqualified-search-registries = ["a.io"]\n[registries.search]\nregistries = ["a.io"]\n', 'mixing sysregistry v1/v2 is not supported'],
    ['[registries.search]\nregistries = ["a.io"]\n', 'registry must be in v2 format but is in v1', true],
    ['short-name-mode = "strict"\n', 'invalid short-name mode: "strict"'],
    ['[[registry]]\nlocation = "https://a.io"\n', "invalid location 'https://a.io': URI schemes are not supported"],
    ['[[registry]]\nprefix = "*.a.io/foo"\nlocation = "b.io"\n', 'Current prefix "*.a.io/foo" is incorrectly formatted'],
    ['unqualified-search-registries = ["a.io/foo"]\n', 'Invalid unqualified-search-registries entry "a.io/foo"'],
    ['[[registry]]\nlocation = "a.io"\nblocked = true\n[[registry]]\nlocation = "a.io"\ninsecure = true\n', "registry 'a.io' is defined multiple times with conflicting 'insecure' setting"],
    ['[aliases]\n"node" = "docker.io/library/node:18"\n', 'invalid alias "docker.io/library/node:18": must not contain tag'],
    ['[aliases]\n"node" = "library/node"\n', 'invalid alias "library/node": must contain registry and repository'],
    ['[aliases]\n"node:1" = "docker.io/library/node"\n', 'invalid short name "node:1": must not contain tag'],
    ['[aliases]\n"docker.io/node" = "docker.io/library/node"\n', 'invalid short name "docker.io/node": must not contain registry'],
    ['[[registry]]\ninsecure = true\n', 'both location and prefix are unset'],
    ['[[registry]]\nlocation = "a.io"\ninsecure = "yes"\n', '"insecure" must be true or false'],
    ['unqualified-search-registries = "a.io"\n', '"unqualified-search-registries" must be an array of strings'],
  ];
  for (const [text, words, dropIn] of rows) {
    const path = dropIn === true ? `${SYS_D}/x.conf` : SYS;
    expectConfError(() => (dropIn === true ? build(undefined, ['x.conf', text]) : build(text)), path, words);
  }
  const cache = '/home/u/.cache/containers/short-name-aliases.conf';
  expectConfError(() => loadRegistriesConfig(fakeHost({ [cache]: '[aliases\n' })), cache, 'short-name aliases config file');
});

test('unknown keys are ignored (podman 4.3.1 too)', () => {
  assert.deepEqual(build('foo = 1\n[bar]\nx = 1\n').registries, []);
});

test('findRegistry: longest prefix at a / : @ boundary, wildcard subdomains (checked on podman 4.3.1)', () => {
  const c = build(`
[[registry]]
prefix = "*.a.io"
blocked = true
[[registry]]
prefix = "x.a.io/foo"
location = "127.0.0.1:7/bar"
[[registry]]
prefix = "x.a.io/f"
location = "127.0.0.1:8/baz"
[[registry]]
prefix = "docker.io"
location = "docker.io"
[[registry]]
prefix = "docker.io/library/busybox"
location = "mirror.local/bb"
`);
  const rows: [ref: string, prefix: string | undefined, rewritten?: string][] = [
    ['y.a.io/z:latest', '*.a.io', 'y.a.io/z:latest'], // podman: "registry *.a.io is blocked"
    ['deep.y.a.io/z:latest', '*.a.io', 'deep.y.a.io/z:latest'],
    ['y.a.io:5000/z:latest', '*.a.io', 'y.a.io:5000/z:latest'],
    ['a.io/q:latest', undefined, 'a.io/q:latest'], // wildcard does not match the bare domain
    ['x.a.io/foo/q:1', 'x.a.io/foo', '127.0.0.1:7/bar/q:1'], // podman tried 127.0.0.1:7/bar/q:1
    ['x.a.io/foo:latest', 'x.a.io/foo', '127.0.0.1:7/bar:latest'], // podman: 127.0.0.1:7/bar:latest
    ['x.a.io/fooz:latest', '*.a.io', 'x.a.io/fooz:latest'], // not a boundary: falls to the wildcard
    ['x.a.io/f:2', 'x.a.io/f', '127.0.0.1:8/baz:2'], // podman: 127.0.0.1:8/baz:2
    ['docker.io/library/busybox@sha256:' + 'a'.repeat(64), 'docker.io/library/busybox', 'mirror.local/bb@sha256:' + 'a'.repeat(64)],
    ['docker.io/library/busyboxx:latest', 'docker.io', 'docker.io/library/busyboxx:latest'],
    ['quay.io/a/b:1', undefined, 'quay.io/a/b:1'],
  ];
  for (const [ref, prefix, rewritten] of rows) {
    const entry = findRegistry(c, ref);
    assert.equal(entry?.prefix, prefix, ref);
    assert.equal(pullSources(entry, ref, false).at(-1)?.reference, rewritten, ref);
  }
});

test('duplicate prefix in one file: the first wins (podman 4.3.1 used 127.0.0.1:5)', () => {
  const c = build('[[registry]]\nprefix = "a.io"\nlocation = "127.0.0.1:5"\n[[registry]]\nprefix = "a.io"\nlocation = "127.0.0.1:6"\n');
  assert.equal(findRegistry(c, 'a.io/x:latest')?.location, '127.0.0.1:5');
});

test('pullSources: mirrors filtered by digest/tag, then the primary location', () => {
  const c = build(fixture('v2-full.conf'));
  const entry = findRegistry(c, 'example.com/foo/app:1');
  const byTag = pullSources(entry, 'example.com/foo/app:1', false);
  // mirror-by-digest-only: no mirror for a tag pull
  assert.deepEqual(byTag, [{ reference: 'internal.mirror:5000/foo/app:1', insecure: false, mirror: false }]);
  const ref = `example.com/foo/app@sha256:${'b'.repeat(64)}`;
  assert.deepEqual(
    pullSources(entry, ref, true).map((s) => s.reference),
    [`mirror-a.example.com/foo/app@sha256:${'b'.repeat(64)}`, `internal.mirror:5000/foo/app@sha256:${'b'.repeat(64)}`], // tag-only mirror skipped
  );
});
