// Phase timing for `--log-level debug` (and RRUN_TRACE=1): milliseconds since the
// process started, on stderr. Costs one comparison when off.
// The switch lives in the environment: each CLI verb is its own bundle with its own
// copy of this module.
export function enableTrace(): void {
  process.env['RRUN_TRACE'] = '1';
}

export function tracing(): boolean {
  return process.env['RRUN_TRACE'] === '1';
}

export function trace(label: string): void {
  if (process.env['RRUN_TRACE'] === '1') process.stderr.write(`rrun: ${performance.now().toFixed(1).padStart(7)} ms  ${label}\n`);
}
