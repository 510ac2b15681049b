// The test bed's shape and how a command runs as its user. Kept apart from
// testbed.ts so the fixture builders can use it while the bed is being prepared.
import { spawnCollect, assertOk, type RunResult } from './proc.js';

export type { RunResult } from './proc.js';

export interface SubIdRange {
  start: number;
  count: number;
}

export interface TestBed {
  /** The unprivileged user every rrun/podman command runs as. */
  user: string;
  uid: number;
  gid: number;
  /** HOME of that user as the tests see it (isolated when not root). */
  home: string;
  /** The complete environment of the test user's commands. */
  env: Record<string, string>;
  /** Absolute path of the repository checkout (holds bin/rrun and dist/). */
  repo: string;
  /** RRUN_TEST_STRICT=1: a missing prerequisite fails instead of skipping. */
  strict: boolean;
  /** The bed was prepared by root: commands switch user with runuser. */
  asRoot: boolean;
  subuid: SubIdRange;
  subgid: SubIdRange;
  /** Fixture images that could not be built here, each with the reason. */
  missing: Record<string, string>;
}

export interface RunOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  /** Added to (and overriding) bed.env. */
  env?: Record<string, string>;
  /** Defaults to the test user's HOME (root's cwd may be unreadable to the user). */
  cwd?: string;
}

/** The argv that runs `argv` as the bed's user with exactly `env`. */
export function userArgv(bed: TestBed, argv: readonly string[], env: Record<string, string>): string[] {
  if (!bed.asRoot) return [...argv];
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return ['runuser', '-u', bed.user, '--', 'env', '-i', ...assignments, ...argv];
}

export function runInBed(bed: TestBed, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const env = { ...bed.env, ...opts.env };
  return spawnCollect(userArgv(bed, argv, env), {
    env: bed.asRoot ? { PATH: bed.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' } : env,
    cwd: opts.cwd ?? bed.home,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
}

/** Like runInBed but throws (naming the command and its stderr tail) unless it exits 0. */
export async function runInBedChecked(
  bed: TestBed,
  what: string,
  argv: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  return assertOk(what, argv, await runInBed(bed, argv, opts));
}
