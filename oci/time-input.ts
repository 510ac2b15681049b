// Times typed by users, as podman accepts them for `logs --since/--until` and the
// `until=`/`since=`-style filters: an RFC 3339 timestamp (with or without a zone or
// fraction), a date, Unix seconds (with a fraction), or a Go duration (`10m`, `1h30m`)
// counted back from now (or, for `logs --until`, forward: podman adds it).
import { parseTimeNanos } from './time.js';

const NS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9,
};

/** Go's time.ParseDuration, in nanoseconds; undefined when it would fail. */
export function parseGoDuration(text: string): number | undefined {
  const m = /^([+-]?)(.*)$/s.exec(text);
  let rest = m?.[2] ?? '';
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    const part = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (part === null) return undefined;
    total += Number(part[1]) * (NS_PER_UNIT[part[2] as string] as number);
    rest = rest.slice(part[0].length);
  }
  return m?.[1] === '-' ? -total : total;
}

// The layouts podman tries before numbers and durations: RFC 3339 (nano), a local-less
// date-time (UTC, as Go's time.Parse without a zone), a date with a zone, a date.
const dateTime = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,9})?$/;
const dateZone = /^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})$/;
const dateOnly = /^(\d{4}-\d{2}-\d{2})$/;

function parseTimestamp(text: string): bigint | undefined {
  const exact = parseTimeNanos(text);
  if (exact !== undefined) return exact;
  const dt = dateTime.exec(text);
  if (dt !== null) return parseTimeNanos(`${dt[1]}T${dt[2]}${dt[3] ?? ''}Z`);
  const dz = dateZone.exec(text);
  if (dz !== null) return parseTimeNanos(`${dz[1]}T00:00:00${dz[2]}`);
  const d = dateOnly.exec(text);
  if (d !== null) return parseTimeNanos(`${d[1]}T00:00:00Z`);
  return undefined;
}

/** Unix seconds, with an optional fraction (Go's ParseFloat accepts a sign and exponents too). */
function parseUnix(text: string): bigint | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const seconds = Number(text);
  const whole = Math.trunc(seconds);
  return BigInt(whole) * 1_000_000_000n + BigInt(Math.round((seconds - whole) * 1e9));
}

export type DurationDirection = 'past' | 'future';

/**
 * Nanoseconds since the epoch for a user's time, or undefined when it is none of the
 * accepted forms. `now` is in nanoseconds; a duration is subtracted from it (`past`)
 * or added to it (`future`).
 */
export function parseInputTime(text: string, now: bigint, direction: DurationDirection = 'past'): bigint | undefined {
  const stamp = parseTimestamp(text) ?? parseUnix(text);
  if (stamp !== undefined) return stamp;
  const d = parseGoDuration(text);
  if (d === undefined) return undefined;
  return direction === 'past' ? now - BigInt(Math.round(d)) : now + BigInt(Math.round(d));
}

/** The current time in nanoseconds since the epoch. */
export function nowNanos(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
