// The one place a report meets stdout: print what the template produced, and on a
// template failure print what Go would already have written, then fail (exit 125).
import { ExitCode, RrunError } from '../../oci/errors.js';
import { renderReport, ReportError, type ReportOptions } from './report.js';
import type { GoValue } from './values.js';

export function writeReport(opts: ReportOptions, data: GoValue, errorPrefix = ''): void {
  try {
    process.stdout.write(renderReport(opts, data));
  } catch (err) {
    if (!(err instanceof ReportError)) throw err;
    process.stdout.write(err.partial);
    if (errorPrefix === '') throw err;
    throw new RrunError({ code: err.code, message: `${errorPrefix}${err.message}`, exitCode: ExitCode.Internal, cause: err });
  }
}
