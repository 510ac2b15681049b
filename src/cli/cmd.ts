// Running a cmd-ts command with podman's conventions: usage errors exit 125, help 0, and
// a short option's value may be attached (`-t0`, `-n=5`) as pflag allows.
import { runSafely } from 'cmd-ts';
import { ExitCode } from '../../oci/errors.js';

type Runnable = Parameters<typeof runSafely>[0];

/** Short options that take a value, from cmd-ts's own usage lines (`--time, -t <number>`). */
export function valuedShorts(usages: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const u of usages) {
    const m = /(?:^|,\s*)-([A-Za-z0-9])\s+</.exec(u);
    if (m?.[1] !== undefined) out.add(m[1]);
  }
  return out;
}

/** `-t0` → `-t 0` and `-t=0` → `-t 0` for valued short options, up to `--`. */
export function attachShortValues(argv: readonly string[], valued: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return [...out, ...argv.slice(i)];
    const short = arg.length > 2 && arg[0] === '-' && arg[1] !== '-' ? arg[1] : undefined;
    if (short !== undefined && valued.has(short)) out.push(`-${short}`, arg[2] === '=' ? arg.slice(3) : arg.slice(2));
    else out.push(arg);
  }
  return out;
}

/** Parse argv with `cmd` and run its handler; resolves to the exit code. */
export async function runCommand(cmd: Runnable, argv: string[]): Promise<number> {
  const usages = 'helpTopics' in cmd && typeof cmd.helpTopics === 'function' ? cmd.helpTopics().map((t: { usage: string }) => t.usage) : [];
  const result = await runSafely(cmd, attachShortValues(argv, valuedShorts(usages)));
  if (result._tag === 'error') {
    const { exitCode, message, into } = result.error.config;
    (into === 'stdout' ? process.stdout : process.stderr).write(`${message}\n`);
    return exitCode === 0 ? 0 : ExitCode.Internal;
  }
  const code: unknown = result.value;
  return typeof code === 'number' ? code : 0;
}
