// Turning an overlay upper directory into a staged layer (what layers-write.ts commits):
// the diff tar is streamed once through our tar reader into the tar-split builder, the
// extractor (the layer's `diff` as pull would have written it) and the uid/gid sets,
// while its sha256 becomes the diffID. Runs as root in the user namespace.
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { LayerApplier, type ApplyOptions } from './layer-apply.js';
import { diffTar, type DiffOptions } from './layer-create.js';
import { TarReader, type TarHeader, type TarSink } from './tar-reader.js';
import { tarSplitToStream } from './tar-split.js';

export interface StageDiffJob extends ApplyOptions {
  upper: string;
  /** Where the layer's `diff` tree is created (must not exist). */
  stagingDir: string;
  tarSplitFile: string;
  exclude?: string[] | undefined;
}

export interface StagedDiff {
  diffDigest: string;
  diffSize: number;
  uidset: number[];
  gidset: number[];
}

function fanOut(sinks: TarSink[]): TarSink {
  return {
    raw: (x) => sinks.forEach((s) => s.raw(x)),
    entry: (h: TarHeader) => sinks.forEach((s) => s.entry(h)),
    data: (x) => sinks.forEach((s) => s.data(x)),
    entryEnd: () => sinks.forEach((s) => s.entryEnd()),
    trailer: () => sinks.forEach((s) => s.trailer()),
  };
}

export async function stageDiff(job: StageDiffJob, diff: DiffOptions = {}): Promise<StagedDiff> {
  mkdirSync(job.stagingDir, { mode: 0o700 });
  const applier = new LayerApplier(job.stagingDir, { whiteouts: job.whiteouts, opaqueXattr: job.opaqueXattr });
  const uids = new Set<number>();
  const gids = new Set<number>();
  const ids: TarSink = {
    raw: () => {}, data: () => {}, entryEnd: () => {}, trailer: () => {},
    entry: (h) => {
      if ((h.name.replace(/\/+$/, '').split('/').pop() ?? '').startsWith('.wh.')) return; // as c/storage
      uids.add(h.uid);
      gids.add(h.gid);
    },
  };
  const out = tarSplitToStream(createWriteStream(job.tarSplitFile, { mode: 0o600 }));
  const reader = new TarReader(fanOut([out.builder, applier, ids]));
  const hash = createHash('sha256');
  let size = 0;
  for (const chunk of diffTar(job.upper, { ...diff, exclude: new Set(job.exclude ?? []) })) {
    hash.update(chunk);
    size += chunk.length;
    reader.write(chunk);
  }
  reader.end();
  applier.finish();
  await out.close();
  const sorted = (s: Set<number>): number[] => [...s].sort((a, b) => a - b);
  return { diffDigest: `sha256:${hash.digest('hex')}`, diffSize: size, uidset: sorted(uids), gidset: sorted(gids) };
}
