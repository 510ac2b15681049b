// Layer blobs' compression, sniffed from the first bytes as c/image does (gzip, zstd or
// none), and a streaming decoder for each. Used where a layer is read: the extractor
// (storage/layer-apply-main.ts) and the importer's hashing.
import { spawn } from 'node:child_process';
import { Duplex, PassThrough, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { zstdStream } from '../helpers/syscalls.js';

export interface Compression {
  name: string;
  /** c/storage's `compression` value in layers.json. */
  code: number;
  decoder: () => Duplex;
}

/** zstd through libzstd (koffi); the zstd CLI only when libzstd.so.1 is missing. */
function zstdDecoder(): Duplex {
  const z = zstdStream();
  if (z === undefined) {
    const child = spawn('zstd', ['-dcq'], { stdio: ['pipe', 'pipe', 'ignore'] });
    return Duplex.from({ writable: child.stdin, readable: child.stdout });
  }
  return new Transform({
    transform(chunk: Buffer, _enc, cb): void {
      try {
        for (const b of z.push(chunk)) this.push(b);
        cb();
      } catch (err) {
        z.close();
        cb(Object.assign(err as Error, { code: 'Z_DATA_ERROR' }));
      }
    },
    flush(cb): void {
      const complete = z.finished();
      z.close();
      cb(complete ? null : Object.assign(new Error('zstd: truncated frame'), { code: 'Z_BUF_ERROR' }));
    },
  });
}

// Magic numbers, as c/image's compression detection. Gunzip with 256 KiB output chunks:
// with zlib's 16 KiB default the per-chunk callbacks cost more than the inflating.
const compressions: { magic: number[]; c: Compression }[] = [
  { magic: [0x1f, 0x8b], c: { name: 'gzip', code: 2, decoder: () => createGunzip({ chunkSize: 256 * 1024 }) } },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], c: { name: 'zstd', code: 4, decoder: zstdDecoder } },
];
const uncompressed: Compression = { name: 'none', code: 0, decoder: () => new PassThrough() };

export function sniffCompression(head: Buffer): Compression {
  for (const { magic, c } of compressions) if (magic.every((b, i) => head[i] === b)) return c;
  return uncompressed;
}
