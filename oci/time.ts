// RFC 3339 timestamps with nanosecond precision, as Go writes them in image configs and
// store records. JavaScript's Date keeps milliseconds only, which is not enough to
// compare two history entries the way Go's time.Equal does.

const rfc3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;

/** Nanoseconds since the epoch, or undefined when the text is not RFC 3339. */
export function parseTimeNanos(text: string): bigint | undefined {
  const m = rfc3339.exec(text);
  if (m === null) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  const fraction = BigInt((m[2] ?? '').padEnd(9, '0'));
  return BigInt(seconds) * 1_000_000n + fraction;
}

/** Whole seconds since the epoch (0 when unparsable, as Go's zero time would not be). */
export function parseTimeSeconds(text: string | undefined): number {
  if (text === undefined) return 0;
  const ns = parseTimeNanos(text);
  return ns === undefined ? 0 : Number(ns / 1_000_000_000n);
}

/** Go's time.Format(time.RFC3339) for a UTC time in whole seconds. */
export function formatRfc3339Seconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
