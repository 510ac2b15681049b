// The one error type every layer throws. It lives in oci/ because oci/ is the base
// layer that everything may import; it does no I/O.
//
// Every error says what failed, on what, and why (message), how to fix it (hint), and
// carries a stable code that tests and library users can match on. The CLI maps it to
// podman's exit codes.

/** Exit codes as podman uses them. */
export const ExitCode = {
  /** rrun itself failed (bad flag, unknown image, store error, …). */
  Internal: 125,
  /** The command was found but could not be executed. */
  NotExecutable: 126,
  /** The command was not found. */
  NotFound: 127,
} as const;

export interface RrunErrorInit {
  /** Stable machine-readable code, e.g. `ERR_IMAGE_NOT_FOUND`. */
  code: string;
  /** What failed, on what, and why. */
  message: string;
  /** How to fix it, when we know. */
  hint?: string | undefined;
  /** The path, name or id the error is about. */
  subject?: string | undefined;
  cause?: unknown;
  exitCode?: number;
}

// The CLI is bundled per verb, so two copies of this class can meet in one process (the
// verb's and main's). instanceof therefore checks a brand, not the prototype chain.
const brand = Symbol.for('rrun.RrunError');

export class RrunError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses keep the ordinary prototype check (they live in one bundle copy).
    if (this !== RrunError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }

  readonly [brand] = true;
  readonly code: string;
  readonly hint: string | undefined;
  readonly subject: string | undefined;
  readonly exitCode: number;

  constructor(init: RrunErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'RrunError';
    this.code = init.code;
    this.hint = init.hint;
    this.subject = init.subject;
    this.exitCode = init.exitCode ?? ExitCode.Internal;
  }
}

export function isRrunError(err: unknown, code?: string): err is RrunError {
  return err instanceof RrunError && (code === undefined || err.code === code);
}

/** The errno code (`ENOENT`, …) of a Node system error, if it is one. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
