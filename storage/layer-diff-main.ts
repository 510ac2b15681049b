// The layer tar rebuilt from tar-split + `diff/`, as a process:
// `node layer-diff-main.js DIFF_DIR TAR_SPLIT_GZ` writes the exact original tar to
// stdout. Runs as root inside the user namespace (src/image/push-layer.ts): files of
// subordinate ids, 0600 ones included, are readable only there.
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assembleTar, parseTarSplit } from './tar-split.js';

const FAILURE_PREFIX = 'rrun-layer-diff: ';

async function main(): Promise<void> {
  const [dir, tarSplit] = process.argv.slice(2);
  if (dir === undefined || tarSplit === undefined) throw new Error('usage: layer-diff-main DIFF_DIR TAR_SPLIT_GZ');
  const entries = parseTarSplit(readFileSync(tarSplit));
  // Member names are relative to the layer root; normalising keeps them below it.
  const file = (name: string): Buffer => readFileSync(posix.join(dir, posix.normalize(`/${name}`)));
  await pipeline(Readable.from(assembleTar(entries, file), { objectMode: false }), process.stdout);
}

main().catch((err: unknown) => {
  const e = err as { message?: string; code?: string };
  process.stderr.write(`${FAILURE_PREFIX}${JSON.stringify({ message: e.message ?? String(err), code: e.code })}\n`);
  process.exit(1);
});
