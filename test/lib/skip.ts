// The one way a test gives up on a missing prerequisite: a loud, counted skip on a
// laptop; a failure under RRUN_TEST_STRICT=1 (CI), where every prerequisite is installed
// and a skip would hide a bug. Used by requirePrereq (system tests) and by unit tests that
// need something of the host (the built helper, whiteouts and xattrs).
import type { TestContext } from 'node:test';

export function skipOrFail(t: TestContext, what: string, strict = process.env['RRUN_TEST_STRICT'] === '1'): void {
  if (strict) throw new Error(`prerequisite missing (RRUN_TEST_STRICT=1 makes this a failure): ${what}`);
  process.stderr.write(`SKIP ${t.name}: prerequisite missing: ${what}\n`);
  t.skip(`prerequisite missing: ${what}`);
}
