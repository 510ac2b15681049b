// `rrun volume create|ls|inspect|rm|prune|exists`: one module, the sub-verb from the verb path.
import { command, flag, multioption, array, option, optional, restPositionals, string } from 'cmd-ts';
import { volumeCreate, volumeExists, volumeInspect, volumeList, volumePrune, volumeRm, type VolumeFilters } from '../../api/volume.js';
import { createContext } from '../../context.js';
import { isJsonFormat } from '../../format/report.js';
import { goStruct, GoTime, type GoValue } from '../../format/values.js';
import { writeReport } from '../../format/write.js';
import type { VolumeRecord } from '../../volumes/store.js';
import { runCommand } from '../cmd.js';
import { usageError } from '../errors.js';
import { askLine } from '../confirm.js';
import { goJson } from '../output.js';
import type { CliGlobals } from '../main.js';

/** podman's JSON for volumes: omitempty fields dropped, empty maps printed as its encoder does. */
function volumeJson(list: readonly VolumeRecord[], indent: string): string {
  const omit = (v: VolumeRecord): Record<string, unknown> =>
    Object.fromEntries(Object.entries(v).filter(([k, x]) => !(['NeedsCopyUp', 'NeedsChown', 'Anonymous'].includes(k) && x !== true)));
  return goJson(list.map(omit), indent);
}

function reporter(v: VolumeRecord): GoValue {
  return goStruct('entities.VolumeListReport', {
    Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, CreatedAt: GoTime.parse(v.CreatedAt) ?? v.CreatedAt,
    Labels: { ...v.Labels }, Scope: v.Scope, Options: { ...v.Options }, UID: v.UID ?? 0, GID: v.GID ?? 0,
    Anonymous: v.Anonymous ?? false, MountCount: v.MountCount, NeedsCopyUp: v.NeedsCopyUp ?? false, NeedsChown: v.NeedsChown ?? false,
  });
}

function filters(list: readonly string[]): VolumeFilters {
  const f: VolumeFilters = {};
  for (const item of list) {
    const [key = '', value = ''] = [item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1)];
    if (key === 'name') f.name = [...(f.name ?? []), value];
    else if (key === 'label') f.label = [...(f.label ?? []), value];
    else if (key === 'dangling') f.dangling = ['true', '1'].includes(value);
    else throw usageError(`${key} is an invalid filter`);
  }
  return f;
}

async function confirm(question: string): Promise<boolean> {
  return /^y(es)?$/i.test((await askLine(question))?.trim() ?? '');
}

