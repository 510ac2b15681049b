// The test runner behind `npm test`.
//
// Why node:test and not uvu: node:test ships with Node (no unmaintained dependency),
// gives per-test timeouts and process isolation per file, and its closing lines are
// read by CI. We drive it through `run()` so that TypeScript is compiled once by `tsc`
// (no loader at test time) and so that the run ends with one plain line CI reads:
// `N passed, N failed, N skipped`.
//
// Usage: node dist/test/run.js [unit|system|compat|PATH-FILTER…]
// System and compat suites need the rootless test bed; it is prepared once here
// (see test/lib/testbed.ts) and handed to the test files through RRUN_TESTBED.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const suites = ['unit', 'system', 'compat'] as const;
type Suite = (typeof suites)[number];

function listTests(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listTests(path));
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

function selectFiles(args: string[]): { suite: Suite; files: string[] }[] {
  const wanted = args.filter((a) => (suites as readonly string[]).includes(a)) as Suite[];
  const filters = args.filter((a) => !(suites as readonly string[]).includes(a));
  const chosen = wanted.length > 0 ? wanted : [...suites];
  return chosen.map((suite) => ({
    suite,
    files: listTests(join(here, suite)).filter(
      (f) => filters.length === 0 || filters.some((flt) => relative(here, f).includes(flt)),
    ),
  }));
}

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
  skips: string[];
}

async function runSuite(files: string[], concurrency: number, tally: Tally): Promise<void> {
  if (files.length === 0) return;
  const stream = run({ files, concurrency, timeout: 15 * 60_000 });
  stream.on('test:pass', (d) => {
    if (d.details?.type === 'suite') return;
    if (d.skip !== undefined) {
      tally.skipped++;
      tally.skips.push(`${d.name}: ${String(d.skip)}`);
    } else tally.passed++;
  });
  stream.on('test:fail', (d) => {
    if (d.details?.type === 'suite') return;
    tally.failed++;
  });
  const out = stream.compose(new spec());
  out.pipe(process.stdout, { end: false });
  await new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
}

async function main(): Promise<number> {
  const plan = selectFiles(process.argv.slice(2));
  const tally: Tally = { passed: 0, failed: 0, skipped: 0, skips: [] };
  for (const { suite, files } of plan) {
    if (files.length === 0) continue;
    process.stdout.write(`\n=== ${suite}: ${files.length} file(s)\n`);
    if (suite !== 'unit') {
      const { prepareTestBed } = await import('./lib/testbed.js');
      try {
        const bed = await prepareTestBed();
        process.env['RRUN_TESTBED'] = JSON.stringify(bed);
      } catch (err) {
        process.stdout.write(`test bed could not be prepared: ${(err as Error).stack ?? String(err)}\n`);
        tally.failed++;
        continue;
      }
    }
    // Unit files are independent; system files share one store and the machine's
    // two cores with podman, so they run one at a time.
    await runSuite(files, suite === 'unit' ? 4 : 1, tally);
  }
  if (tally.skips.length > 0) {
    process.stdout.write(`\nSKIPPED (${tally.skips.length}) — prerequisites missing on this machine:\n`);
    for (const s of tally.skips) process.stdout.write(`  - ${s}\n`);
  }
  process.stdout.write(`\n${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped\n`);
  return tally.failed > 0 ? 1 : 0;
}

process.exitCode = await main();
