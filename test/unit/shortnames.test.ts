import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildRegistriesConfig } from '../../src/config/registries.js';
import { type LocalImage, localCandidates, lookupLocalImage, pullCandidates } from '../../src/image/shortnames.js';
import { formatReference } from '../../oci/reference.js';
import { isRrunError } from '../../oci/errors.js';

// The store below mirrors the one the rows were checked against: podman 4.3.1 as a
// rootless user, `podman import` of a busybox rootfs as localhost/busybox, tagged
// docker.io/library/alpine:3, and eight more imports as localhost/tmp/img1..8.
const D = 'sha256:5f396c3798df38bd9ac20a2ec8efc039606427f057099f921f1071a61d5caa3f';
const BUSYBOX = '48426a2a7ce54710e869200b75023aa512baca5e3b7f3f5a0d18b790e94b4d2a';
const IMG5 = '5bcc9d595075dc7587a004ecf186daf491f4587d0ef8cb339a3cf3722de68d0c';
const PROBE = 'c0ffee0000000000000000000000000000000000000000000000000000000001';
const images: LocalImage[] = [
  { id: BUSYBOX, names: ['localhost/busybox:latest', 'docker.io/library/alpine:3'], digest: D, digests: [D] },
  { id: '0d0a620a55ec8ac29189c140b0fc4928d9ebc8a8ed21f546773e2f98f119f921', names: ['localhost/tmp/img1:latest'] },
  { id: '306f1d871b8cb394d283dcf9a98fbabcb945b38c5c7145aecacc0618f31addac', names: ['localhost/tmp/img2:latest'] },
  { id: '957bc39118556c79f26e105af23f0cd6a1c46e7f44de51611f3aa971f9c605be', names: ['localhost/tmp/img3:latest'] },
  { id: '51fd23570b5b5bf08c5c224abe51ff88de8f7bc574740e5be1823b45ce69c35b', names: ['localhost/tmp/img4:latest'] },
  { id: IMG5, names: ['localhost/tmp/img5:latest'] },
  { id: '700535118f3b920e9dbdd108b54bc44c10bcba5c1b325df085b4c54ac615b405', names: ['localhost/tmp/img6:latest'] },
  { id: '5e6efbbeaebb829abc15094185da67b12249e7bfbc05afc9f6ee8aabfb4a87a9', names: ['localhost/tmp/img7:latest'] },
  { id: '442b1a72e697ad8cdace83e1c4d8fd71553b6082a4f245edad5fbc913ede2dbe', names: ['localhost/tmp/img8:latest'] },
  // Podman 4.3 names an image pulled from oci:<dir> `localhost/<dir path>` (storage-format §10.4).
  { id: PROBE, names: ['localhost/tmp/probe-oci:latest'] },
  { id: 'd00d000000000000000000000000000000000000000000000000000000000002', names: ['quay.io/tools/jq:1.7'] },
];

const shortnames = readFileSync(new URL('../../../test/unit/fixtures/registries/shortnames.conf', import.meta.url), 'utf8');
const SYS = '/etc/containers/registries.conf';
const debian = buildRegistriesConfig({
  mainPath: SYS,
  main: { path: SYS, text: '# comments only, as Debian ships it\n' },
  dropIns: [{ path: '/etc/containers/registries.conf.d/shortnames.conf', text: shortnames }],
});

