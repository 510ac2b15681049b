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
const createVerb = (): Promise<VerbModule> => import('./commands/create.js');
const startVerb = (): Promise<VerbModule> => import('./commands/start.js');
const psVerb = (): Promise<VerbModule> => import('./commands/ps.js');
const logsVerb = (): Promise<VerbModule> => import('./commands/logs.js');
const stopVerb = (): Promise<VerbModule> => import('./commands/stop.js');
const killVerb = (): Promise<VerbModule> => import('./commands/kill.js');
const rmVerb = (): Promise<VerbModule> => import('./commands/rm.js');
const waitVerb = (): Promise<VerbModule> => import('./commands/wait.js');
const execVerb = (): Promise<VerbModule> => import('./commands/exec.js');
const inspectVerb = (): Promise<VerbModule> => import('./commands/inspect.js');
const pruneVerb = (): Promise<VerbModule> => import('./commands/container-prune.js');
const cleanupVerb = (): Promise<VerbModule> => import('./commands/container-cleanup.js');
const pullVerb = (): Promise<VerbModule> => import('./commands/pull.js');
const loginVerb = (): Promise<VerbModule> => import('./commands/login.js');
const logoutVerb = (): Promise<VerbModule> => import('./commands/logout.js');
const pushVerb = (): Promise<VerbModule> => import('./commands/push.js');
const tagVerb = (): Promise<VerbModule> => import('./commands/tag.js');
const buildVerb = (): Promise<VerbModule> => import('./commands/build.js');
const rmiVerb = (): Promise<VerbModule> => import('./commands/rmi.js');
const doctorVerb = (): Promise<VerbModule> => import('./commands/doctor.js');
const existsVerb = (): Promise<VerbModule> => import('./commands/exists.js');
const cpVerb = (): Promise<VerbModule> => import('./commands/cp.js');
const volumeVerb = (): Promise<VerbModule> => import('./commands/volume.js');
const loadVerb = (): Promise<VerbModule> => import('./commands/load.js');
const saveVerb = (): Promise<VerbModule> => import('./commands/save.js');
const exportVerb = (): Promise<VerbModule> => import('./commands/export.js');
const importVerb = (): Promise<VerbModule> => import('./commands/import.js');
const commitVerb = (): Promise<VerbModule> => import('./commands/commit.js');
const historyVerb = (): Promise<VerbModule> => import('./commands/history.js');
const untagVerb = (): Promise<VerbModule> => import('./commands/untag.js');
const portVerb = (): Promise<VerbModule> => import('./commands/port.js');
const renameVerb = (): Promise<VerbModule> => import('./commands/rename.js');
const diffVerb = (): Promise<VerbModule> => import('./commands/diff.js');
const topVerb = (): Promise<VerbModule> => import('./commands/top.js');
const systemDfVerb = (): Promise<VerbModule> => import('./commands/system-df.js');
const systemPruneVerb = (): Promise<VerbModule> => import('./commands/system-prune.js');
const imagePruneVerb = (): Promise<VerbModule> => import('./commands/image-prune.js');

