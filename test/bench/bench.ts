// `npm run bench`: rrun against podman on this machine, in the same run, paired
// (A B A B …) so that machine noise hits both alike. Reports medians, the median of the
// pair-by-pair ratios, and peak RSS (GNU time's %M) of the rrun process.
//
// As root it prepares the rootless test bed and re-runs itself as the test user, so no
// `runuser` is inside any timed command. RRUN_BENCH_RUNS sets the pairs per row (15);
// RRUN_BENCH_ONLY=substring picks rows.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareTestBed, testBed } from '../lib/testbed.js';
import { userArgv } from '../lib/bed.js';
import { pushFixture, startRegistry } from '../lib/registry.js';

interface Row {
  name: string;
  rrun: string[];
  podman: string[];
  runs: number;
  /** Run before each timed command (not timed), e.g. to empty a store. */
  reset?: () => void;
}

const PAIRS = Number(process.env['RRUN_BENCH_RUNS'] ?? '15');
const ONLY = process.env['RRUN_BENCH_ONLY'] ?? '';

function sh(argv: readonly string[]): string {
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${String(r.status)}: ${r.stderr.slice(-400)}`);
  return r.stdout;
}

function timeOnce(argv: readonly string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${String(r.status)}: ${r.stderr.toString().slice(-400)}`);
  return ms;
}

