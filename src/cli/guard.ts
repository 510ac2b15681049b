// A command's outermost frame: run it and turn what it throws into podman's error output
// and exit code. Each CLI bundle carries its own copy, because an error class from one
// bundle is not `instanceof` the same class in another.
import { diagnose, printError } from './errors.js';

/** `logLevel` is read after `work` fails: the global options are parsed inside it. */
export async function guard(work: () => Promise<number>, logLevel: () => string | undefined): Promise<number> {
  try {
    return await work();
  } catch (err) {
    const level = logLevel();
    return printError(err, level === 'debug' || level === 'trace', await diagnose(err).catch(() => []));
  }
}
