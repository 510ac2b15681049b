// tar-split generation against files podman 4.3 itself wrote: the layer tars of the
// rrun-fixture-layers image (whiteouts, opaque dir, hardlink, symlinks, setuid, PAX
// headers) and their overlay-layers/<id>.tar-split.gz from the fixture store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Crc64, crc64 } from '../../storage/crc64.js';
import { TarReader, type TarHeader, type TarSink } from '../../storage/tar-reader.js';
import { TarSplitBuilder, assembleTar, parseTarSplit } from '../../storage/tar-split.js';

const dir = new URL('../../../test/unit/fixtures/tar-split/', import.meta.url);
const layers = readdirSync(dir).filter((n) => n.endsWith('.tar')).map((n) => n.slice(0, -4));

function split(tar: Buffer, chunk: number): string {
  let out = '';
  const b = new TarSplitBuilder((l) => (out += l));
  const r = new TarReader(b);
  for (let off = 0; off < tar.length; off += chunk) r.write(tar.subarray(off, off + chunk));
  r.end();
  b.finish();
  return out;
}

/** CRC-64/ISO bit by bit with BigInt: the definition, for checking the table-driven code. */
function crc64Reference(data: Uint8Array): string {
  const poly = 0xd800000000000000n;
  let crc = 0xffffffffffffffffn;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return (crc ^ 0xffffffffffffffffn).toString(16).padStart(16, '0');
}

test('crc64: slicing-by-8 equals the bitwise definition, in one piece and in odd pieces', () => {
  let seed = 7;
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff));
  for (const n of [0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 64, 255, 1000, 4099]) {
    const data = bytes(n);
    assert.equal(crc64(data).toString('hex'), crc64Reference(data), `${n} bytes`);
    const inc = new Crc64();
    for (let off = 0, k = 1; off < n; off += k, k = (k * 5 + 3) % 13 + 1) inc.update(data.subarray(off, off + k));
    assert.equal(inc.digest().toString('hex'), crc64Reference(data), `${n} bytes in pieces`);
  }
});

test('crc64: Go crc64.ISO check values, big-endian', () => {
  assert.equal(crc64(Buffer.from('gone\n')).toString('base64'), 'YULdjDGAAAA=');
  assert.equal(crc64(Buffer.from('hello\n')).toString('base64'), 'YUw+7uLYEAA=');
  assert.equal(crc64(Buffer.alloc(0)).toString('hex'), '0000000000000000');
});

test('tar-split: identical to the files podman wrote, whatever the chunking', () => {
  assert.ok(layers.length >= 5);
  for (const name of layers) {
    const tar = readFileSync(new URL(`${name}.tar`, dir));
    const want = gunzipSync(readFileSync(new URL(`${name}.tar-split.gz`, dir))).toString('utf8');
    for (const chunk of [1, 7, 512, 100_000]) assert.equal(split(tar, chunk), want, `${name} in chunks of ${chunk}`);
  }
});

test('tar-split: assembling from entries and files gives the tar back bit for bit', () => {
  for (const name of layers) {
    const tar = readFileSync(new URL(`${name}.tar`, dir));
    const files = new Map<string, Buffer>();
    let cur: TarHeader | undefined;
    let parts: Buffer[] = [];
    const sink: TarSink = {
      raw: () => {}, trailer: () => {},
      entry: (h) => { cur = h; parts = []; },
      data: (d) => parts.push(Buffer.from(d)),
      entryEnd: () => { if (cur) files.set(cur.name, Buffer.concat(parts)); },
    };
    const r = new TarReader(sink);
    r.write(tar);
    r.end();
    const entries = parseTarSplit(readFileSync(new URL(`${name}.tar-split.gz`, dir)));
    const rebuilt = Buffer.concat([...assembleTar(entries, (n) => files.get(n) ?? Buffer.alloc(0))]);
    assert.ok(rebuilt.equals(tar), name);
    // A changed file is caught by its CRC.
    const some = [...files].find(([, d]) => d.length > 0);
    if (some) {
      const bad = new Map(files).set(some[0], Buffer.alloc(some[1].length, 0x41));
      assert.throws(() => [...assembleTar(entries, (n) => bad.get(n) ?? Buffer.alloc(0))], /integrity checksum failed/);
    }
  }
});

function header(name: string, type: string, size: number, extra: { linkname?: string } = {}): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 'utf8');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  b.write(size.toString(8).padStart(11, '0') + '\0', 124);
  b.write('00000000000\0', 136);
  b.write(type, 156);
  if (extra.linkname) b.write(extra.linkname, 157);
  b.write('ustar\0' + '00', 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return b;
}

function tarOf(members: [string, string, Buffer | string][]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, type, data] of members) {
    const d = Buffer.from(data);
    parts.push(header(name, type, d.length), d, Buffer.alloc((512 - (d.length % 512)) % 512));
  }
  return Buffer.concat([...parts, Buffer.alloc(1024)]);
}

test('tar reader: refuses truncation, bad checksums, duplicates and sparse files', () => {
  const good = tarOf([['a', '0', 'hello'], ['d/', '5', '']]);
  assert.equal(split(good, 512).split('\n').length - 1, 6);
  const cases: [string, Buffer, RegExp][] = [
    ['truncated data', good.subarray(0, 600), /truncated/],
    ['no trailer', good.subarray(0, 1024), /truncated/],
    ['bad checksum', Buffer.concat([Buffer.alloc(10, 1), good.subarray(10)]), /checksum/],
    ['duplicate path', tarOf([['a', '0', 'x'], ['./a', '0', 'y']]), /appears twice/],
    ['sparse', tarOf([['s', 'S', '']]), /sparse/],
  ];
  for (const [what, tar, re] of cases) assert.throws(() => split(tar, 100), re, what);
});
