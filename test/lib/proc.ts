// Child processes for the test bed: spawn, collect output, bounded by a timeout.
//
// Every child runs in its own process group so a timeout can kill the whole tree
// (runuser forks the real command; podman forks conmon and friends).
import { spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  /** The complete environment of the child (nothing is inherited). */
  env: Record<string, string>;
  cwd?: string;
}

export const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export function spawnCollect(argv: string[], opts: SpawnOptions): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return Promise.reject(new Error('spawnCollect: empty argv'));
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env,
      cwd: opts.cwd,
      detached: true,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${cmd}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) stderr += `\n[testbed] ${argv.join(' ')}: timed out after ${timeoutMs} ms, killed\n`;
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
    if (opts.input !== undefined && child.stdin !== null) {
      child.stdin.on('error', () => undefined); // the child may exit without reading
      child.stdin.end(opts.input);
    }
  });
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** The last `lines` lines of a command's output, for error messages. */
export function tail(text: string, lines = 15): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

export function describeFailure(what: string, argv: readonly string[], r: RunResult): string {
  const status = r.signal !== null ? `signal ${r.signal}` : `exit ${String(r.code)}`;
  const detail = tail(r.stderr) || tail(r.stdout);
  return `${what} failed (${status}): ${argv.join(' ')}\n${detail}`;
}

/** Throws an error naming the command and its stderr tail unless it exited 0. */
export function assertOk(what: string, argv: readonly string[], r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(describeFailure(what, argv, r));
  return r;
}

/** Runs a command as the current process's user with the given environment; throws on failure. */
export async function runChecked(what: string, argv: string[], opts: SpawnOptions): Promise<RunResult> {
  return assertOk(what, argv, await spawnCollect(argv, opts));
}
