// `rrun run [OPTIONS] IMAGE [COMMAND [ARG…]]`. Options after IMAGE belong to the
// command (podman stops flag parsing at the first positional); cmd-ts cannot, so a
// pre-split inserts `--` after IMAGE, using the table of options that take a value.
import { readFileSync } from 'node:fs';
import { command, flag, multioption, option, optional, positional, restPositionals, string, array } from 'cmd-ts';
import { RrunError } from '../../../oci/errors.js';
import { prepareRun, run } from '../../api/run.js';
import type { CreateOptions } from '../../api/create.js';
import { parseEnvFile, resolveEnvArg } from '../../runtime/volumes.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import { goJson } from '../output.js';
import type { CliGlobals } from '../main.js';

/** Options that take a value (long and short spellings): the pre-split skips their values. */
export const valuedOptions = new Set([
  '-e', '--env', '--env-file', '--entrypoint', '-w', '--workdir', '-u', '--user', '--name', '-h', '--hostname',
  '-v', '--volume', '--mount', '--tmpfs', '--network', '--net', '--userns', '--pull', '--platform',
  '-p', '--publish', '--add-host', '--dns', '--dns-search', '--dns-option',
  '--cap-add', '--cap-drop', '--security-opt',
  '-m', '--memory', '--cpus', '--pids-limit',
]);

/** Insert `--` after the first positional (IMAGE) so later flags reach the command. */
export function presplit(argv: readonly string[]): string[] {
  return presplitWith(argv, valuedOptions);
}

/** The pre-split with another verb's table of valued options (exec). */
export function presplitWith(argv: readonly string[], valued: ReadonlySet<string>): string[] {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return [...argv];
    if (arg.startsWith('-') && arg !== '-') {
      if (!arg.includes('=') && valued.has(arg)) i++;
      continue;
    }
    return [...argv.slice(0, i + 1), '--', ...argv.slice(i + 1)];
  }
  return [...argv];
}

/** `--net` is podman's alias of `--network`; giving both is ambiguous. */
function network(network: string | undefined, net: string | undefined): string | undefined {
  if (network !== undefined && net !== undefined && network !== net) {
    throw usageError(`--network ${network} and --net ${net} disagree`, 'give one of them');
  }
  return network ?? net;
}

function envList(env: readonly string[], files: readonly string[]): string[] {
  const fromFiles = files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new RrunError({ code: 'ERR_ENV_FILE', message: `cannot read env file ${file}: ${(err as Error).message}`, subject: file, cause: err });
    }
    return parseEnvFile(text, process.env);
  });
  return [...fromFiles, ...env.flatMap((e) => resolveEnvArg(e, process.env))];
}

/** `--entrypoint '["a","b"]'` is a JSON array; anything else a single program. */
function entrypoint(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (value.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed;
    } catch {
      // not JSON: a program name that starts with '['
    }
  }
  return [value];
}

/** The plan holds capability masks as bigints and file contents as bytes: show both. */
function printable(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (k, v: unknown) => {
      if (typeof v === 'bigint') return `0x${v.toString(16)}`;
      if (k === 'seccomp' && v instanceof Uint8Array) return `<${v.length / 8} BPF instructions>`;
      if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
      return v;
    }),
  );
}

/** What the verb does with the decoded options: run (default), or create's own action. */
type Action = (opts: CreateOptions) => Promise<number>;

async function runOrDetach(opts: CreateOptions, detach: boolean): Promise<number> {
  const { create, withTerm } = await import('../../api/create.js');
  if (!detach) return (await run(withTerm(opts))).exitCode;
  const { start } = await import('../../api/start.js');
  const { createContext } = await import('../../context.js');
  const ctx = await createContext(opts);
  const c = await create(opts, ctx);
  await start(c.id, {}, ctx);
  process.stdout.write(`${c.id}\n`);
  return 0;
}

function numberFlag(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw usageError(`invalid argument "${value}" for "${flag}" flag: not a number`);
  return n;
}

