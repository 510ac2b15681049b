// One layer blob, as served, into a directory — the work of the extractor process: sniff
// the compression, decompress, hash the tar (the diffID), parse it once for three sinks
// (the files, the tar-split file c/storage keeps beside the layer, the uid/gid sets of
// layers.json). Runs inside the user namespace so that files get their owners and
// whiteouts can be made; the caller checks the blob's own digest on the way in.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sniffCompression } from './decompress.js';
import { LayerApplier, type ApplyOptions } from './layer-apply.js';
import { TarReader, type TarHeader, type TarSink } from './tar-reader.js';
import { tarSplitToStream } from './tar-split.js';

/** What the extractor reports: layers.json's diff fields. */
export interface LayerFacts {
  diffDigest: string;
  diffSize: number;
  /** c/storage's compression code of the blob (0 none, 2 gzip, 4 zstd). */
  compression: number;
  uidset: number[];
  gidset: number[];
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

function all(sinks: TarSink[]): TarSink {
  return {
    raw: (x) => sinks.forEach((s) => s.raw(x)),
    entry: (h) => sinks.forEach((s) => s.entry(h)),
    data: (x) => sinks.forEach((s) => s.data(x)),
    entryEnd: () => sinks.forEach((s) => s.entryEnd()),
    trailer: () => sinks.forEach((s) => s.trailer()),
  };
}

const sorted = (s: Set<number>): number[] => [...s].sort((x, y) => x - y);

/** Extract `blob` (compressed or not) into `dir` (which must exist), writing `tarSplitFile`. */
export async function applyLayerBlob(blob: AsyncIterable<Buffer>, dir: string, opts: ApplyOptions, tarSplitFile: string): Promise<LayerFacts> {
  const iter = blob[Symbol.asyncIterator]();
  const first = await iter.next();
  const head = first.done === true ? Buffer.alloc(0) : first.value;
  const compression = sniffCompression(head);
  async function* rest(): AsyncGenerator<Buffer> {
    if (first.done === true) return;
    yield head;
    for (let r = await iter.next(); r.done !== true; r = await iter.next()) yield r.value;
  }
  const applier = new LayerApplier(dir, opts);
  const ids = new IdSets();
  const tarSplit = tarSplitToStream(createWriteStream(tarSplitFile, { mode: 0o600 }));
  const reader = new TarReader(all([applier, tarSplit.builder, ids]));
  const diffHash = createHash('sha256');
  let diffSize = 0;
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb): void {
      diffHash.update(chunk);
      diffSize += chunk.length;
      try {
        reader.write(chunk);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    final(cb): void {
      try {
        reader.end();
        applier.finish();
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
  try {
    await pipeline(Readable.from(rest(), { objectMode: false }), compression.decoder(), sink);
  } catch (err) {
    // The first failure is the one to report; the half-written tar-split is the caller's to remove.
    await tarSplit.close().catch(() => undefined);
    throw err;
  }
  await tarSplit.close();
  return {
    diffDigest: `sha256:${diffHash.digest('hex')}`,
    diffSize,
    compression: compression.code,
    uidset: sorted(ids.uids),
    gidset: sorted(ids.gids),
  };
}
