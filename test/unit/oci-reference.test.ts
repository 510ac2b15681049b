import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  familiarName,
  formatReference,
  isShortName,
  normalizeName,
  parseReference,
  splitReference,
  withDefaultTag,
} from '../../oci/reference.js';
import { digestHex, digestProblem, isDigest, parseDigest } from '../../oci/digest.js';
import { isRrunError } from '../../oci/errors.js';

const D = 'sha256:5f396c3798df38bd9ac20a2ec8efc039606427f057099f921f1071a61d5caa3f';
const ID = '48426a2a7ce54710e869200b75023aa512baca5e3b7f3f5a0d18b790e94b4d2a';
const D512 = `sha512:${'ab'.repeat(64)}`;

// input → normalised full string (formatReference(withDefaultTag(parseReference(input)))).
const valid: [input: string, want: string][] = [
  ['busybox', 'docker.io/library/busybox:latest'],
  ['busybox:1.36', 'docker.io/library/busybox:1.36'],
  ['busybox:Latest', 'docker.io/library/busybox:Latest'], // tags may have uppercase
  ['busybox:_x', 'docker.io/library/busybox:_x'],
  [`busybox:${'a'.repeat(128)}`, `docker.io/library/busybox:${'a'.repeat(128)}`],
  ['library/busybox', 'docker.io/library/busybox:latest'],
  ['docker.io/node', 'docker.io/library/node:latest'],
  ['docker.io/library/node', 'docker.io/library/node:latest'],
  ['index.docker.io/library/node', 'docker.io/library/node:latest'],
  ['index.docker.io/node:20', 'docker.io/library/node:20'],
  ['docker.io/bitnami/redis', 'docker.io/bitnami/redis:latest'],
  ['bitnami/redis:7', 'docker.io/bitnami/redis:7'],
  ['a/b/c/d', 'docker.io/a/b/c/d:latest'],
  ['quay.io/podman/stable', 'quay.io/podman/stable:latest'],
  ['quay.io/a/b/c:v1.2-rc.3', 'quay.io/a/b/c:v1.2-rc.3'],
  ['localhost/busybox', 'localhost/busybox:latest'],
  ['localhost/tmp/probe-oci', 'localhost/tmp/probe-oci:latest'],
  ['localhost:5000/a/b:t', 'localhost:5000/a/b:t'],
  ['127.0.0.1:5000/x', '127.0.0.1:5000/x:latest'],
  ['registry.example.com:443/ns/app:1', 'registry.example.com:443/ns/app:1'],
  ['my-registry.local/app', 'my-registry.local/app:latest'],
  ['Foo/bar', 'Foo/bar:latest'], // podman 4.3.1: uppercase first component is a domain ("Foo/bar: image not known")
  ['LOCALHOST/x', 'LOCALHOST/x:latest'], // podman 4.3.1: "LOCALHOST/x: image not known"
  ['a__b', 'docker.io/library/a__b:latest'], // podman 4.3.1: accepted ("image not known")
  ['a--b', 'docker.io/library/a--b:latest'], // podman 4.3.1: accepted
  ['a.b_c-d', 'docker.io/library/a.b_c-d:latest'],
  [`busybox@${D}`, `docker.io/library/busybox@${D}`],
  [`busybox:1@${D}`, `docker.io/library/busybox:1@${D}`],
  [`quay.io/a/b@${D512}`, `quay.io/a/b@${D512}`],
  [`${ID}:tag`, `docker.io/library/${ID}:tag`], // podman 4.3.1: only a bare 64-hex is refused
  [`x/${ID}`, `docker.io/x/${ID}:latest`],
  ['4842', 'docker.io/library/4842:latest'],
];

// input → substring of the error message. Podman 4.3.1 words in comments where checked.
const invalid: [input: string, why: string][] = [
  ['', 'at least one component'],
  ['Busybox', 'repository name must be lowercase'], // podman: "repository name must be lowercase"
  ['localhost/X', 'repository name must be lowercase'], // podman: same
  ['docker.io/Library/node', 'repository name must be lowercase'],
  [ID, 'cannot specify 64-byte hexadecimal strings'],
  ['a//b', 'not allowed'], // podman: "invalid reference format"
  ['a:b:c', 'not allowed'], // podman: "invalid reference format"
  ['busybox@sha256:abc', 'not allowed'], // podman: "invalid reference format" (< 32 hex)
  ['busybox@md5:0123456789abcdef0123456789abcdef', 'unsupported digest algorithm'], // podman: same words
  [`busybox@sha256:${'a'.repeat(63)}`, 'invalid checksum digest length'],
  [`busybox@sha256:${'A'.repeat(64)}`, 'invalid checksum digest format'],
  ['busybox:-x', 'not allowed'], // podman: "invalid reference format"
  ['busybox:', 'not allowed'], // podman: "invalid reference format"
  [':tag', 'not allowed'],
  ['a/', 'not allowed'],
  ['-a', 'not allowed'],
  ['a..b', 'not allowed'], // podman: "invalid reference format"
  ['a___b', 'not allowed'], // podman: "invalid reference format"
  ['_a', 'not allowed'],
  ['[::1]:5000/a', 'not allowed'], // podman 4.3.1 has no IPv6 literals: "invalid reference format"
  ['a.io:port/x', 'not allowed'], // podman: "invalid reference format"
  [`busybox:${'a'.repeat(129)}`, 'not allowed'],
  ['a'.repeat(256), 'must not be more than 255 characters'], // podman: same words
  ['busy box', 'not allowed'],
];