const sub = (globals: CliGlobals, name: string) => ({
  create: command({
    name: `rrun ${name}`, description: 'Create a new volume',
    args: {
      opt: multioption({ long: 'opt', short: 'o', type: array(string), description: 'Set driver specific options' }),
      label: multioption({ long: 'label', short: 'l', type: array(string), description: 'Set metadata for a volume' }),
      driver: option({ long: 'driver', type: optional(string), description: 'Volume driver (local)' }),
      names: restPositionals({ type: string, displayName: 'NAME' }),
    },
    handler: async (a): Promise<number> => {
      if (a.names.length > 1) throw usageError('too many arguments, create takes at most 1 argument');
      process.stdout.write(`${await volumeCreate(a.names[0], { options: a.opt, labels: a.label }, await createContext(globals))}\n`);
      return 0;
    },
  }),
  ls: command({
    name: `rrun ${name}`, description: 'List volumes',
    args: {
      filter: multioption({ long: 'filter', short: 'f', type: array(string), description: 'Filter volume output' }),
      format: option({ long: 'format', type: optional(string), description: 'Format volume output using JSON or a Go template' }),
      noHeading: flag({ long: 'noheading', description: 'Do not print headers' }),
      quiet: flag({ long: 'quiet', short: 'q', description: 'Print volume output in quiet mode' }),
    },
    handler: async (a): Promise<number> => {
      const list = await volumeList(filters(a.filter), await createContext(globals));
      if (a.format !== undefined && isJsonFormat(a.format)) process.stdout.write(volumeJson(list, '  '));
      else if (a.quiet) process.stdout.write(list.map((v) => `${v.Name}\n`).join(''));
      else {
        const format = a.format ?? 'table {{.Driver}}\t{{.Name}}';
        writeReport({ name: 'list', format, list: true, headers: { Driver: 'DRIVER', Name: 'VOLUME NAME', Mountpoint: 'MOUNTPOINT', Scope: 'SCOPE', CreatedAt: 'CREATED AT', Labels: 'LABELS', Options: 'OPTIONS' }, noHeading: a.noHeading }, list.map(reporter));
      }
      return 0;
    },
  }),
  inspect: command({
    name: `rrun ${name}`, description: 'Display detailed information on one or more volumes',
    args: {
      format: option({ long: 'format', short: 'f', type: optional(string), description: 'Format volume output using JSON or a Go template' }),
      all: flag({ long: 'all', short: 'a', description: 'Inspect all volumes' }),
      names: restPositionals({ type: string, displayName: 'VOLUME' }),
    },
    handler: async (a): Promise<number> => {
      if (a.names.length === 0 && !a.all) throw usageError('provide one or more volume names or use --all');
      const ctx = await createContext(globals);
      const { found, missing } = a.all ? { found: await volumeList({}, ctx), missing: [] } : await volumeInspect(a.names, ctx);
      if (a.format === undefined || isJsonFormat(a.format)) process.stdout.write(volumeJson(found, '     '));
      else writeReport({ name: 'inspect', format: a.format, list: true }, found.map(reporter));
      if (missing.length > 0) throw usageError(`inspecting object: no such volume ${missing[0] as string}`);
      return 0;
    },
  }),
  rm: command({
    name: `rrun ${name}`, description: 'Remove one or more volumes',
    args: {
      force: flag({ long: 'force', short: 'f', description: 'Remove a volume by force, even if it is being used by a container' }),
      all: flag({ long: 'all', short: 'a', description: 'Remove all volumes' }),
      names: restPositionals({ type: string, displayName: 'VOLUME' }),
    },
    handler: async (a): Promise<number> => {
      if ((a.names.length === 0) === !a.all) throw usageError('choose either one or more volumes or all');
      const ctx = await createContext(globals);
      const names = a.all ? (await volumeList({}, ctx)).map((v) => v.Name) : a.names;
      for (const n of names) {
        await volumeRm(n, a.force, ctx);
        process.stdout.write(`${n}\n`);
      }
      return 0;
    },
  }),
  prune: command({
    name: `rrun ${name}`, description: 'Remove all unused volumes',
    args: { force: flag({ long: 'force', short: 'f', description: 'Do not prompt for confirmation' }) },
    handler: async (a): Promise<number> => {
      const ctx = await createContext(globals);
      if (!a.force) {
        const unused = await volumeList({ dangling: true }, ctx);
        process.stdout.write('WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:\n');
        if (unused.length === 0) {
          process.stdout.write('No dangling volumes found\n');
          return 0;
        }
        process.stdout.write(unused.map((v) => `${v.Name}\n`).join(''));
        if (!(await confirm('Are you sure you want to continue? [y/N] '))) return 0;
      }
      process.stdout.write((await volumePrune(ctx)).map((n) => `${n}\n`).join(''));
      return 0;
    },
  }),
  exists: command({
    name: `rrun ${name}`, description: 'Check if a volume exists',
    args: { names: restPositionals({ type: string, displayName: 'VOLUME' }) },
    handler: async (a): Promise<number> => {
      if (a.names.length !== 1) throw usageError(`accepts 1 arg(s), received ${a.names.length}`);
      return (await volumeExists(a.names[0] as string, await createContext(globals))) ? 0 : 1;
    },
  }),
});

export function main(argv: string[], globals: CliGlobals, name: string): Promise<number> {
  const word = name.split(' ')[1] ?? '';
  const verb = ({ list: 'ls', remove: 'rm' } as Record<string, string>)[word] ?? word;
  const cmd = sub(globals, name)[verb as keyof ReturnType<typeof sub>];
  if (cmd === undefined) throw usageError(`unknown volume command "${word}"`);
  return runCommand(cmd, argv);
}
