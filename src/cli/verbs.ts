// The table of verbs. Each entry names its module; the CLI loads only the chosen one (one
// self-contained bundle per module, see src/cli/bundle.mjs), so the start-up path of a
// command loads only what that command needs.
import type { GlobalOptions } from '../context.js';

export interface VerbModule {
  /** Run the verb with its own arguments; resolves to the process exit code. */
  main(argv: string[], globals: GlobalOptions, name: string): Promise<number>;
}

export interface Verb {
  /** Words that select the verb: `images`, or `image inspect`. */
  path: readonly string[];
  summary: string;
  /** The verb's module under `commands/` (and the name of its CLI bundle). */
  module: string;
  /** Not listed in help (aliases). */
  hidden?: boolean;
}

export const verbs: readonly Verb[] = [
  { path: ['run'], summary: 'Run a command in a new container', module: 'run' },
  { path: ['container', 'run'], summary: 'Run a command in a new container', module: 'run', hidden: true },
  { path: ['create'], summary: 'Create but do not start a container', module: 'create' },
  { path: ['start'], summary: 'Start one or more containers', module: 'start' },
  { path: ['ps'], summary: "List rrun's containers", module: 'ps' },
  { path: ['logs'], summary: 'Fetch the logs of a container', module: 'logs' },
  { path: ['stop'], summary: 'Stop one or more containers', module: 'stop' },
  { path: ['kill'], summary: 'Kill one or more running containers with a specific signal', module: 'kill' },
  { path: ['rm'], summary: 'Remove one or more containers', module: 'rm' },
  { path: ['wait'], summary: 'Block on one or more containers', module: 'wait' },
  { path: ['exec'], summary: 'Run a process in a running container', module: 'exec' },
  { path: ['inspect'], summary: 'Display the configuration of a container', module: 'inspect' },
  { path: ['cp'], summary: 'Copy files/folders between a container and the local filesystem', module: 'cp' },
  { path: ['container', 'cp'], summary: '', module: 'cp', hidden: true },
  { path: ['volume', 'create'], summary: 'Create a new volume', module: 'volume' },
  { path: ['volume', 'ls'], summary: 'List volumes', module: 'volume' },
  { path: ['volume', 'list'], summary: 'List volumes', module: 'volume', hidden: true },
  { path: ['volume', 'inspect'], summary: 'Display detailed information on one or more volumes', module: 'volume' },
  { path: ['volume', 'rm'], summary: 'Remove one or more volumes', module: 'volume' },
  { path: ['volume', 'remove'], summary: 'Remove one or more volumes', module: 'volume', hidden: true },
  { path: ['volume', 'prune'], summary: 'Remove all unused volumes', module: 'volume' },
  { path: ['volume', 'exists'], summary: 'Check if volume exists', module: 'volume' },
  ...(['create', 'start', 'ps', 'logs', 'stop', 'kill', 'rm', 'wait', 'exec', 'inspect'] as const).map((w) => ({
    path: ['container', w === 'ps' ? 'ls' : w], summary: '', hidden: true, module: w,
  })),
  { path: ['container', 'list'], summary: '', module: 'ps', hidden: true },
  { path: ['container', 'prune'], summary: 'Remove all non running containers', module: 'container-prune' },
  { path: ['container', 'cleanup'], summary: 'Clean up after a container exited (the monitor runs this)', module: 'container-cleanup', hidden: true },
  { path: ['pull'], summary: 'Pull an image from a registry', module: 'pull' },
  { path: ['image', 'pull'], summary: 'Pull an image from a registry', module: 'pull', hidden: true },
  { path: ['push'], summary: 'Push an image to a specified destination', module: 'push' },
  { path: ['image', 'push'], summary: 'Push an image to a specified destination', module: 'push', hidden: true },
  { path: ['tag'], summary: 'Add an additional name to a local image', module: 'tag' },
  { path: ['build'], summary: 'Build an image from a Containerfile', module: 'build' },
  { path: ['image', 'build'], summary: 'Build an image from a Containerfile', module: 'build', hidden: true },
  { path: ['image', 'tag'], summary: 'Add an additional name to a local image', module: 'tag', hidden: true },
  { path: ['rmi'], summary: 'Remove one or more images from local storage', module: 'rmi' },
  { path: ['image', 'rm'], summary: 'Remove one or more images from local storage', module: 'rmi', hidden: true },
  { path: ['save'], summary: 'Save image(s) to an archive', module: 'save' },
  { path: ['image', 'save'], summary: 'Save image(s) to an archive', module: 'save', hidden: true },
  { path: ['import'], summary: 'Import a tarball to create a filesystem image', module: 'import' },
  { path: ['image', 'import'], summary: 'Import a tarball to create a filesystem image', module: 'import', hidden: true },
  { path: ['export'], summary: "Export container's filesystem contents as a tar archive", module: 'export' },
  { path: ['container', 'export'], summary: "Export container's filesystem contents as a tar archive", module: 'export', hidden: true },
  { path: ['commit'], summary: 'Create new image based on the changed container', module: 'commit' },
  { path: ['container', 'commit'], summary: 'Create new image based on the changed container', module: 'commit', hidden: true },
  { path: ['load'], summary: 'Load image(s) from a tar archive', module: 'load' },
  { path: ['image', 'load'], summary: 'Load image(s) from a tar archive', module: 'load', hidden: true },
  { path: ['login'], summary: 'Log in to a container registry', module: 'login' },
  { path: ['logout'], summary: 'Log out of a container registry', module: 'logout' },
  { path: ['history'], summary: 'Show history of a specified image', module: 'history' },
  { path: ['image', 'history'], summary: 'Show history of a specified image', module: 'history', hidden: true },
  { path: ['untag'], summary: 'Remove a name from a local image', module: 'untag' },
  { path: ['image', 'untag'], summary: 'Remove a name from a local image', module: 'untag', hidden: true },
  { path: ['port'], summary: 'List port mappings or a specific mapping for the container', module: 'port' },
  { path: ['container', 'port'], summary: 'List port mappings or a specific mapping for the container', module: 'port', hidden: true },
  { path: ['rename'], summary: 'Rename an existing container', module: 'rename' },
  { path: ['container', 'rename'], summary: 'Rename an existing container', module: 'rename', hidden: true },
  { path: ['diff'], summary: "Inspect changes to the container's file systems", module: 'diff' },
  { path: ['container', 'diff'], summary: "Inspect changes to the container's file systems", module: 'diff', hidden: true },
  { path: ['top'], summary: 'Display the running processes of a container', module: 'top' },
  { path: ['container', 'top'], summary: 'Display the running processes of a container', module: 'top', hidden: true },
  { path: ['images'], summary: 'List images in local storage', module: 'images' },
  { path: ['image', 'ls'], summary: 'List images in local storage', module: 'images' },
  { path: ['image', 'list'], summary: 'List images in local storage', module: 'images', hidden: true },
  { path: ['image', 'inspect'], summary: 'Display the configuration of an image', module: 'image-inspect' },
  { path: ['image', 'prune'], summary: 'Remove unused images', module: 'image-prune' },
  { path: ['image', 'exists'], summary: 'Check if an image exists in local storage', module: 'exists' },
  { path: ['container', 'exists'], summary: 'Check if a container exists in local storage', module: 'exists' },
  { path: ['info'], summary: 'Display rrun related system information', module: 'info' },
  { path: ['system', 'info'], summary: 'Display rrun related system information', module: 'info', hidden: true },
  { path: ['system', 'df'], summary: 'Show rrun disk usage', module: 'system-df' },
  { path: ['system', 'prune'], summary: 'Remove unused data', module: 'system-prune' },
  { path: ['doctor'], summary: 'Check this machine for rootless containers and say how to fix it', module: 'doctor' },
  { path: ['version'], summary: 'Display the rrun version information', module: 'version' },
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
