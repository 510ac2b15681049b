// docker-archive writing and archive reading without namespaces: legacy v1 ids and
// json against what podman 4.3 wrote for the rrun-fixture-layers image, a small
// archive written by TarOut read back through the seeking tar index, and the
// docker-archive reader on it (names, generated manifest, digest checks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, createWriteStream, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { legacyLayers, writeDockerArchive } from '../../src/image/docker-archive-write.js';
import { TarOut, dockerStyle } from '../../src/image/archive-tar-out.js';
import { indexTarFile, memberKey } from '../../src/image/archive-tar.js';
import { TarFileSource } from '../../src/image/archive-source.js';
import { dockerArchiveImages } from '../../src/image/docker-archive.js';
import { TAR_TRAILER, tarHeader, padding } from '../../storage/tar-writer.js';

const fixtures = new URL('../../../test/unit/fixtures/docker-archive/', import.meta.url);
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

test('legacy v1 ids and the top json equal podman save for a 6-layer image', () => {
  const config = readFileSync(new URL('layers-config.json', fixtures));
  const want = JSON.parse(readFileSync(new URL('layers-legacy.json', fixtures), 'utf8')) as { ids: string[]; topJson: string };
  const diffIds = (JSON.parse(config.toString()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
  const got = legacyLayers(config, diffIds);
  assert.deepEqual(got.map((l) => l.id), want.ids);
  assert.equal(got.at(-1)?.json.toString(), want.topJson);
});

test('memberKey treats ./a, /a and a/ as one name', () => {
  for (const n of ['./manifest.json', '/manifest.json', 'manifest.json', 'x/../manifest.json']) assert.equal(memberKey(n), 'manifest.json');
  assert.equal(memberKey('./blobs/sha256/'), 'blobs/sha256');
});

/** A one-layer image written as docker-archive into a temp file. */
async function archive(dir: string, layer: Buffer, tags: string[]): Promise<{ file: string; config: Buffer }> {
  const diffId = `sha256:${sha(layer)}`;
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffId] } }));
  const file = `${dir}/a.tar`;
  const ws = createWriteStream(file);
  const out = new TarOut(ws, dockerStyle);
  await writeDockerArchive(out, [{ config, configDigest: `sha256:${sha(config)}`, diffIds: [diffId], sizes: [layer.length], repoTags: tags }],
    () => (async function* () { yield layer; })());
  await out.end();
  return { file, config };
}

test('an archive TarOut writes reads back: index, symlinked legacy layer, names, podman-style manifest', async () => {
  const dir = mkdtempSync(`${tmpdir()}/rrun-da-`);
  try {
    const data = Buffer.from('hello\n');
    const layer = Buffer.concat([tarHeader({ name: 'f', type: '0', mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: 0 }), data, padding(data.length), TAR_TRAILER]);
    const { file, config } = await archive(dir, layer, ['docker.io/library/x:1']);
    const index = await indexTarFile(file);
    assert.deepEqual([...index.keys()].slice(-2), ['manifest.json', 'repositories']);
    const src = await TarFileSource.open(file);
    const [img] = await dockerArchiveImages(src);
    assert.ok(img !== undefined);
    assert.deepEqual(img.names, ['docker.io/library/x:1']);
    assert.ok(img.config.equals(config));
    assert.equal(img.layers[0]?.desc.digest, `sha256:${sha(layer)}`);
    assert.match(img.manifest.toString(), /^\{"schemaVersion":2,"mediaType":"application\/vnd\.docker\.distribution\.manifest\.v2\+json","config":\{"mediaType":"application\/vnd\.docker\.container\.image\.v1\+json","size":\d+,"digest"/);
    const legacy = [...index.keys()].find((k) => k.endsWith('/layer.tar')) as string;
    const chunks: Buffer[] = [];
    for await (const c of src.chunks(legacy)) chunks.push(c);
    assert.ok(Buffer.concat(chunks).equals(layer), 'the legacy symlink resolves to the layer');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a truncated archive and a config whose name is not its digest are refused', async () => {
  const dir = mkdtempSync(`${tmpdir()}/rrun-da-`);
  try {
    const layer = Buffer.concat([TAR_TRAILER]);
    const { file } = await archive(dir, layer, []);
    const whole = readFileSync(file);
    writeFileSync(`${dir}/t.tar`, whole.subarray(0, whole.length - 1500));
    await assert.rejects(indexTarFile(`${dir}/t.tar`), /unexpected EOF/);
    const text = whole.toString('latin1').replace('"os":"linux"', '"os":"LINUX"');
    writeFileSync(`${dir}/c.tar`, Buffer.from(text, 'latin1'));
    await assert.rejects(async () => dockerArchiveImages(await TarFileSource.open(`${dir}/c.tar`)), /Digest did not match/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
