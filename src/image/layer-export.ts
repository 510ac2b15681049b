// A stored layer's exact tar as a stream: storage/layer-diff-main.ts replays the layer's
// tar-split over its `diff/` as root in the user namespace (files of subordinate ids are
// readable only there), and the bytes are checked against the layer's diff digest as
// they pass. The last chunk is held back until the check passed, so a consumer never
// sees a complete-looking but wrong layer.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { RrunError } from '../../oci/errors.js';
import type { IdMapping } from '../../helpers/idmap.js';
import { layerDirs, type StorePaths } from '../../storage/paths.js';
import type { LayerRecord } from '../../storage/records.js';
import { launch } from '../runtime/launch.js';
import { diffPlan } from './push-layer.js';

function exportError(layer: string, why: string): RrunError {
  return new RrunError({
    code: 'ERR_LAYER_EXPORT', subject: layer,
    message: `rebuilding layer ${layer}: ${why}`,
    hint: 'the layer files or its tar-split changed since it was stored; pull or load the image again',
  });
}

export async function* storedLayerTar(paths: StorePaths, layer: LayerRecord, idmap: IdMapping): AsyncGenerator<Buffer> {
  let stdout: Readable | undefined;
  let tail = '';
  let started: () => void = () => {};
  const ready = new Promise<void>((r) => (started = r));
  const done = launch(diffPlan(layerDirs(paths, layer.id).diff, `${paths.layersDir}/${layer.id}.tar-split.gz`), {
    idmap, stdio: ['ignore', 'pipe', 'pipe'], forwardSignals: false,
    onStart: (h) => {
      stdout = h.stdout ?? undefined;
      h.stderr?.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-2000)));
      started();
    },
  });
  await Promise.race([ready, done]);
  if (stdout === undefined) throw exportError(layer.id, 'the layer exporter did not start');
  const hash = createHash('sha256');
  let held: Buffer | undefined;
  try {
    for await (const c of stdout) {
      hash.update(c as Buffer);
      if (held !== undefined) yield held;
      held = c as Buffer;
    }
  } finally {
    if (!stdout.readableEnded) stdout.destroy();
  }
  const r = await done;
  const got = `sha256:${hash.digest('hex')}`;
  if (r.exitCode !== 0) {
    const reported = tail.split('\n').find((l) => l.startsWith('rrun-layer-diff: '))?.slice('rrun-layer-diff: '.length);
    throw exportError(layer.id, reported ?? (tail.trim().split('\n').slice(-3).join(' | ') || `exit ${r.exitCode}`));
  }
  if (got !== layer['diff-digest']) throw exportError(layer.id, `rebuilt tar has digest ${got}, expected ${layer['diff-digest'] ?? '(none)'}`);
  if (held !== undefined) yield held;
}
