// Phase timing for `--log-level debug` (and RRUN_TRACE=1): milliseconds since the
// process started, on stderr. Costs one comparison when off.
let enabled = process.env['RRUN_TRACE'] === '1';

export function enableTrace(): void {
  enabled = true;
}

export function trace(label: string): void {
  if (enabled) process.stderr.write(`rrun: ${performance.now().toFixed(1).padStart(7)} ms  ${label}\n`);
}
