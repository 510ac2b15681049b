// `rrun logs`: podman's k8s-file log (`<RFC3339Nano> stdout|stderr F|P <text>`), written
// by the monitor. F ends a line; P is a piece of one (no newline after it).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { createContext, type Context } from '../context.js';
import { observe } from '../runtime/state.js';
import { parseTimeNanos } from '../../oci/time.js';
import { findContainer, type RrunContainer } from './container-store.js';

export interface LogRecord {
  time: string;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  text: string;
}

export function parseLogLine(line: string): LogRecord | undefined {
  const m = /^(\S+) (stdout|stderr) ([FP]) (.*)$/s.exec(line);
  if (!m) return undefined;
  return { time: m[1] as string, stream: m[2] as 'stdout' | 'stderr', partial: m[3] === 'P', text: m[4] as string };
}

/** Parses complete lines of `chunk` (carrying an incomplete last line over in `rest`). */
export function parseLog(chunk: string): { records: LogRecord[]; rest: string } {
  const lines = chunk.split('\n');
  const rest = lines.pop() ?? '';
  return { records: lines.map(parseLogLine).filter((r): r is LogRecord => r !== undefined), rest };
}

/** The records of the last `n` lines (a line = P pieces up to and with their F). */
export function tailRecords(records: readonly LogRecord[], n: number): LogRecord[] {
  if (n < 0) return [...records];
  let lines = 0;
  let i = records.length;
  while (i > 0) {
    const r = records[i - 1] as LogRecord;
    if (!r.partial) {
      if (lines === n) break;
      lines++;
    }
    i--;
  }
  return records.slice(i);
}

export interface LogsOptions {
  follow?: boolean;
  /** Last N lines; negative = all. */
  tail?: number;
  timestamps?: boolean;
  /** Only records written at or after this time (ns since the epoch). */
  since?: bigint;
  /** Only records written at or before this time (ns since the epoch). */
  until?: bigint;
  /** Put before every record (podman's id or name prefix when several containers are logged). */
  prefix?: string;
  /** Where each record goes; the CLI writes to its stdout/stderr. */
  write: (stream: 'stdout' | 'stderr', text: string) => void;
}

/**
 * A log time as podman prints it with -t: Go's RFC3339Nano of the parsed time, so
 * trailing zeros of the fraction go and a zero offset is `Z`.
 */
export function displayTime(time: string): string {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i.exec(time);
  if (m === null) return time;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  const zone = m[3] === '+00:00' || m[3] === '-00:00' || m[3] === 'z' ? 'Z' : (m[3] as string);
  return `${m[1] as string}${fraction === '' ? '' : `.${fraction}`}${zone}`;
}

export function formatRecord(r: LogRecord, timestamps: boolean, prefix = ''): string {
  return `${prefix}${timestamps ? `${displayTime(r.time)} ` : ''}${r.text}${r.partial ? '' : '\n'}`;
}

/** The records inside [since, until]; a record whose time cannot be read is kept. */
export function inWindow(records: readonly LogRecord[], since: bigint | undefined, until: bigint | undefined): LogRecord[] {
  return records.filter((r) => {
    const t = parseTimeNanos(r.time);
    return t === undefined || ((since === undefined || t >= since) && (until === undefined || t <= until));
  });
}

function readFrom(path: string, offset: number): { text: string; next: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { text: '', next: offset };
  }
  try {
    const size = statSync(path).size;
    if (size <= offset) return { text: '', next: offset };
    const buf = Buffer.alloc(size - offset);
    const n = readSync(fd, buf, 0, buf.length, offset);
    return { text: buf.subarray(0, n).toString('utf8'), next: offset + n };
  } finally {
    closeSync(fd);
  }
}

export async function logs(nameOrId: string | RrunContainer, opts: LogsOptions, ctx?: Context): Promise<void> {
  const context = ctx ?? (await createContext());
  const c = typeof nameOrId === 'string' ? await findContainer(context, nameOrId) : nameOrId;
  const emit = (records: LogRecord[]): void => {
    for (const r of inWindow(records, opts.since, opts.until)) opts.write(r.stream, formatRecord(r, opts.timestamps ?? false, opts.prefix));
  };
  let { text, next } = readFrom(c.logPath, 0);
  let parsed = parseLog(text);
  emit(tailRecords(parsed.records, opts.tail ?? -1));
  if (!opts.follow) return;
  let rest = parsed.rest;
  for (;;) {
    const running = observe(c.files).status === 'running';
    ({ text, next } = readFrom(c.logPath, next));
    parsed = parseLog(rest + text);
    rest = parsed.rest;
    emit(parsed.records);
    if (!running) return; // read once more after the exit was seen: nothing is lost
    if (opts.until !== undefined && BigInt(Date.now()) * 1_000_000n > opts.until) return; // podman stops following at --until
    await delay(100);
  }
}
