// Running the layer extractor (storage/layer-apply-main.ts) as root inside a user
// namespace with podman's mapping, the tar on its stdin: the same recipe as
// src/runtime/remove-tree.ts (namespaces only, no setup ops). Only then can it chown to
// subordinate ids and create the 0:0 whiteout devices that podman's own pull creates.
import { Writable } from 'node:stream';
import { RrunError } from '../../oci/errors.js';
import type { LaunchPlan } from '../../helpers/protocol.js';
import type { IdMapping } from '../../helpers/idmap.js';
import type { HelperProcess } from '../../helpers/nsexec.js';
import { launch } from '../runtime/launch.js';
import { nodeTaskArgv, usernsTaskPlan } from '../runtime/userns-task.js';

const FAILURE_PREFIX = 'rrun-layer-apply: ';

export interface ExtractTarget {
  dir: string;
  whiteouts: 'overlay' | 'aufs';
  opaqueXattr: string;
}

export function extractPlan(t: ExtractTarget, node = process.execPath): LaunchPlan {
  return usernsTaskPlan(nodeTaskArgv('storage/layer-apply-main.js', [t.dir, t.whiteouts, t.opaqueXattr], node));
}

export interface Extractor {
  /** The tar goes here; end it when the layer is complete. */
  stdin: Promise<Writable>;
  /** Resolves when the extractor finished successfully. */
  done: Promise<void>;
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
  const done = launch(extractPlan(t), {
    idmap,
    stdio: ['pipe', 'ignore', 'pipe'],
    forwardSignals: false,
    signal: controller.signal,
    graceMs: 1000,
    onStart: (h) => {
      helper = h;
      if (h.stdin === null) throw new Error('extractor without stdin');
      h.stdin.on('error', () => {}); // EPIPE when it failed early: reported through its status
      gotStdin(h.stdin);
    },
  }).then((r) => {
    if (r.exitCode !== 0) throw failure(t.dir, helper?.stderrTail() ?? '', r.exitCode);
  });
  // Nobody waits on stdin once `done` failed before start.
  done.catch(() => gotStdin(devNull()));
  return { stdin, done, abort: () => controller.abort() };
}

function devNull(): Writable {
  // A sink so a producer racing a failed launch never blocks; the failure wins anyway.
  return new Writable({ write: (_chunk, _enc, cb) => cb() });
}
