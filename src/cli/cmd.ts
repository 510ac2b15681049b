// Running a cmd-ts command with podman's conventions: usage errors exit 125, help 0.
import { runSafely } from 'cmd-ts';
import { ExitCode } from '../../oci/errors.js';

type Runnable = Parameters<typeof runSafely>[0];

/** Parse argv with `cmd` and run its handler; resolves to the exit code. */
export async function runCommand(cmd: Runnable, argv: string[]): Promise<number> {
  const result = await runSafely(cmd, argv);
  if (result._tag === 'error') {
    const { exitCode, message, into } = result.error.config;
    (into === 'stdout' ? process.stdout : process.stderr).write(`${message}\n`);
    return exitCode === 0 ? 0 : ExitCode.Internal;
  }
  const code: unknown = result.value;
  return typeof code === 'number' ? code : 0;
}