// input → image id and matched name, or an error code. "podman:" notes what podman
// 4.3.1 printed for the same input on the same store.
const lookups: [input: string, want: { id: string; name?: string } | { code: string; message: string }][] = [
  // podman: Trying docker.io/library/busybox:latest (alias), localhost/busybox:latest → found
  ['busybox', { id: BUSYBOX, name: 'localhost/busybox:latest' }],
  ['busybox:latest', { id: BUSYBOX, name: 'localhost/busybox:latest' }],
  ['localhost/busybox', { id: BUSYBOX, name: 'localhost/busybox:latest' }],
  // podman: alias docker.io/library/alpine:3 → found
  ['alpine:3', { id: BUSYBOX, name: 'docker.io/library/alpine:3' }],
  ['docker.io/library/alpine:3', { id: BUSYBOX, name: 'docker.io/library/alpine:3' }],
  ['docker.io/alpine:3', { id: BUSYBOX, name: 'docker.io/library/alpine:3' }],
  ['index.docker.io/library/alpine:3', { id: BUSYBOX, name: 'docker.io/library/alpine:3' }],
  // podman: "alpine: image not known" (only :3 exists)
  ['alpine', { code: 'ERR_IMAGE_NOT_FOUND', message: 'alpine: image not known' }],
  // podman: "library/alpine: image not known"
  ['library/alpine', { code: 'ERR_IMAGE_NOT_FOUND', message: 'library/alpine: image not known' }],
  // ids: full, sha256:-prefixed, any unique prefix (podman accepted "4" while it was unique, "48", "484", "5b")
  [BUSYBOX, { id: BUSYBOX }],
  [`sha256:${IMG5}`, { id: IMG5 }],
  ['48', { id: BUSYBOX }],
  ['484', { id: BUSYBOX }],
  ['5b', { id: IMG5 }],
  ['c', { id: PROBE }],
  // podman: "5: image not known" for a prefix shared by 51fd…, 5bcc…, 5e6e…
  ['5', { code: 'ERR_IMAGE_AMBIGUOUS', message: '5: image not known' }],
  ['4', { code: 'ERR_IMAGE_AMBIGUOUS', message: '4: image not known' }],
  // podman: "sha256:5b: invalid format: no 64-byte hexadecimal value"
  ['sha256:5b', { code: 'ERR_INVALID_REFERENCE', message: 'sha256:5b: invalid format: no 64-byte hexadecimal value' }],
  // podman: "<64 zeros>: image not known", same with sha256:
  ['0'.repeat(64), { code: 'ERR_IMAGE_NOT_FOUND', message: `${'0'.repeat(64)}: image not known` }],
  [`sha256:${'0'.repeat(64)}`, { code: 'ERR_IMAGE_NOT_FOUND', message: `sha256:${'0'.repeat(64)}: image not known` }],
  // fuzzy suffix match, short names only. podman: Trying localhost/img5:latest,
  // docker.io/library/img5:latest, "img5", then localhost/tmp/img5:latest → found
  ['img5', { id: IMG5, name: 'localhost/tmp/img5:latest' }],
  ['img5:latest', { id: IMG5, name: 'localhost/tmp/img5:latest' }],
  ['probe-oci', { id: PROBE, name: 'localhost/tmp/probe-oci:latest' }],
  // podman: Trying localhost/tmp/img5:latest → found (no fuzzy needed)
  ['tmp/img5', { id: IMG5, name: 'localhost/tmp/img5:latest' }],
  // podman: "mp/img5: image not known" (suffix must start at a path boundary)
  ['mp/img5', { code: 'ERR_IMAGE_NOT_FOUND', message: 'mp/img5: image not known' }],
  // podman: "img5:v1: image not known" (fuzzy needs the same tag)
  ['img5:v1', { code: 'ERR_IMAGE_NOT_FOUND', message: 'img5:v1: image not known' }],
  ['jq:1.7', { id: 'd00d000000000000000000000000000000000000000000000000000000000002', name: 'quay.io/tools/jq:1.7' }],
  // qualified names never fuzzy-match
  ['localhost/img5', { code: 'ERR_IMAGE_NOT_FOUND', message: 'localhost/img5: image not known' }],
  // podman: "docker.io/busybox: image not known"
  ['docker.io/busybox', { code: 'ERR_IMAGE_NOT_FOUND', message: 'docker.io/busybox: image not known' }],
  // digests: podman found each of these as the busybox image by its recorded digest,
  // with no regard to the repository (even quay.io/x/y and localhost/tmp/img5).
  [`busybox@${D}`, { id: BUSYBOX, name: `busybox@${D}` }],
  [`alpine@${D}`, { id: BUSYBOX, name: `alpine@${D}` }],
  [`alpine:4@${D}`, { id: BUSYBOX, name: `alpine:4@${D}` }],
  [`img@${D}`, { id: BUSYBOX, name: `img@${D}` }],
  [`docker.io/library/alpine@${D}`, { id: BUSYBOX, name: `docker.io/library/alpine@${D}` }],
  [`quay.io/x/y@${D}`, { id: BUSYBOX, name: `quay.io/x/y@${D}` }],
  [`localhost/tmp/img5@${D}`, { id: BUSYBOX, name: `localhost/tmp/img5@${D}` }],
  // podman: "busybox@sha256:000…: image not known"
  [`busybox@sha256:${'0'.repeat(64)}`, { code: 'ERR_IMAGE_NOT_FOUND', message: `busybox@sha256:${'0'.repeat(64)}: image not known` }],
  // podman: "nonexist: image not known", exit 125
  ['nonexist', { code: 'ERR_IMAGE_NOT_FOUND', message: 'nonexist: image not known' }],
  // podman: "repository name must be lowercase"
  ['Busybox', { code: 'ERR_INVALID_REFERENCE', message: 'Busybox: invalid reference format: repository name must be lowercase' }],
  ['a//b', { code: 'ERR_INVALID_REFERENCE', message: 'a//b: invalid reference format' }],
  // podman: "Foo/bar: image not known" (Foo is taken as a registry)
  ['Foo/bar', { code: 'ERR_IMAGE_NOT_FOUND', message: 'Foo/bar: image not known' }],
];

test('lookupLocalImage follows podman 4.3.1 on the same store', () => {
  for (const [input, want] of lookups) {
    if ('id' in want) {
      const got = lookupLocalImage(input, images, debian);
      assert.equal(got.image.id, want.id, input);
      assert.equal(got.matchedName, want.name, input);
      continue;
    }
    assert.throws(
      () => lookupLocalImage(input, images, debian),
      (err: unknown) => {
        assert.ok(isRrunError(err, want.code), `${input}: got ${String(err)}`);
        assert.ok(err.message.startsWith(want.message), `${input}: "${err.message}"`);
        assert.equal(err.exitCode, 125, input);
        assert.ok(err.hint, input);
        return true;
      },
      input,
    );
  }
});

