// A layer blob for a push: the exact layer tar rebuilt by storage/layer-diff-main.ts in
// the user namespace, checked against the layer's diff digest while it streams, gzipped
// into a temporary file whose digest and size become the manifest's descriptor.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { RrunError } from '../../oci/errors.js';
import type { LaunchPlan } from '../../helpers/protocol.js';
import type { IdMapping } from '../../helpers/idmap.js';
import { launch } from '../runtime/launch.js';
import { nodeTaskArgv, usernsTaskPlan } from '../runtime/userns-task.js';

export interface LayerBlob {
  file: string;
  digest: string;
  size: number;
}

export function diffPlan(diffDir: string, tarSplit: string): LaunchPlan {
  return usernsTaskPlan(nodeTaskArgv('storage/layer-diff-main.js', [diffDir, tarSplit]));
}

function hashing(hash: ReturnType<typeof createHash>, count: { n: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _e, cb): void {
      hash.update(chunk);
      count.n += chunk.length;
      cb(null, chunk);
    },
  });
}

export async function layerBlob(diffDir: string, tarSplit: string, diffDigest: string, out: string, idmap: IdMapping): Promise<LayerBlob> {
  let stdout: Readable | undefined;
  let ready: () => void = () => {};
  const started = new Promise<void>((r) => (ready = r));
  let tail = '';
  const done = launch(diffPlan(diffDir, tarSplit), {
    idmap,
    stdio: ['ignore', 'pipe', 'pipe'],
    forwardSignals: false,
    onStart: (h) => {
      stdout = h.stdout ?? undefined;
      h.stderr?.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-2000)));
      ready();
    },
  });
  await Promise.race([started, done]);
  if (stdout === undefined) throw new RrunError({ code: 'ERR_LAYER_EXPORT', message: `cannot start the layer exporter for ${diffDir}` });
  const raw = createHash('sha256');
  const rawCount = { n: 0 };
  const gz = createHash('sha256');
  const gzCount = { n: 0 };
  await pipeline(stdout, hashing(raw, rawCount), createGzip({ level: 6 }), hashing(gz, gzCount), createWriteStream(out, { mode: 0o600 }));
  const r = await done;
  const got = `sha256:${raw.digest('hex')}`;
  if (r.exitCode !== 0 || got !== diffDigest) {
    const lines = tail.trim().split('\n');
    const reported = lines.find((l) => l.startsWith('rrun-layer-diff: '))?.slice('rrun-layer-diff: '.length);
    const why = r.exitCode !== 0 ? (reported ?? (lines.slice(-6).join(' | ') || `exit ${r.exitCode}`)) : `rebuilt tar has digest ${got}, expected ${diffDigest}`;
    throw new RrunError({
      code: 'ERR_LAYER_EXPORT',
      message: `rebuilding layer ${diffDir}: ${why}`,
      subject: diffDir,
      hint: 'the layer files or its tar-split changed since it was stored; pull or build the image again',
    });
  }
  return { file: out, digest: `sha256:${gz.digest('hex')}`, size: gzCount.n };
}
