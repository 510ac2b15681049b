// Containerfile/Dockerfile syntax → a list of instructions with their line numbers.
// Pure: no expansion and no semantics (expand.ts and stages.ts do those). The rules are
// the Dockerfile reference's: `#` comment lines (also inside a continuation), a trailing
// backslash continues the line (the `# escape=` directive may change it to a backtick),
// keywords are case-insensitive, JSON arrays select the exec form, `--flag=value`
// options lead the arguments of FROM, RUN, COPY and ADD.
import { RrunError } from '../../oci/errors.js';

export interface Instruction {
  /** Upper-case keyword. */
  keyword: string;
  /** Line of the keyword (1-based). */
  line: number;
  /** Arguments after the flags, continuation lines joined, as written. */
  rest: string;
  /** `--name=value` options (`--name` alone has the value ''). */
  flags: Record<string, string>;
  /** The exec (JSON array) form, when the arguments are one. */
  json?: string[] | undefined;
  /** The whole instruction as written, continuations joined (for history and errors). */
  original: string;
}

/** Keywords and the flags each accepts (a table: unknown flags are errors, like buildah's). */
export const KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  FROM: ['platform'],
  RUN: ['network', 'mount', 'security'],
  CMD: [],
  LABEL: [],
  MAINTAINER: [],
  EXPOSE: [],
  ENV: [],
  ADD: ['chown', 'chmod', 'checksum', 'link', 'keep-git-dir'],
  COPY: ['from', 'chown', 'chmod', 'link', 'parents'],
  ENTRYPOINT: [],
  VOLUME: [],
  USER: [],
  WORKDIR: [],
  ARG: [],
  ONBUILD: [],
  STOPSIGNAL: [],
  HEALTHCHECK: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
  SHELL: [],
};

/** Instructions whose arguments may be a JSON array. */
const JSON_FORMS = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME']);

export function syntaxError(file: string, line: number, message: string, hint?: string): RrunError {
  return new RrunError({
    code: 'ERR_CONTAINERFILE',
    message: `${file}:${line}: ${message}`,
    subject: file,
    ...(hint !== undefined ? { hint } : {}),
  });
}

/** `# escape=\`` and `# syntax=` may only open the file. */
function escapeChar(lines: readonly string[]): string {
  for (const l of lines) {
    const m = /^\s*#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(l);
    if (m === null) break;
    if (m[1]?.toLowerCase() === 'escape' && (m[2] === '`' || m[2] === '\\')) return m[2];
  }
  return '\\';
}

interface LogicalLine {
  line: number;
  text: string;
}

/** Join continuations; drop blank and comment lines. */
export function logicalLines(text: string): LogicalLine[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const esc = escapeChar(lines);
  const out: LogicalLine[] = [];
  let current: LogicalLine | undefined;
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (current !== undefined && trimmed === '')) return;
    if (current === undefined && trimmed === '') return;
    const continued = trimmed.endsWith(esc) && !trimmed.endsWith(esc + esc);
    const piece = continued ? raw.replace(/\s+$/, '').slice(0, -1) : raw;
    if (current === undefined) current = { line: i + 1, text: piece.replace(/^\s+/, '') };
    else current.text += piece;
    if (!continued) {
      out.push(current);
      current = undefined;
    }
  });
  if (current !== undefined) out.push(current);
  return out;
}

function parseJsonArray(s: string): string[] | undefined {
  if (!s.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(s);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // not JSON: the shell form, as docker treats `[ -f x ]`
  }
  return undefined;
}

function splitFlags(keyword: string, args: string, file: string, line: number): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args;
  const allowed = KEYWORDS[keyword] ?? [];
  for (;;) {
    const m = /^--([a-zA-Z-]+)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (m === null) break;
    const name = m[1] as string;
    if (!allowed.includes(name)) {
      throw syntaxError(file, line, `${keyword} does not support the --${name} flag`,
        allowed.length > 0 ? `${keyword} accepts ${allowed.map((f) => `--${f}`).join(', ')}` : undefined);
    }
    flags[name] = m[2] ?? '';
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

export function parseContainerfile(text: string, file = 'Containerfile'): Instruction[] {
  const out: Instruction[] = [];
  for (const { line, text: t } of logicalLines(text)) {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(t);
    const word = m?.[1] ?? '';
    const keyword = word.toUpperCase();
    if (!(keyword in KEYWORDS)) {
      throw syntaxError(file, line, `unknown instruction: ${word}`, 'see the Containerfile reference for the instructions (FROM, RUN, COPY, …)');
    }
    const args = (m?.[2] ?? '').trim();
    const { flags, rest } = ['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK'].includes(keyword) ? splitFlags(keyword, args, file, line) : { flags: {}, rest: args };
    if (['RUN', 'COPY', 'ADD'].includes(keyword) && /(^|\s)<<-?["']?[A-Za-z_]/.test(rest)) {
      throw syntaxError(file, line, 'heredocs are not supported', 'put the script into a file in the context and COPY or RUN it');
    }
    const json = JSON_FORMS.has(keyword) ? parseJsonArray(rest) : undefined;
    out.push({ keyword, line, rest, flags, json, original: t.trim() });
  }
  return out;
}
