// The table of verbs. Each entry loads its module only when chosen, so the start-up
// path of a command imports only what that command needs.
import type { GlobalOptions } from '../context.js';

export interface VerbModule {
  /** Run the verb with its own arguments; resolves to the process exit code. */
  main(argv: string[], globals: GlobalOptions, name: string): Promise<number>;
}

export interface Verb {
  /** Words that select the verb: `images`, or `image inspect`. */
  path: readonly string[];
  summary: string;
  load: () => Promise<VerbModule>;
  /** Not listed in help (aliases). */
  hidden?: boolean;
}

const images = (): Promise<VerbModule> => import('./commands/images.js');
const imageInspect = (): Promise<VerbModule> => import('./commands/image-inspect.js');
const info = (): Promise<VerbModule> => import('./commands/info.js');
const version = (): Promise<VerbModule> => import('./commands/version.js');
const runVerb = (): Promise<VerbModule> => import('./commands/run.js');
const pullVerb = (): Promise<VerbModule> => import('./commands/pull.js');
const doctorVerb = (): Promise<VerbModule> => import('./commands/doctor.js');

export const verbs: readonly Verb[] = [
  { path: ['run'], summary: 'Run a command in a new container', load: runVerb },
  { path: ['container', 'run'], summary: 'Run a command in a new container', load: runVerb, hidden: true },
  { path: ['pull'], summary: 'Pull an image from a registry', load: pullVerb },
  { path: ['image', 'pull'], summary: 'Pull an image from a registry', load: pullVerb, hidden: true },
  { path: ['images'], summary: 'List images in local storage', load: images },
  { path: ['image', 'ls'], summary: 'List images in local storage', load: images },
  { path: ['image', 'list'], summary: 'List images in local storage', load: images, hidden: true },
  { path: ['image', 'inspect'], summary: 'Display the configuration of an image', load: imageInspect },
  { path: ['info'], summary: 'Display rrun related system information', load: info },
  { path: ['system', 'info'], summary: 'Display rrun related system information', load: info, hidden: true },
  { path: ['doctor'], summary: 'Check this machine for rootless containers and say how to fix it', load: doctorVerb },
  { path: ['version'], summary: 'Display the rrun version information', load: version },
];

/** The verb named by the leading words of argv (longest match), and the rest. */
export function findVerb(argv: readonly string[]): { verb: Verb; rest: string[] } | undefined {
  let best: Verb | undefined;
  for (const verb of verbs) {
    const matches = verb.path.every((word, i) => argv[i] === word);
    if (matches && (best === undefined || verb.path.length > best.path.length)) best = verb;
  }
  return best === undefined ? undefined : { verb: best, rest: argv.slice(best.path.length) };
}

/** Group words that have sub-verbs (`image`), for "missing sub-command" errors. */
export function groupWords(): Set<string> {
  return new Set(verbs.filter((v) => v.path.length > 1).map((v) => v.path[0] as string));
}