export const runCmd = (globals: CliGlobals, name: string, action?: Action) =>
  command({
    name: `rrun ${name}`,
    description: 'Run a command in a new container',
    args: {
      remove: flag({ long: 'rm', description: 'Remove the container when it exits' }),
      interactive: flag({ long: 'interactive', short: 'i', description: 'Keep STDIN open' }),
      tty: flag({ long: 'tty', short: 't', description: 'Allocate a pseudo-TTY' }),
      detach: flag({ long: 'detach', short: 'd', description: 'Run in the background' }),
      init: flag({ long: 'init', description: 'Run an init inside the container (rrun always does: pid 1 reaps and forwards signals)' }),
      readOnly: flag({ long: 'read-only', description: 'Mount the root filesystem read-only' }),
      rootfs: flag({ long: 'rootfs', description: 'The first argument is a directory to run, not an image' }),
      dryRun: flag({ long: 'dry-run', description: 'Print the runtime spec and launch plan; start nothing' }),
      env: multioption({ long: 'env', short: 'e', type: array(string), description: 'Set environment variables' }),
      envFile: multioption({ long: 'env-file', type: array(string), description: 'Read environment variables from a file' }),
      entrypoint: option({ long: 'entrypoint', type: optional(string), description: 'Override the image ENTRYPOINT' }),
      workdir: option({ long: 'workdir', short: 'w', type: optional(string), description: 'Working directory inside the container' }),
      user: option({ long: 'user', short: 'u', type: optional(string), description: 'user[:group] to run as' }),
      name: option({ long: 'name', type: optional(string), description: 'Name of the container' }),
      hostname: option({ long: 'hostname', short: 'h', type: optional(string), description: 'Container host name' }),
      volume: multioption({ long: 'volume', short: 'v', type: array(string), description: 'Bind mount HOST:CONTAINER[:ro]' }),
      tmpfs: multioption({ long: 'tmpfs', type: array(string), description: 'Mount a tmpfs: PATH[:OPTIONS]' }),
      mount: multioption({ long: 'mount', type: array(string), description: 'Attach a filesystem mount: type=bind|volume|tmpfs,src=…,dst=…[,ro]' }),
      network: option({ long: 'network', type: optional(string), description: 'slirp4netns[:OPTS], pasta[:OPTS], none, host, private' }),
      net: option({ long: 'net', type: optional(string), description: 'Alias of --network' }),
      publish: multioption({ long: 'publish', short: 'p', type: array(string), description: 'Publish [hostIP:][hostPort:]containerPort[/tcp|udp]' }),
      publishAll: flag({ long: 'publish-all', short: 'P', description: 'Publish the image\'s exposed ports on free host ports' }),
      addHost: multioption({ long: 'add-host', type: array(string), description: 'Add HOST:IP to /etc/hosts' }),
      dns: multioption({ long: 'dns', type: array(string), description: 'DNS server for /etc/resolv.conf' }),
      dnsSearch: multioption({ long: 'dns-search', type: array(string), description: 'DNS search domain' }),
      dnsOption: multioption({ long: 'dns-option', type: array(string), description: 'DNS resolver option' }),
      userns: option({ long: 'userns', type: optional(string), description: '"single": map only your own id (no /etc/subuid range)' }),
      capAdd: multioption({ long: 'cap-add', type: array(string), description: 'Add capabilities (NAME[,NAME…] or ALL)' }),
      capDrop: multioption({ long: 'cap-drop', type: array(string), description: 'Drop capabilities (NAME[,NAME…] or ALL)' }),
      privileged: flag({ long: 'privileged', description: 'All capabilities, no seccomp, no masked paths (still rootless)' }),
      memory: option({ long: 'memory', short: 'm', type: optional(string), description: 'Memory limit (e.g. 512m); needs a delegated cgroup v2' }),
      cpus: option({ long: 'cpus', type: optional(string), description: 'Number of CPUs (e.g. 1.5); needs a delegated cgroup v2' }),
      pidsLimit: option({ long: 'pids-limit', type: optional(string), description: 'Maximum number of processes; needs a delegated cgroup v2' }),
      securityOpt: multioption({ long: 'security-opt', type: array(string), description: 'seccomp=PATH|unconfined, no-new-privileges[=true|false], label=disable' }),
      pull: option({ long: 'pull', type: optional(string), description: 'Pull image policy: missing (default), always, never, newer' }),
      tlsVerify: option({ long: 'tls-verify', type: optional(string), description: 'Require HTTPS and verify certificates when pulling (default true)' }),
      quiet: flag({ long: 'quiet', short: 'q', description: 'Suppress output information when pulling images' }),
      platform: option({ long: 'platform', type: optional(string), description: 'Pull image for this OS/ARCH[/VARIANT]' }),
      image: positional({ type: string, displayName: 'IMAGE' }),
      command: restPositionals({ type: string, displayName: 'COMMAND' }),
    },
    handler: async (a): Promise<number> => {
      if (a.userns !== undefined && a.userns !== 'single' && a.userns !== 'host') {
        throw usageError(`--userns=${a.userns} is not supported`, 'use --userns=single to map only your own id');
      }
      if (a.userns === 'single') {
        process.stderr.write('rrun: --userns=single: only your own id is mapped (container root); files of other ids in the image show as nobody and chown to them fails\n');
      }
      const opts = {
        ...globals,
        ...(a.rootfs ? { rootfs: a.image } : { image: a.image }),
        pull: a.pull,
        tlsVerify: a.tlsVerify === undefined ? undefined : !['false', '0', 'no'].includes(a.tlsVerify.toLowerCase()),
        quiet: a.quiet,
        platform: a.platform,
        command: a.command,
        entrypoint: entrypoint(a.entrypoint),
        env: envList(a.env, a.envFile),
        ...(a.workdir !== undefined ? { workdir: a.workdir } : {}),
        ...(a.user !== undefined ? { user: a.user } : {}),
        ...(a.name !== undefined ? { name: a.name } : {}),
        ...(a.hostname !== undefined ? { hostname: a.hostname } : {}),
        remove: a.remove,
        interactive: a.interactive,
        readOnly: a.readOnly,
        volumes: a.volume,
        tmpfs: a.tmpfs,
        mounts: a.mount,
        network: network(a.network, a.net),
        publish: a.publish,
        publishAll: a.publishAll,
        addHosts: a.addHost,
        dns: a.dns,
        dnsSearch: a.dnsSearch,
        dnsOptions: a.dnsOption,
        singleIdMap: a.userns === 'single',
        tty: a.tty,
        capAdd: a.capAdd,
        capDrop: a.capDrop,
        privileged: a.privileged,
        securityOpt: a.securityOpt,
        ...(a.memory !== undefined ? { memory: a.memory } : {}),
        ...(a.cpus !== undefined ? { cpus: numberFlag('--cpus', a.cpus) } : {}),
        ...(a.pidsLimit !== undefined ? { pidsLimit: numberFlag('--pids-limit', a.pidsLimit) } : {}),
      };
      if (a.dryRun) {
        process.stdout.write(goJson(printable(await prepareRun(opts)), '  ', false));
        return 0;
      }
      return action ? action(opts) : runOrDetach(opts, a.detach);
    },
  });

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  return runCommand(runCmd(globals, name), presplit(argv));
}
