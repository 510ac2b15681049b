// One layer of a pull, streamed once: blob bytes → sha256 (against the manifest digest)
// → decompression (gzip, zstd or none, sniffed from the bytes as c/image does) → sha256
// (against the config's diffID) → our tar reader (tar-split, uid/gid sets) and, in
// parallel, the extractor in the user namespace. Nothing is registered here: the result
// is a staged layer that storage/layers-write.ts moves into the store under the lock.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { Duplex, PassThrough, Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { RrunError } from '../../oci/errors.js';
import type { Descriptor } from '../../oci/image.js';
import type { IdMapping } from '../../helpers/idmap.js';
import { zstdStream } from '../../helpers/syscalls.js';
import { TarReader, type TarHeader, type TarSink } from '../../storage/tar-reader.js';
import { tarSplitToStream } from '../../storage/tar-split.js';
import type { StagedLayer } from '../../storage/layers-write.js';
import type { Progress } from '../registry/progress.js';
import { startExtractor, type ExtractTarget, type Extractor } from './pull-extract.js';

export interface LayerJob {
  desc: Descriptor;
  diffId: string;
  id: string;
  parent: string | undefined;
}

/** A layer blob's bytes: from a registry (pull) or an archive (load). */
export type BlobReader = (desc: Descriptor, o?: { attempts?: number }) => AsyncIterable<Buffer>;

export interface LayerEnv {
  blobs: BlobReader;
  stagingRoot: string;
  idmap: IdMapping;
  whiteouts: ExtractTarget['whiteouts'];
  opaqueXattr: string;
  progress: Progress;
  removeTree: (dir: string) => Promise<void>;
}

type Compression = { name: string; code: number; decoder: () => Duplex };

// Magic numbers, as c/image's compression detection.
const compressions: { magic: number[]; c: Compression }[] = [
  // 256 KiB output chunks: with zlib's 16 KiB default, the per-chunk callbacks on the main
  // thread cost more than the inflating on the thread pool.
  { magic: [0x1f, 0x8b], c: { name: 'gzip', code: 2, decoder: () => createGunzip({ chunkSize: 256 * 1024 }) } },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], c: { name: 'zstd', code: 4, decoder: zstdDecoder } },
];
const uncompressed: Compression = { name: 'none', code: 0, decoder: () => new PassThrough() };

export function sniffCompression(head: Buffer): Compression {
  for (const { magic, c } of compressions) if (magic.every((b, i) => head[i] === b)) return c;
  return uncompressed;
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
        cb(err as Error);
      }
    },
    flush(cb): void {
      const complete = z.finished();
      z.close();
      cb(complete ? null : Object.assign(new Error('zstd: truncated frame'), { code: 'Z_BUF_ERROR' }));
    },
  });
}

/** Collects what layers.json records from the tar headers: uidset/gidset. */
class IdSets implements TarSink {
  readonly uids = new Set<number>();
  readonly gids = new Set<number>();
  raw(): void {}
  data(): void {}
  entryEnd(): void {}
  trailer(): void {}
  entry(h: TarHeader): void {
    const base = h.name.replace(/\/+$/, '').split('/').pop() ?? '';
    if (base.startsWith('.wh.')) return; // c/storage leaves whiteouts out of the sets
    this.uids.add(h.uid);
    this.gids.add(h.gid);
  }
}

function both(a: TarSink, b: TarSink): TarSink {
  return {
    raw: (x) => (a.raw(x), b.raw(x)),
    entry: (h) => (a.entry(h), b.entry(h)),
    data: (x) => (a.data(x), b.data(x)),
    entryEnd: () => (a.entryEnd(), b.entryEnd()),
    trailer: () => (a.trailer(), b.trailer()),
  };
}

function mismatch(what: string, digest: string, want: string, got: string): RrunError {
  return new RrunError({
    code: 'ERR_DIGEST_MISMATCH',
    message: `${what} of layer ${digest}: expected ${want}, got ${got}`,
    subject: digest,
    hint: 'the blob was altered or damaged at its source (registry or archive) or on the way; nothing was registered',
  });
}

/** A gzip/zstd or tar format error: the blob itself may be damaged. */
function looksDamaged(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return (err instanceof RrunError && err.code === 'ERR_LAYER_TAR') || (typeof code === 'string' && code.startsWith('Z_'));
}

/** The digest of the blob as its source serves it (a second read, only after a failure). */
async function blobDigest(env: LayerEnv, desc: Descriptor): Promise<string> {
  const h = createHash('sha256');
  let n = 0;
  for await (const c of env.blobs(desc, { attempts: 2 })) {
    n += c.length;
    if (n > desc.size) break;
    h.update(c);
  }
  return `sha256:${h.digest('hex')}`;
}

