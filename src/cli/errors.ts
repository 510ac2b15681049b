// How the CLI reports failures: podman's `Error: …` line on stderr, our hint below it,
// and podman's exit codes. Only the CLI prints; everything else throws RrunError.
import { ExitCode, RrunError } from '../../oci/errors.js';

export function usageError(message: string, hint?: string): RrunError {
  return new RrunError({ code: 'ERR_USAGE', message, hint, exitCode: ExitCode.Internal });
}

function causeChain(err: unknown): string[] {
  const out: string[] = [];
  let cur: unknown = err instanceof Error ? err.cause : undefined;
  while (cur !== undefined && out.length < 5) {
    out.push(cur instanceof Error ? (cur.stack ?? cur.message) : String(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return out;
}

// Failures whose root cause is usually the machine's setup: the doctor's cheap checks
// run then, and their fixes replace a raw kernel error as the hint.
const setupFailures = new Set(['ERR_USERNS', 'ERR_IDMAP', 'ERR_NO_SUBID_RANGE', 'ERR_SUBID_OVERLAP', 'ERR_CONTAINER_SETUP', 'ERR_HELPER_PROTOCOL', 'ERR_HELPER_DIED']);

/** The doctor's verdict on a setup failure, as extra hint lines (empty when all looks fine). */
export async function diagnose(err: unknown): Promise<string[]> {
  if (!(err instanceof RrunError) || !setupFailures.has(err.code)) return [];
  const [{ staticChecks }, { realDoctorHost }, { defaultHelperPath }] = await Promise.all([
    import('../doctor/doctor.js'),
    import('../doctor/host.js'),
    import('../../helpers/nsexec.js'),
  ]);
  return staticChecks(realDoctorHost(), defaultHelperPath())
    .filter((c) => c.status === 'fail')
    .map((c) => `${c.title}: ${c.detail}${c.fix ? `\n  fix: ${c.fix}` : ''}`);
}

/** Print an error the way podman does and return the exit code to use. */
export function printError(err: unknown, debug: boolean, causes: readonly string[] = []): number {
  if (err instanceof RrunError) {
    process.stderr.write(`Error: ${err.message}\n`);
    if (causes.length > 0) process.stderr.write(`Cause (rrun doctor):\n${causes.map((c) => `- ${c}`).join('\n')}\n`);
    else if (err.hint !== undefined) process.stderr.write(`Hint: ${err.hint}\n`);
    if (debug) {
      process.stderr.write(`[${err.code}] ${err.stack ?? ''}\n`);
      for (const c of causeChain(err)) process.stderr.write(`caused by: ${c}\n`);
    }
    return err.exitCode;
  }
  // Anything else is a bug in rrun: say so, with the stack to report.
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`Error: internal error in rrun: ${text}\n`);
  return ExitCode.Internal;
}