/** Peak RSS in KiB of the command's own process (GNU time), median of a few runs. */
function peakRss(argv: readonly string[], reset?: () => void): number | undefined {
  if (!existsSync('/usr/bin/time')) return undefined;
  const values: number[] = [];
  for (let i = 0; i < 3; i++) {
    reset?.();
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

interface Measured {
  rrun: number;
  podman: number;
  ratio: number;
  rss?: number | undefined;
  podmanRss?: number | undefined;
}

function measure(row: Row): Measured {
  const timed = (argv: readonly string[]): number => {
    row.reset?.();
    return timeOnce(argv);
  };
  if (row.reset === undefined) {
    timed(row.rrun);
    timed(row.podman);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < row.runs; i++) {
    a.push(timed(row.rrun));
    b.push(timed(row.podman));
  }
  return {
    rrun: median(a),
    podman: median(b),
    ratio: median(a.map((x, i) => x / (b[i] as number))),
    rss: peakRss(row.rrun, row.reset),
    podmanRss: peakRss(row.podman, row.reset),
  };
}

function runRows(repo: string): Row[] {
  const rrun = `${repo}/bin/rrun`;
  const pair = (name: string, args: string[], runs = PAIRS): Row => ({ name, rrun: [rrun, ...args], podman: ['podman', ...args], runs });
  return [
    pair('run --rm --network none busybox true', ['run', '--rm', '--network', 'none', 'busybox', 'true']),
    pair('run --rm busybox true (default network)', ['run', '--rm', 'busybox', 'true']),
    pair('headline: run --rm node npm --version (default network)', ['run', '--rm', 'node', 'npm', '--version'], Math.max(5, PAIRS >> 1)),
    pair('images', ['images']),
    pair('image inspect node', ['image', 'inspect', 'node']),
  ];
}

/**
 * A fresh, never used store per timed pull; all of them are removed after the row. Until
 * session 3 the previous store was removed right before each pull. On a file system
 * without a journal (this machine's `/`) ext4 then skips every inode freed in the last
 * one to six minutes while it allocates new ones, so each pull paid for the 38k files
 * deleted just before it, by an amount that depended on the deletions of the pulls
 * before: the same extraction took 4 to 22 s, for GNU tar as for either tool, and the
 * row measured that more than the tools.
 */
async function pullRow(repo: string, scratch: string): Promise<{ row: Row; stop: () => Promise<void> }> {
  const reg = await startRegistry();
  await pushFixture('docker.io/library/node:latest', `${reg.host}/library/node:latest`);
  let n = 0;
  const store = (who: string): string[] => ['--root', join(scratch, `${who}-root-${n}`), '--runroot', join(scratch, `${who}-run-${n}`)];
  const ref = `${reg.host}/library/node:latest`;
  const row: Row = {
    name: 'cold pull of node (3 layers) from a local registry',
    rrun: [`${repo}/bin/rrun`, ...store('rrun'), 'pull', '-q', '--tls-verify=false', ref],
    podman: ['podman', ...store('podman'), 'pull', '-q', '--tls-verify=false', ref],
    runs: Math.max(2, Math.min(3, PAIRS)),
    // The next command gets new, empty store paths (argv positions 1-4 after the program).
    reset: () => {
      n++;
      row.rrun.splice(1, 4, ...store('rrun'));
      row.podman.splice(1, 4, ...store('podman'));
    },
  };
  const stop = async (): Promise<void> => {
    const stores = readdirSync(scratch).filter((d) => /^(rrun|podman)-(root|run)-\d+$/.test(d)).map((d) => join(scratch, d));
    if (stores.length > 0) sh(['podman', 'unshare', 'rm', '-rf', ...stores]);
    await reg.stop();
  };
  return { row, stop };
}

function buildRow(repo: string, scratch: string): Row {
  const ctx = join(scratch, 'build-ctx');
  sh(['mkdir', '-p', join(ctx, 'files')]);
  for (let i = 0; i < 200; i++) writeFileSync(join(ctx, 'files', `f${i}.txt`), `file ${i}\n`.repeat(50));
  writeFileSync(join(ctx, 'Containerfile'), [
    'FROM localhost/busybox', 'RUN mkdir -p /data && echo one > /data/one', 'COPY files /data/files',
    'RUN dd if=/dev/zero of=/data/blob bs=1M count=10 2>/dev/null', 'RUN rm /bin/wget || true', 'ENV X=1', 'CMD ["sh"]', '',
  ].join('\n'));
  const reset = (): void => {
    for (const tool of [`${repo}/bin/rrun`, 'podman']) spawnSync(tool, ['rmi', '-f', 'localhost/rrun-bench-build'], { stdio: 'ignore' });
  };
  return {
    name: 'build --no-cache (3 RUN, 1 COPY of 200 files)',
    rrun: [`${repo}/bin/rrun`, 'build', '--no-cache', '-q', '-t', 'localhost/rrun-bench-build', ctx],
    podman: ['podman', 'build', '--no-cache', '-q', '-t', 'localhost/rrun-bench-build', ctx],
    runs: Math.max(2, Math.min(5, PAIRS)),
    reset,
  };
}

/** VmRSS (KiB) of the process that stays with a detached container: rrun's monitor vs conmon. */
function monitorRss(repo: string): { rrun: number; podman: number } {
  const rssOf = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  const name = `rrun-bench-monitor-${process.pid}`;
  sh([`${repo}/bin/rrun`, 'run', '-d', '--network', 'none', '--name', name, 'busybox', 'sleep', '60']);
  const initPid = Number(sh([`${repo}/bin/rrun`, 'inspect', '--format', '{{.State.Pid}}', name]).trim());
  const monitor = Number(readFileSync(`/proc/${initPid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
  const mine = rssOf(monitor);
  sh([`${repo}/bin/rrun`, 'rm', '-f', name]);
  sh(['podman', 'run', '-d', '--network', 'none', '--name', name, 'busybox', 'sleep', '60']);
  const conmon = Number(sh(['podman', 'inspect', '--format', '{{.State.ConmonPid}}', name]).trim());
  const theirs = rssOf(conmon);
  sh(['podman', 'rm', '-f', '-t', '0', name]);
  return { rrun: mine, podman: theirs };
}

function print(name: string, m: Measured): void {
  const kib = (v?: number): string => (v === undefined ? 'n/a' : `${(v / 1024).toFixed(1)} MiB`);
  const ms = (v: number): string => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(0)} ms`);
  process.stdout.write(`| ${name} | ${ms(m.rrun)} | ${ms(m.podman)} | ${m.ratio.toFixed(2)}× | ${kib(m.rss)} | ${kib(m.podmanRss)} |\n`);
}

async function inner(): Promise<void> {
  const bed = testBed();
  const scratch = mkdtempSync(join(tmpdir(), 'rrun-bench-'));
  const floor = median(Array.from({ length: 10 }, () => timeOnce(['node', '-e', '0'])));
  process.stdout.write(`node -e 0 floor: ${floor.toFixed(1)} ms (median of 10); ${PAIRS} pairs per row unless noted\n\n`);
  process.stdout.write('| command | rrun median | podman median | rrun/podman (paired) | rrun peak RSS | podman peak RSS |\n|---|---|---|---|---|---|\n');
  const wanted = (name: string): boolean => ONLY === '' || name.includes(ONLY);
  try {
    for (const row of runRows(bed.repo)) if (wanted(row.name)) print(row.name, measure(row));
    const build = buildRow(bed.repo, scratch);
    if (wanted(build.name)) print(build.name, measure(build));
    if (wanted('cold pull')) {
      const pull = await pullRow(bed.repo, scratch);
      try {
        print(pull.row.name, measure(pull.row));
      } finally {
        await pull.stop();
      }
    }
    if (wanted('monitor')) {
      const m = monitorRss(bed.repo);
      process.stdout.write(`\ndetached container monitor RSS: rrun ${(m.rrun / 1024).toFixed(2)} MiB, podman's conmon ${(m.podman / 1024).toFixed(2)} MiB\n`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function outer(): Promise<number> {
  const bed = await prepareTestBed();
  const self = fileURLToPath(import.meta.url);
  // The inner run already is the test user: nothing in it may switch users again.
  const env = { ...bed.env, RRUN_TESTBED: JSON.stringify({ ...bed, asRoot: false }), RRUN_BENCH_RUNS: String(PAIRS), RRUN_BENCH_ONLY: ONLY };
  const argv = userArgv(bed, ['node', self, '--inner'], env);
  const child = spawn(argv[0] as string, argv.slice(1), {
    stdio: 'inherit',
    cwd: bed.home,
    env: bed.asRoot ? { PATH: bed.env['PATH'] ?? '/usr/bin:/bin' } : env,
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

if (process.argv.includes('--inner')) await inner();
else process.exitCode = await outer();
