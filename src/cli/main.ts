// rrun's command line: podman's global options, then a verb and its own arguments.
// Global options are decoded here from a table; each verb decodes the rest with cmd-ts.
import type { GlobalOptions } from '../context.js';
import { usageError } from './errors.js';
import { guard } from './guard.js';
import { findVerb, groupWords, verbs, type VerbModule } from './verbs.js';
import { readPackageVersion } from './version-info.js';
import { enableTrace, trace } from '../trace.js';

export interface CliGlobals extends GlobalOptions {
  logLevel?: string;
}

interface GlobalFlag {
  names: readonly string[];
  /** Where the value goes; undefined for options podman has that rrun accepts and ignores. */
  apply?: (g: CliGlobals, value: string) => void;
  takesValue: boolean;
}

const globalFlags: readonly GlobalFlag[] = [
  { names: ['--root'], takesValue: true, apply: (g, v) => (g.root = v) },
  { names: ['--runroot'], takesValue: true, apply: (g, v) => (g.runRoot = v) },
  { names: ['--storage-driver'], takesValue: true, apply: (g, v) => (g.storageDriver = v) },
  { names: ['--storage-opt'], takesValue: true, apply: (g, v) => (g.storageOpts = [...(g.storageOpts ?? []), v]) },
  { names: ['--log-level'], takesValue: true, apply: (g, v) => (g.logLevel = v) },
  // Accepted for compatibility with podman scripts; they have no meaning for rrun.
  { names: ['--events-backend'], takesValue: true },
  { names: ['--cgroup-manager'], takesValue: true },
  { names: ['--runtime'], takesValue: true },
  { names: ['--tmpdir'], takesValue: true },
  { names: ['--network-cmd-path'], takesValue: true },
  { names: ['--noout'], takesValue: false },
  { names: ['--syslog'], takesValue: false },
];

const logLevels = new Set(['trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'panic']);

function parseGlobals(argv: readonly string[]): { globals: CliGlobals; rest: string[] } {
  const globals: CliGlobals = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-') || arg === '-h' || arg === '--help' || arg === '-v' || arg === '--version') break;
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const flag = globalFlags.find((f) => f.names.includes(name));
    if (flag === undefined) throw usageError(`unknown flag: ${name}`, 'see `rrun --help`');
    let value = '';
    if (flag.takesValue) {
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i] as string;
      else throw usageError(`flag needs an argument: ${name}`);
    }
    flag.apply?.(globals, value);
  }
  if (globals.logLevel !== undefined && !logLevels.has(globals.logLevel)) {
    throw usageError(`invalid log level "${globals.logLevel}"`, `use one of ${[...logLevels].join(', ')}`);
  }
  return { globals, rest: argv.slice(i) };
}

function help(): string {
  const lines = [
    'Manage pods, containers and images, rootless — a podman-compatible runtime',
    '',
    'Usage:',
    '  rrun [options] [command]',
    '',
    'Available Commands:',
  ];
  const shown = verbs.filter((v) => v.hidden !== true);
  const width = Math.max(...shown.map((v) => v.path.join(' ').length)) + 2;
  for (const v of shown) lines.push(`  ${v.path.join(' ').padEnd(width)}${v.summary}`);
  lines.push('', 'Options:');
  lines.push('  -h, --help                 help for rrun');
  lines.push('      --log-level string     Log messages above specified level (trace, debug, info, warn, error, fatal, panic)');
  lines.push('      --root string          Path to the root directory in which data, including images, is stored');
  lines.push('      --runroot string       Path to the \'run directory\' where all state information is stored');
  lines.push('      --storage-driver string  Select which storage driver is used to manage storage of images and containers');
  lines.push('      --storage-opt stringArray  Used to pass an option to the storage driver');
  lines.push('  -v, --version              Version of rrun');
  return `${lines.join('\n')}\n`;
}

/** Loads a verb's module by its name in the verb table (bin/rrun loads its bundle). */
export type VerbLoader = (module: string) => VerbModule | Promise<VerbModule>;

export async function main(argv: string[], loadVerb: VerbLoader): Promise<number> {
  let globals: CliGlobals = {};
  return guard(async () => {
    const parsed = parseGlobals(argv);
    globals = parsed.globals;
    const [first] = parsed.rest;
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      process.stdout.write(help());
      return first === undefined ? 125 : 0;
    }
    if (first === '-v' || first === '--version') {
      process.stdout.write(`rrun version ${readPackageVersion()}\n`);
      return 0;
    }
    const found = findVerb(parsed.rest);
    if (found === undefined) {
      const hint = groupWords().has(first)
        ? `\`rrun ${first}\` needs a sub-command; see \`rrun --help\``
        : 'see `rrun --help` for the commands';
      throw usageError(`unrecognized command \`rrun ${parsed.rest.slice(0, 2).join(' ')}\``, hint);
    }
    if (globals.logLevel === 'debug' || globals.logLevel === 'trace') enableTrace();
    trace(`verb ${found.verb.path.join(' ')}`);
    const mod = await loadVerb(found.verb.module);
    trace('verb module loaded');
    return await mod.main(found.rest, globals, found.verb.path.join(' '));
  }, () => globals.logLevel);
}
