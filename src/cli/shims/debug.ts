// Stand-in for the `debug` package inside the CLI bundles (src/cli/bundle.mjs aliases
// it): cmd-ts traces its parser through it, which no rrun user can switch on; loading it
// probes the terminal's colours on every start.
type Debugger = ((...args: unknown[]) => void) & { enabled: boolean };

export default function createDebug(): Debugger {
  return Object.assign(() => {}, { enabled: false });
}
