// The rootless test bed: an unprivileged user with its own podman store holding the
// fixture images, and helpers to run commands as that user.
//
// prepareTestBed() runs once in the test runner's process (as root on CI: it creates
// the user `rrun-test`; as anyone else: the current user with an isolated store under
// ~/.cache/rrun-test). The runner hands the result to every test file through
// RRUN_TESTBED, where testBed(), runAs(), rrun() and podman() read it.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { DEBIAN_CACHE_DIR } from '../fixtures/debian.js';
import { ensureFixtureImages } from '../fixtures/images.js';
import { progress } from '../fixtures/store.js';
import type { RunOptions, RunResult, TestBed } from './bed.js';
import { runInBed } from './bed.js';
import { prepareAsRoot } from './host-root.js';
import { isolatedBase, prepareAsUser } from './host-user.js';
import { acquireLock } from './lock.js';
import { skipOrFail } from './skip.js';

export type { RunOptions, RunResult, SubIdRange, TestBed } from './bed.js';

const ENV_VAR = 'RRUN_TESTBED';
/** A fresh preparation takes about 1.5 min; another run waiting on it gives up after this. */
const LOCK_TIMEOUT_MS = 20 * 60_000;

/** The checkout this file was compiled from: dist/test/lib/testbed.js → repo root. */
function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

function isStrict(): boolean {
  return process.env['RRUN_TEST_STRICT'] === '1';
}

/**
 * Idempotent; when everything is in place it only checks (a few podman calls).
 * Throws when the bed cannot work at all, or in strict mode when a fixture image
 * cannot be built on this machine.
 */
export async function prepareTestBed(): Promise<TestBed> {
  const asRoot = process.getuid?.() === 0;
  const lockDir = asRoot ? DEBIAN_CACHE_DIR : isolatedBase();
  mkdirSync(lockDir, { recursive: true });
  const lock = await acquireLock(join(lockDir, 'prepare.lock'), LOCK_TIMEOUT_MS, () =>
    progress(`waiting for another test run to finish preparing the bed (${lockDir}/prepare.lock)`),
  );
  try {
    return await prepareLocked(asRoot);
  } finally {
    await lock.release();
  }
}

async function prepareLocked(asRoot: boolean): Promise<TestBed> {
  const started = Date.now();
  const repo = repoRoot();
  const strict = isStrict();
  const bed = asRoot ? await prepareAsRoot(repo, strict) : prepareAsUser(repo, strict);
  progress(`user ${bed.user} (uid ${bed.uid}, subuid ${bed.subuid.start}+${bed.subuid.count}), HOME ${bed.home}`);
  bed.missing = await ensureFixtureImages(bed);
  const missing = Object.entries(bed.missing);
  if (missing.length > 0 && strict) {
    const list = missing.map(([ref, why]) => `  ${ref}: ${why}`).join('\n');
    throw new Error(`RRUN_TEST_STRICT=1 and fixture images cannot be built here:\n${list}`);
  }
  progress(`test bed ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return bed;
}

let cached: TestBed | undefined;

/** The bed prepared by the runner (test files only). */
export function testBed(): TestBed {
  if (cached !== undefined) return cached;
  const raw = process.env[ENV_VAR];
  if (raw === undefined || raw === '') {
    throw new Error(
      `${ENV_VAR} is not set: system and compat tests need the rootless test bed; ` +
        'run them through `node dist/test/run.js system` (or compat), which prepares it',
    );
  }
  cached = JSON.parse(raw) as TestBed;
  return cached;
}

/** Runs argv as the test user, with exactly bed.env (plus opts.env), in the user's HOME by default. */
export function runAs(argv: string[], opts?: RunOptions): Promise<RunResult> {
  return runInBed(testBed(), argv, opts);
}

/** `${repo}/bin/rrun …` as the test user. */
export function rrun(args: string[], opts?: RunOptions): Promise<RunResult> {
  return runAs([`${testBed().repo}/bin/rrun`, ...args], opts);
}

/** `podman …` as the test user, against the same store rrun uses. */
export function podman(args: string[], opts?: RunOptions): Promise<RunResult> {
  return runAs(['podman', ...args], opts);
}

/**
 * Guards a test on something the machine must provide. Returns true when `ok`.
 * Otherwise it skips the test loudly (the runner lists every skip), or in strict
 * mode (RRUN_TEST_STRICT=1, as on CI) throws so that the test fails.
 *
 *   if (!requirePrereq(t, hasThing, 'thing X (apt-get install x)')) return;
 */
export function requirePrereq(t: TestContext, ok: boolean, what: string): boolean {
  if (ok) return true;
  skipOrFail(t, what, process.env[ENV_VAR] !== undefined ? testBed().strict : isStrict());
  return false;
}

/** A command's stdout, once it is known to have exited 0 (its stderr in the failure). */
export function ok(r: RunResult, what: string): string {
  assert.equal(r.code, 0, `${what} exited ${String(r.code)}: ${r.stderr}`);
  return r.stdout;
}

/** Whether a fixture image is in the store; use with requirePrereq. */
export function hasFixture(ref: string): boolean {
  return testBed().missing[ref] === undefined;
}

/** The reason a fixture image is absent, for requirePrereq's message. */
export function fixtureMissingReason(ref: string): string {
  return `fixture image ${ref}: ${testBed().missing[ref] ?? 'present'}`;
}