export const verbs: readonly Verb[] = [
  { path: ['run'], summary: 'Run a command in a new container', load: runVerb },
  { path: ['container', 'run'], summary: 'Run a command in a new container', load: runVerb, hidden: true },
  { path: ['create'], summary: 'Create but do not start a container', load: createVerb },
  { path: ['start'], summary: 'Start one or more containers', load: startVerb },
  { path: ['ps'], summary: "List rrun's containers", load: psVerb },
  { path: ['logs'], summary: 'Fetch the logs of a container', load: logsVerb },
  { path: ['stop'], summary: 'Stop one or more containers', load: stopVerb },
  { path: ['kill'], summary: 'Kill one or more running containers with a specific signal', load: killVerb },
  { path: ['rm'], summary: 'Remove one or more containers', load: rmVerb },
  { path: ['wait'], summary: 'Block on one or more containers', load: waitVerb },
  { path: ['exec'], summary: 'Run a process in a running container', load: execVerb },
  { path: ['inspect'], summary: 'Display the configuration of a container', load: inspectVerb },
  { path: ['cp'], summary: 'Copy files/folders between a container and the local filesystem', load: cpVerb },
  { path: ['container', 'cp'], summary: '', load: cpVerb, hidden: true },
  { path: ['volume', 'create'], summary: 'Create a new volume', load: volumeVerb },
  { path: ['volume', 'ls'], summary: 'List volumes', load: volumeVerb },
  { path: ['volume', 'list'], summary: 'List volumes', load: volumeVerb, hidden: true },
  { path: ['volume', 'inspect'], summary: 'Display detailed information on one or more volumes', load: volumeVerb },
  { path: ['volume', 'rm'], summary: 'Remove one or more volumes', load: volumeVerb },
  { path: ['volume', 'remove'], summary: 'Remove one or more volumes', load: volumeVerb, hidden: true },
  { path: ['volume', 'prune'], summary: 'Remove all unused volumes', load: volumeVerb },
  { path: ['volume', 'exists'], summary: 'Check if volume exists', load: volumeVerb },
  ...(['create', 'start', 'ps', 'logs', 'stop', 'kill', 'rm', 'wait', 'exec', 'inspect'] as const).map((w) => ({
    path: ['container', w === 'ps' ? 'ls' : w], summary: '', hidden: true,
    load: { create: createVerb, start: startVerb, ps: psVerb, logs: logsVerb, stop: stopVerb, kill: killVerb, rm: rmVerb, wait: waitVerb, exec: execVerb, inspect: inspectVerb }[w],
  })),
  { path: ['container', 'list'], summary: '', load: psVerb, hidden: true },
  { path: ['container', 'prune'], summary: 'Remove all non running containers', load: pruneVerb },
  { path: ['container', 'cleanup'], summary: 'Clean up after a container exited (the monitor runs this)', load: cleanupVerb, hidden: true },
  { path: ['pull'], summary: 'Pull an image from a registry', load: pullVerb },
  { path: ['image', 'pull'], summary: 'Pull an image from a registry', load: pullVerb, hidden: true },
  { path: ['push'], summary: 'Push an image to a specified destination', load: pushVerb },
  { path: ['image', 'push'], summary: 'Push an image to a specified destination', load: pushVerb, hidden: true },
  { path: ['tag'], summary: 'Add an additional name to a local image', load: tagVerb },
  { path: ['build'], summary: 'Build an image from a Containerfile', load: buildVerb },
  { path: ['image', 'build'], summary: 'Build an image from a Containerfile', load: buildVerb, hidden: true },
  { path: ['image', 'tag'], summary: 'Add an additional name to a local image', load: tagVerb, hidden: true },
  { path: ['rmi'], summary: 'Remove one or more images from local storage', load: rmiVerb },
  { path: ['image', 'rm'], summary: 'Remove one or more images from local storage', load: rmiVerb, hidden: true },
  { path: ['save'], summary: 'Save image(s) to an archive', load: saveVerb },
  { path: ['image', 'save'], summary: 'Save image(s) to an archive', load: saveVerb, hidden: true },
  { path: ['import'], summary: 'Import a tarball to create a filesystem image', load: importVerb },
  { path: ['image', 'import'], summary: 'Import a tarball to create a filesystem image', load: importVerb, hidden: true },
  { path: ['export'], summary: "Export container's filesystem contents as a tar archive", load: exportVerb },
  { path: ['container', 'export'], summary: "Export container's filesystem contents as a tar archive", load: exportVerb, hidden: true },
  { path: ['commit'], summary: 'Create new image based on the changed container', load: commitVerb },
  { path: ['container', 'commit'], summary: 'Create new image based on the changed container', load: commitVerb, hidden: true },
  { path: ['load'], summary: 'Load image(s) from a tar archive', load: loadVerb },
  { path: ['image', 'load'], summary: 'Load image(s) from a tar archive', load: loadVerb, hidden: true },
  { path: ['login'], summary: 'Log in to a container registry', load: loginVerb },
  { path: ['logout'], summary: 'Log out of a container registry', load: logoutVerb },
  { path: ['history'], summary: 'Show history of a specified image', load: historyVerb },
  { path: ['image', 'history'], summary: 'Show history of a specified image', load: historyVerb, hidden: true },
  { path: ['untag'], summary: 'Remove a name from a local image', load: untagVerb },
  { path: ['image', 'untag'], summary: 'Remove a name from a local image', load: untagVerb, hidden: true },
  { path: ['port'], summary: 'List port mappings or a specific mapping for the container', load: portVerb },
  { path: ['container', 'port'], summary: 'List port mappings or a specific mapping for the container', load: portVerb, hidden: true },
  { path: ['rename'], summary: 'Rename an existing container', load: renameVerb },
  { path: ['container', 'rename'], summary: 'Rename an existing container', load: renameVerb, hidden: true },
  { path: ['diff'], summary: "Inspect changes to the container's file systems", load: diffVerb },
  { path: ['container', 'diff'], summary: "Inspect changes to the container's file systems", load: diffVerb, hidden: true },
  { path: ['top'], summary: 'Display the running processes of a container', load: topVerb },
  { path: ['container', 'top'], summary: 'Display the running processes of a container', load: topVerb, hidden: true },
  { path: ['images'], summary: 'List images in local storage', load: images },
  { path: ['image', 'ls'], summary: 'List images in local storage', load: images },
  { path: ['image', 'list'], summary: 'List images in local storage', load: images, hidden: true },
  { path: ['image', 'inspect'], summary: 'Display the configuration of an image', load: imageInspect },
  { path: ['image', 'prune'], summary: 'Remove unused images', load: imagePruneVerb },
  { path: ['image', 'exists'], summary: 'Check if an image exists in local storage', load: existsVerb },
  { path: ['container', 'exists'], summary: 'Check if a container exists in local storage', load: existsVerb },
  { path: ['info'], summary: 'Display rrun related system information', load: info },
  { path: ['system', 'info'], summary: 'Display rrun related system information', load: info, hidden: true },
  { path: ['system', 'df'], summary: 'Show rrun disk usage', load: systemDfVerb },
  { path: ['system', 'prune'], summary: 'Remove unused data', load: systemPruneVerb },
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
