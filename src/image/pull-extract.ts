// Running the layer extractor (storage/layer-apply-main.ts) as root inside a user
// namespace with podman's mapping, the blob on its stdin, its facts on its stdout: the same recipe as
// src/runtime/remove-tree.ts (namespaces only, no setup ops). Only then can it chown to
// subordinate ids and create the 0:0 whiteout devices that podman's own pull creates.
import { Writable } from 'node:stream';
import { RrunError } from '../../oci/errors.js';
import type { LaunchPlan } from '../../helpers/protocol.js';
import type { IdMapping } from '../../helpers/idmap.js';
import type { HelperProcess } from '../../helpers/nsexec.js';
import { launch } from '../runtime/launch.js';
import type { LayerFacts } from '../../storage/layer-stream.js';
import { nodeTaskArgv, usernsTaskPlan } from '../runtime/userns-task.js';

const FAILURE_PREFIX = 'rrun-layer-apply: ';

export interface ExtractTarget {
  dir: string;
  whiteouts: 'overlay' | 'aufs';
  opaqueXattr: string;
  tarSplitFile: string;
}

export function extractPlan(t: ExtractTarget, node = process.execPath): LaunchPlan {
  return usernsTaskPlan(nodeTaskArgv('storage/layer-apply-main.js', [t.dir, t.whiteouts, t.opaqueXattr, t.tarSplitFile], node));
}

export interface Extractor {
  /** The blob goes here, as served; end it when it is complete. */
  stdin: Promise<Writable>;
  /** Resolves with the layer's facts when the extractor finished successfully. */
  done: Promise<LayerFacts>;
  abort(): void;
}

function failure(dir: string, tail: string, exitCode: number): RrunError {
  const line = tail.split('\n').reverse().find((l) => l.startsWith(FAILURE_PREFIX));
  let detail = tail.trim().split('\n').slice(-3).join('; ');
  let code = 'ERR_LAYER_EXTRACT';
  if (line !== undefined) {
    const parsed = JSON.parse(line.slice(FAILURE_PREFIX.length)) as { message: string; code?: string };
    detail = parsed.message;
    if (parsed.code?.startsWith('ERR_LAYER')) code = parsed.code;
    // zlib's Z_DATA_ERROR and friends: the blob does not decompress.
    else if (parsed.code?.startsWith('Z_')) code = 'ERR_LAYER_COMPRESSION';
  }
  return new RrunError({
    code,
    message: `extracting layer into ${dir}: ${detail || `extractor exited with ${exitCode}`}`,
    subject: dir,
    hint: code === 'ERR_LAYER_UNSAFE' ? 'the image has a malicious or broken layer; nothing was registered' : 'nothing was registered; retry the pull',
  });
}

export function startExtractor(t: ExtractTarget, idmap: IdMapping): Extractor {
  const controller = new AbortController();
  let helper: HelperProcess | undefined;
  let gotStdin: (w: Writable) => void = () => {};
  const stdin = new Promise<Writable>((resolve) => (gotStdin = resolve));
  let out = '';
  const done = launch(extractPlan(t), {
    idmap,
    stdio: ['pipe', 'pipe', 'pipe'],
    forwardSignals: false,
    signal: controller.signal,
    graceMs: 1000,
    onStart: (h) => {
      helper = h;
      if (h.stdin === null) throw new Error('extractor without stdin');
      h.stdin.on('error', () => {}); // EPIPE when it failed early: reported through its status
      h.stdout?.setEncoding('utf8').on('data', (d: string) => {
        out += d;
      });
      gotStdin(h.stdin);
    },
  }).then((r) => {
    if (r.exitCode !== 0) throw failure(t.dir, helper?.stderrTail() ?? '', r.exitCode);
    return parseFacts(t.dir, out);
  });
  // Nobody waits on stdin once `done` failed before start.
  done.catch(() => gotStdin(devNull()));
  return { stdin, done, abort: () => controller.abort() };
}

function parseFacts(dir: string, out: string): LayerFacts {
  try {
    const f = JSON.parse(out) as LayerFacts;
    if (typeof f.diffDigest === 'string' && typeof f.diffSize === 'number' && Array.isArray(f.uidset) && Array.isArray(f.gidset)) return f;
  } catch {
    // reported below
  }
  throw new RrunError({ code: 'ERR_LAYER_EXTRACT', message: `extracting layer into ${dir}: the extractor reported ${JSON.stringify(out.slice(0, 200))}`, subject: dir });
}

function devNull(): Writable {
  // A sink so a producer racing a failed launch never blocks; the failure wins anyway.
  return new Writable({ write: (_chunk, _enc, cb) => cb() });
}
