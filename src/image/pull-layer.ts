// One layer of a pull, streamed once: blob bytes → sha256 (against the manifest digest)
// → the extractor process in the user namespace (storage/layer-stream.ts), which
// decompresses (gzip, zstd or none, sniffed as c/image does), hashes the tar (against the
// config's diffID), extracts it and writes its tar-split and uid/gid sets. Nothing is
// registered here: the result is a staged layer that storage/layers-write.ts moves into
// the store under the lock.
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RrunError } from '../../oci/errors.js';
import type { Descriptor } from '../../oci/image.js';
import type { IdMapping } from '../../helpers/idmap.js';
import type { LayerFacts } from '../../storage/layer-stream.js';
import type { StagedLayer } from '../../storage/layers-write.js';
import type { Progress } from '../registry/progress.js';
import { trace } from '../trace.js';
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
  return err instanceof RrunError && (err.code === 'ERR_LAYER_TAR' || err.code === 'ERR_LAYER_COMPRESSION');
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

/** Download, verify and extract one layer into a staging directory. */
export async function stageLayer(env: LayerEnv, job: LayerJob): Promise<StagedLayer> {
  const { desc } = job;
  const base = `${env.stagingRoot}/${randomBytes(8).toString('hex')}`;
  const stagingDir = `${base}.d`;
  const tarSplitFile = `${base}.tar-split.gz`;
  const label = `Copying blob ${desc.digest.replace(/^sha256:/, '').slice(0, 12)}`;
  env.progress.add(desc.digest, label, desc.size);
  const extractor = startExtractor({ dir: stagingDir, whiteouts: env.whiteouts, opaqueXattr: env.opaqueXattr, tarSplitFile }, env.idmap);
  try {
    const r = await streamLayer(env, job, extractor);
    if (r.compressedDigest !== desc.digest) throw mismatch('digest', desc.digest, desc.digest, r.compressedDigest);
    if (r.compressedSize !== desc.size) throw mismatch('size', desc.digest, String(desc.size), String(r.compressedSize));
    if (r.diffDigest !== job.diffId) throw mismatch('diffID (uncompressed digest)', desc.digest, job.diffId, r.diffDigest);
    trace(`pull: layer ${desc.digest.slice(7, 19)} staged (${r.compressedSize} → ${r.diffSize} bytes)`);
    env.progress.finish(desc.digest);
    return { id: job.id, parent: job.parent, ...r, stagingDir, tarSplitFile };
  } catch (err) {
    extractor.abort();
    await extractor.done.catch(() => undefined);
    rmSync(tarSplitFile, { force: true });
    await env.removeTree(stagingDir).catch(() => undefined);
    env.progress.finish(desc.digest, 'failed');
    throw err;
  }
}

interface Streamed extends LayerFacts {
  compressedDigest: string;
  compressedSize: number;
}

async function streamLayer(env: LayerEnv, job: LayerJob, extractor: Extractor): Promise<Streamed> {
  const { desc } = job;
  const compressedHash = createHash('sha256');
  let compressedSize = 0;
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
  const source = Readable.from(tapped(), { objectMode: false });
  // The extractor failing (an unsafe member, say) must stop the download at once.
  const flowing = pipeline(source, stdin);
  let facts: LayerFacts;
  try {
    [, facts] = await Promise.all([flowing, extractor.done]);
  } catch (err) {
    source.destroy();
    await flowing.catch(() => undefined);
    // A damaged blob usually breaks decompression or the tar first: finish hashing it
    // so the error names the real cause, a digest mismatch.
    if (looksDamaged(err)) {
      const got = await blobDigest(env, desc).catch(() => undefined);
      if (got !== undefined && got !== desc.digest) throw Object.assign(mismatch('digest', desc.digest, desc.digest, got), { cause: err });
    }
    throw err;
  }
  return { ...facts, compressedDigest: `sha256:${compressedHash.digest('hex')}`, compressedSize };
}