test('parseReference normalises like ParseNormalizedNamed', () => {
  for (const [input, want] of valid) {
    assert.equal(formatReference(withDefaultTag(parseReference(input))), want, input);
    assert.equal(normalizeName(input), want, input);
  }
});

test('parseReference rejects invalid references with ERR_INVALID_REFERENCE naming the input', () => {
  for (const [input, why] of invalid) {
    assert.throws(
      () => parseReference(input),
      (err: unknown) => {
        assert.ok(isRrunError(err, 'ERR_INVALID_REFERENCE'), `${input}: wrong error ${String(err)}`);
        assert.ok(err.message.includes(why), `${input}: "${err.message}" lacks "${why}"`);
        assert.ok(err.message.startsWith(`${input}: `), `${input}: message does not name the input`);
        assert.equal(err.exitCode, 125);
        assert.ok(err.hint);
        return true;
      },
      input,
    );
  }
});

test('parseReference exposes parts', () => {
  assert.deepEqual(parseReference('localhost:5000/a/b:t'), { domain: 'localhost:5000', path: 'a/b', tag: 't', digest: undefined });
  assert.deepEqual(parseReference(`node@${D}`), { domain: 'docker.io', path: 'library/node', tag: undefined, digest: D });
  assert.deepEqual(splitReference('tmp/probe-oci:v1'), { name: 'tmp/probe-oci', tag: 'v1', digest: undefined });
});

test('withDefaultTag adds latest only without tag and digest', () => {
  assert.equal(withDefaultTag(parseReference('a')).tag, 'latest');
  assert.equal(withDefaultTag(parseReference('a:1')).tag, '1');
  assert.equal(withDefaultTag(parseReference(`a@${D}`)).tag, undefined);
});

test('isShortName: first component without . or : and not localhost', () => {
  const rows: [string, boolean][] = [
    ['busybox', true],
    ['busybox:1', true],
    ['library/busybox', true],
    ['tmp/probe-oci', true],
    ['docker.io/busybox', false],
    ['localhost/x', false],
    ['localhost:5000/x', false],
    ['quay.io/a/b', false],
    ['Foo/bar', true], // upstream IsShortName only looks at . : and localhost
  ];
  for (const [input, want] of rows) assert.equal(isShortName(input), want, input);
});

test('familiarName drops docker.io and library/', () => {
  const rows: [string, string][] = [
    ['docker.io/library/node:20', 'node:20'],
    ['docker.io/bitnami/redis', 'bitnami/redis'],
    ['quay.io/a/b:1', 'quay.io/a/b:1'],
    ['docker.io/library/a/b', 'library/a/b'],
  ];
  for (const [input, want] of rows) assert.equal(familiarName(parseReference(input)), want, input);
});

test('digests: validation, parts, errors', () => {
  assert.ok(isDigest(D));
  assert.ok(isDigest(D512));
  assert.equal(digestHex(parseDigest(D)), D.slice(7));
  const rows: [string, string][] = [
    ['sha256:abc', 'invalid checksum digest length'],
    [`sha384:${'a'.repeat(96)}`, 'unsupported digest algorithm'],
    [`sha256:${'g'.repeat(64)}`, 'invalid checksum digest format'],
    [`SHA256:${'a'.repeat(64)}`, 'invalid checksum digest format'],
    ['abc', 'invalid checksum digest format'],
    [`sha512:${'a'.repeat(64)}`, 'invalid checksum digest length'],
  ];
  for (const [input, want] of rows) {
    assert.equal(digestProblem(input), want, input);
    assert.throws(() => parseDigest(input), (e: unknown) => isRrunError(e, 'ERR_INVALID_DIGEST') && e.message.includes(input));
  }
});
