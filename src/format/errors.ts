// Template failures carry Go's wording, because scripts and users match on it:
//   parse:   `template: images:1: function "nope" not defined`
//   execute: `template: images:1:13: executing "images" at <.Nope>: can't evaluate …`
// Both are podman usage failures: exit code 125.
import { ExitCode, RrunError } from '../../oci/errors.js';

export class TemplateError extends RrunError {
  constructor(message: string) {
    super({ code: 'ERR_TEMPLATE', message: `template: ${message}`, exitCode: ExitCode.Internal });
  }
}

/** Go's ErrorContext: 1-based line and 0-based byte column of `pos` in `text`. */
export function location(text: string, pos: number): { line: number; col: number } {
  const before = text.slice(0, pos);
  const nl = before.lastIndexOf('\n');
  return { line: before.split('\n').length, col: nl < 0 ? Buffer.byteLength(before) : Buffer.byteLength(before.slice(nl + 1)) };
}

export function parseError(name: string, text: string, pos: number, msg: string): TemplateError {
  return new TemplateError(`${name}:${location(text, pos).line}: ${msg}`);
}

/**
 * "unexpected EOF" and "unexpected {{end}}": Go's parser reports these with a token it
 * has already moved past, which is one line early whenever a newline precedes the
 * offending token (measured on podman 4.3: the count of newlines before it, at least 1).
 */
export function lateParseError(name: string, text: string, pos: number, msg: string): TemplateError {
  const newlines = text.slice(0, pos).split('\n').length - 1;
  return new TemplateError(`${name}:${Math.max(1, newlines)}: ${msg}`);
}

/** Thrown by template functions and methods: reported as `error calling NAME: MSG`. */
export class CallError extends Error {}
