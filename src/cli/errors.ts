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

/** Print an error the way podman does and return the exit code to use. */
export function printError(err: unknown, debug: boolean): number {
  if (err instanceof RrunError) {
    process.stderr.write(`Error: ${err.message}\n`);
    if (err.hint !== undefined) process.stderr.write(`Hint: ${err.hint}\n`);
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