test('the ambiguous-prefix hint lists the candidates', () => {
  assert.throws(
    () => lookupLocalImage('5', images, debian),
    (err: unknown) => isRrunError(err, 'ERR_IMAGE_AMBIGUOUS') && /matches 3 images \(51fd23570b5b, 5bcc9d595075, 5e6efbbeaebb\)/.test(err.hint ?? ''),
  );
});

test('localCandidates order: user alias, alias, localhost, search registries, docker.io', () => {
  const config = {
    ...debian,
    unqualifiedSearchRegistries: ['quay.io', 'docker.io'],
    userAliases: new Map([['node', 'registry.example.com/mirror/node']]),
  };
  const rows: [string, string[]][] = [
    ['node:20', ['registry.example.com/mirror/node:20', 'localhost/node:20', 'quay.io/node:20', 'docker.io/library/node:20']],
    ['busybox', ['docker.io/library/busybox:latest', 'localhost/busybox:latest', 'quay.io/busybox:latest']],
    ['tmp/x', ['localhost/tmp/x:latest', 'quay.io/tmp/x:latest', 'docker.io/tmp/x:latest']],
    ['quay.io/a/b', ['quay.io/a/b:latest']],
    [`alpine:4@${D}`, [`docker.io/library/alpine@${D}`, `localhost/alpine@${D}`, `quay.io/alpine@${D}`]],
  ];
  for (const [input, want] of rows) assert.deepEqual(localCandidates(input, config).map(formatReference), want, input);
});

test('user alias cache wins over registries.conf aliases locally', () => {
  const config = { ...debian, userAliases: new Map([['img', 'localhost/tmp/img5']]) };
  assert.equal(lookupLocalImage('img', images, config).image.id, IMG5);
});

test('pullCandidates: qualified names, aliases, search registries, modes', () => {
  const search = (mode: 'enforcing' | 'permissive' | 'disabled', regs = ['quay.io', 'docker.io']) => ({
    ...debian,
    shortNameMode: mode,
    unqualifiedSearchRegistries: regs,
  });
  const rows: [input: string, config: typeof debian, tty: boolean, want: { candidates: string[]; prompt: boolean }][] = [
    ['quay.io/a/b', debian, false, { candidates: ['quay.io/a/b:latest'], prompt: false }],
    ['localhost:5000/a/b:t', debian, false, { candidates: ['localhost:5000/a/b:t'], prompt: false }],
    ['docker.io/node', debian, false, { candidates: ['docker.io/library/node:latest'], prompt: false }],
    // podman pull node → "Trying to access docker.io/library/node:latest" via the alias
    ['node', debian, false, { candidates: ['docker.io/library/node:latest'], prompt: false }],
    ['node:20', search('enforcing'), false, { candidates: ['docker.io/library/node:20'], prompt: false }],
    [`node@${D}`, debian, false, { candidates: [`docker.io/library/node@${D}`], prompt: false }],
    // podman (permissive, no TTY): tried 127.0.0.1:1/nonexist:latest then 127.0.0.1:2/…
    ['app', search('permissive'), false, { candidates: ['quay.io/app:latest', 'docker.io/library/app:latest'], prompt: false }],
    ['app', search('permissive'), true, { candidates: ['quay.io/app:latest', 'docker.io/library/app:latest'], prompt: true }],
    ['app', search('enforcing'), true, { candidates: ['quay.io/app:latest', 'docker.io/library/app:latest'], prompt: true }],
    ['app', search('disabled'), true, { candidates: ['quay.io/app:latest', 'docker.io/library/app:latest'], prompt: false }],
    ['app', search('enforcing', ['docker.io']), false, { candidates: ['docker.io/library/app:latest'], prompt: false }],
  ];
  for (const [input, config, tty, want] of rows) {
    const got = pullCandidates(input, config, { tty });
    assert.deepEqual({ candidates: got.candidates, prompt: got.prompt }, want, `${input} ${config.shortNameMode} tty=${tty}`);
  }
  assert.deepEqual(pullCandidates('node', debian).alias, { name: 'node', from: 'registries.conf' });
});

test('pullCandidates errors use podman 4.3.1 wording', () => {
  // podman run nonexist:1 (Debian config, no TTY)
  assert.throws(
    () => pullCandidates('nonexist:1', debian),
    (err: unknown) =>
      isRrunError(err, 'ERR_SHORT_NAME_UNRESOLVED') &&
      err.message ===
        'short-name "nonexist:1" did not resolve to an alias and no unqualified-search registries are defined in "/etc/containers/registries.conf"' &&
      err.exitCode === 125,
  );
  // CONTAINERS_REGISTRIES_CONF with short-name-mode = "enforcing" and two registries, no TTY
  assert.throws(
    () => pullCandidates('nonexist', { ...debian, shortNameMode: 'enforcing', unqualifiedSearchRegistries: ['127.0.0.1:1', '127.0.0.1:2'] }),
    (err: unknown) => isRrunError(err, 'ERR_SHORT_NAME_ENFORCED') && err.message === 'short-name resolution enforced but cannot prompt without a TTY',
  );
});
