// The instructions that only change the image config, as a table (pure). Each returns
// the text for the history entry (`/bin/sh -c #(nop) …`, as buildah writes it); the
// config is changed in place on the stage's working copy.
import type { ImageRuntimeConfig } from '../../oci/image.js';
import { syntaxError, type Instruction } from './containerfile.js';
import { expandString, expandWords, keyValues, type Lookup } from './expand.js';

export interface MetaState {
  config: ImageRuntimeConfig;
  shell: string[];
  /** CMD was set in this stage (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  author?: string | undefined;
}

export const NOP = '/bin/sh -c #(nop) ';

type Handler = (s: MetaState, ins: Instruction, lookup: Lookup, file: string) => string;

function commandForm(s: MetaState, ins: Instruction): string[] {
  return ins.json ?? [...s.shell, ins.rest];
}

function setEnv(config: ImageRuntimeConfig, name: string, value: string): void {
  const env = (config.Env ?? []).filter((e) => e.split('=', 1)[0] !== name);
  config.Env = [...env, `${name}=${value}`];
}

export function envLookup(config: ImageRuntimeConfig, args: ReadonlyMap<string, string | undefined>): Lookup {
  return (name) => {
    const e = (config.Env ?? []).find((x) => x.split('=', 1)[0] === name);
    // ENV wins over ARG of the same name (the Dockerfile reference's rule).
    return e !== undefined ? e.slice(name.length + 1) : args.get(name);
  };
}

function quotePair(k: string, v: string): string {
  return /[\s"]/.test(v) || v === '' ? `${k}=${JSON.stringify(v)}` : `${k}=${v}`;
}

export const META: Readonly<Record<string, Handler>> = {
  ENV: (s, ins, lookup) => {
    const pairs = keyValues(ins.rest, lookup, 'ENV');
    // Later pairs see earlier ones only on the next line (Docker's rule): expand first, then set.
    for (const [k, v] of pairs) setEnv(s.config, k, v);
    return `${NOP}ENV ${pairs.map(([k, v]) => quotePair(k, v)).join(' ')}`;
  },
  LABEL: (s, ins, lookup) => {
    const pairs = keyValues(ins.rest, lookup, 'LABEL');
    s.config.Labels = { ...(s.config.Labels ?? {}), ...Object.fromEntries(pairs) };
    return `${NOP}LABEL ${pairs.map(([k, v]) => quotePair(k, v)).join(' ')}`;
  },
  CMD: (s, ins) => {
    s.config.Cmd = commandForm(s, ins);
    s.cmdSet = true;
    return `${NOP}CMD ${JSON.stringify(s.config.Cmd)}`;
  },
  ENTRYPOINT: (s, ins) => {
    s.config.Entrypoint = commandForm(s, ins);
    // An inherited CMD would become arguments of the new entrypoint: dropped, as Docker does.
    if (!s.cmdSet) delete s.config.Cmd;
    return `${NOP}ENTRYPOINT ${JSON.stringify(s.config.Entrypoint)}`;
  },
  EXPOSE: (s, ins, lookup) => {
    const ports = expandWords(ins.rest, lookup).map((p) => (p.includes('/') ? p.toLowerCase() : `${p}/tcp`));
    s.config.ExposedPorts = { ...(s.config.ExposedPorts ?? {}), ...Object.fromEntries(ports.map((p) => [p, {}])) };
    return `${NOP}EXPOSE ${ports.join(' ')}`;
  },
  VOLUME: (s, ins, lookup) => {
    const vols = ins.json ?? expandWords(ins.rest, lookup);
    s.config.Volumes = { ...(s.config.Volumes ?? {}), ...Object.fromEntries(vols.map((v) => [v, {}])) };
    return `${NOP}VOLUME ${JSON.stringify(vols)}`;
  },
  USER: (s, ins, lookup) => {
    s.config.User = expandString(ins.rest, lookup);
    return `${NOP}USER ${s.config.User}`;
  },
  WORKDIR: (s, ins, lookup) => {
    const dir = expandString(ins.rest, lookup);
    s.config.WorkingDir = dir.startsWith('/') ? dir : `${(s.config.WorkingDir ?? '/').replace(/\/$/, '')}/${dir}`;
    return `${NOP}WORKDIR ${s.config.WorkingDir}`;
  },
  STOPSIGNAL: (s, ins, lookup) => {
    s.config.StopSignal = expandString(ins.rest, lookup);
    return `${NOP}STOPSIGNAL ${s.config.StopSignal}`;
  },
  SHELL: (s, ins, _lookup, file) => {
    if (ins.json === undefined || ins.json.length === 0) throw syntaxError(file, ins.line, 'SHELL requires the JSON form, e.g. SHELL ["/bin/bash", "-c"]');
    s.shell = ins.json;
    return `${NOP}SHELL ${JSON.stringify(ins.json)}`;
  },
  MAINTAINER: (s, ins) => {
    s.author = ins.rest;
    return `${NOP}MAINTAINER ${ins.rest}`;
  },
  ONBUILD: (s, ins) => {
    s.config['OnBuild'] = [...((s.config['OnBuild'] as string[] | undefined) ?? []), ins.rest];
    return `${NOP}ONBUILD ${ins.rest}`;
  },
  HEALTHCHECK: (s, ins) => {
    const m = /^(NONE|CMD)\b\s*([\s\S]*)$/i.exec(ins.rest);
    const cmd = m?.[2]?.trim() ?? '';
    s.config.Healthcheck = m?.[1]?.toUpperCase() === 'NONE' ? { Test: ['NONE'] }
      : { Test: cmd.startsWith('[') ? ['CMD', ...(JSON.parse(cmd) as string[])] : ['CMD-SHELL', cmd] };
    return `${NOP}HEALTHCHECK ${ins.rest}`;
  },
};
