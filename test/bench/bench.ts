// `npm run bench`: rrun against podman on this machine, in the same run, paired
// (A B A B …) so that machine noise hits both alike. Reports medians and the median of
// the pair-by-pair ratios, and peak RSS (GNU time's %M) of the rrun process.
//
// As root it prepares the rootless test bed and re-runs itself as the test user, so no
// `runuser` is inside any timed command.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prepareTestBed, testBed } from '../lib/testbed.js';
import { userArgv } from '../lib/bed.js';

interface Row {
  name: string;
  rrun: string[];
  podman: string[];
  runs: number;
}

const PAIRS = Number(process.env['RRUN_BENCH_RUNS'] ?? '15');

function rows(repo: string): Row[] {
  const rrun = `${repo}/bin/rrun`;
  return [
    { name: 'run --rm busybox true (--network none)', rrun: [rrun, 'run', '--rm', '--network', 'none', 'busybox', 'true'], podman: ['podman', 'run', '--rm', '--network', 'none', 'busybox', 'true'], runs: PAIRS },
    { name: 'headline: run --rm node npm --version (--network none)', rrun: [rrun, 'run', '--rm', '--network', 'none', 'node', 'npm', '--version'], podman: ['podman', 'run', '--rm', '--network', 'none', 'node', 'npm', '--version'], runs: Math.max(5, Math.floor(PAIRS / 2)) },
    { name: 'images', rrun: [rrun, 'images'], podman: ['podman', 'images'], runs: PAIRS },
    { name: 'image inspect node', rrun: [rrun, 'image', 'inspect', 'node'], podman: ['podman', 'image', 'inspect', 'node'], runs: PAIRS },
  ];
}

function timeOnce(argv: readonly string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${String(r.status)}: ${r.stderr.toString().slice(-400)}`);
  return ms;
}

/** Peak RSS in KiB of the command's own process (GNU time), median of a few runs. */
function peakRss(argv: readonly string[]): number | undefined {
  if (!existsSync('/usr/bin/time')) return undefined;
  const values: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
    const last = r.stderr.toString().trim().split('\n').at(-1) ?? '';
    if (/^\d+$/.test(last)) values.push(Number(last));
  }
  return values.length > 0 ? median(values) : undefined;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function measure(row: Row): { rrun: number; podman: number; ratio: number; rss?: number; podmanRss?: number } {
  for (let i = 0; i < 2; i++) {
    timeOnce(row.rrun);
    timeOnce(row.podman);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < row.runs; i++) {
    a.push(timeOnce(row.rrun));
    b.push(timeOnce(row.podman));
  }
  const ratio = median(a.map((x, i) => x / (b[i] as number)));
  const rss = peakRss(row.rrun);
  const podmanRss = peakRss(row.podman);
  return { rrun: median(a), podman: median(b), ratio, ...(rss !== undefined ? { rss } : {}), ...(podmanRss !== undefined ? { podmanRss } : {}) };
}

function inner(): void {
  const bed = testBed();
  const floor = median(Array.from({ length: 10 }, () => timeOnce(['node', '-e', '0'])));
  process.stdout.write(`node -e 0 floor: ${floor.toFixed(1)} ms (median of 10)\n\n`);
  process.stdout.write('| command | rrun median | podman median | rrun/podman (paired) | rrun peak RSS | podman peak RSS |\n|---|---|---|---|---|---|\n');
  for (const row of rows(bed.repo)) {
    const m = measure(row);
    const kib = (v?: number): string => (v === undefined ? 'n/a' : `${(v / 1024).toFixed(1)} MiB`);
    process.stdout.write(`| ${row.name} | ${m.rrun.toFixed(0)} ms | ${m.podman.toFixed(0)} ms | ${m.ratio.toFixed(2)}× | ${kib(m.rss)} | ${kib(m.podmanRss)} |\n`);
  }
}

async function outer(): Promise<number> {
  const bed = await prepareTestBed();
  const self = fileURLToPath(import.meta.url);
  const env = { ...bed.env, RRUN_TESTBED: JSON.stringify(bed), RRUN_BENCH_RUNS: String(PAIRS) };
  const argv = userArgv(bed, ['node', self, '--inner'], env);
  const child = spawn(argv[0] as string, argv.slice(1), {
    stdio: 'inherit',
    cwd: bed.home,
    env: bed.asRoot ? { PATH: bed.env['PATH'] ?? '/usr/bin:/bin' } : env,
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

if (process.argv.includes('--inner')) inner();
else process.exitCode = await outer();