/** Continue after 'drain', or give up quietly when the extractor went away (its status says why). */
function waitWritable(w: Writable, cb: () => void): void {
  const go = (): void => {
    w.off('drain', go);
    w.off('close', go);
    cb();
  };
  w.on('drain', go);
  w.on('close', go);
}

const sortNum = (s: Set<number>): number[] => [...s].sort((x, y) => x - y);

/** Download, verify and extract one layer into a staging directory. */
export async function stageLayer(env: LayerEnv, job: LayerJob): Promise<StagedLayer> {
  const { desc } = job;
  const base = `${env.stagingRoot}/${randomBytes(8).toString('hex')}`;
  const stagingDir = `${base}.d`;
  const tarSplitFile = `${base}.tar-split.gz`;
  const label = `Copying blob ${desc.digest.replace(/^sha256:/, '').slice(0, 12)}`;
  env.progress.add(desc.digest, label, desc.size);
  const extractor = startExtractor({ dir: stagingDir, whiteouts: env.whiteouts, opaqueXattr: env.opaqueXattr }, env.idmap);
  const tarSplitOut = tarSplitToStream(createWriteStream(tarSplitFile, { mode: 0o600 }));
  try {
    const r = await streamLayer(env, job, extractor, tarSplitOut.builder);
    await tarSplitOut.close();
    await extractor.done;
    if (r.compressedDigest !== desc.digest) throw mismatch('digest', desc.digest, desc.digest, r.compressedDigest);
    if (r.compressedSize !== desc.size) throw mismatch('size', desc.digest, String(desc.size), String(r.compressedSize));
    if (r.diffDigest !== job.diffId) throw mismatch('diffID (uncompressed digest)', desc.digest, job.diffId, r.diffDigest);
    env.progress.finish(desc.digest);
    return { id: job.id, parent: job.parent, ...r, stagingDir, tarSplitFile };
  } catch (err) {
    extractor.abort();
    await extractor.done.catch(() => undefined);
    await tarSplitOut.close().catch(() => undefined);
    rmSync(tarSplitFile, { force: true });
    await env.removeTree(stagingDir).catch(() => undefined);
    env.progress.finish(desc.digest, 'failed');
    throw err;
  }
}

interface Streamed {
  compressedDigest: string;
  compressedSize: number;
  diffDigest: string;
  diffSize: number;
  compression: number;
  uidset: number[];
  gidset: number[];
}

async function streamLayer(env: LayerEnv, job: LayerJob, extractor: Extractor, tarSplit: TarSink): Promise<Streamed> {
  const { desc } = job;
  const compressedHash = createHash('sha256');
  let compressedSize = 0;
  const diffHash = createHash('sha256');
  let diffSize = 0;
  const ids = new IdSets();
  const reader = new TarReader(both(tarSplit, ids));
  const stdin = await extractor.stdin;

  async function* tapped(): AsyncGenerator<Buffer> {
    for await (const chunk of env.blobs(desc)) {
      compressedSize += chunk.length;
      if (compressedSize > desc.size) throw mismatch('size', desc.digest, String(desc.size), `more than ${desc.size} bytes`);
      compressedHash.update(chunk);
      env.progress.advance(desc.digest, chunk.length);
      yield chunk;
    }
  }
  const blob = tapped();
  const first = await blob.next();
  const head = first.done === true ? Buffer.alloc(0) : first.value;
  const compression = sniffCompression(head);
  async function* all(): AsyncGenerator<Buffer> {
    if (first.done !== true) yield head;
    yield* blob;
  }
  const source = Readable.from(all(), { objectMode: false });
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb): void {
      diffHash.update(chunk);
      diffSize += chunk.length;
      try {
        reader.write(chunk);
      } catch (err) {
        cb(err as Error);
        return;
      }
      if (stdin.write(chunk)) cb();
      else waitWritable(stdin, cb);
    },
    final(cb): void {
      try {
        reader.end();
      } catch (err) {
        cb(err as Error);
        return;
      }
      stdin.end(cb);
    },
  });
  // The extractor failing (an unsafe member, say) must stop the download at once.
  const flowing = pipeline(source, compression.decoder(), sink);
  try {
    await Promise.all([flowing, extractor.done]);
  } catch (err) {
    source.destroy();
    await flowing.catch(() => undefined);
    // A damaged blob usually breaks gzip or the tar first: finish hashing it so the
    // error names the real cause, a digest mismatch.
    if (looksDamaged(err)) {
      const got = await blobDigest(env, desc).catch(() => undefined);
      if (got !== undefined && got !== desc.digest) throw Object.assign(mismatch('digest', desc.digest, desc.digest, got), { cause: err });
    }
    throw err;
  }
  return {
    compressedDigest: `sha256:${compressedHash.digest('hex')}`,
    compressedSize,
    diffDigest: `sha256:${diffHash.digest('hex')}`,
    diffSize,
    compression: compression.code,
    uidset: sortNum(ids.uids),
    gidset: sortNum(ids.gids),
  };
}
