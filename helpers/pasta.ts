// pasta (from passt) as a versioned dependency: a pure argv builder, a runner that
// attaches it to a container's namespaces by pid, and a stop that kills it.
//
// Detached containers (`run -d`): pasta configures the namespace, forks into the
// background and the parent exits 0 (pasta(1) `-f`), which is the readiness signal. The
// daemon is then nobody's child and, in pid mode, does not quit when the namespace goes
// away (measured with the bookworm version), so `--pid FILE` records it and stop() kills
// it; the container's cleanup does that later.
//
// Foreground containers: pasta runs with `-f` under `rrun-helper
// --exec-dying-with-parent`, so it stays rrun's child and gets SIGKILL when rrun dies,
// even by SIGKILL. It is ready when it has written its pid file, which it opens (empty)
// at start and fills once the namespace is configured.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { RrunError } from '../oci/errors.js';
import { defaultHelperPath } from './nsexec.js';

export interface PastaForward {
  proto: 'tcp' | 'udp';
  /** '' = every address. */
  hostAddr: string;
  hostPort: number;
  guestPort: number;
}

export interface PastaConfig {
  /** From containers.conf pasta_options and `--network pasta:…`, in that order. */
  options: string[];
  forwards: PastaForward[];
  pidFile: string;
  /** Address inside the namespace that pasta forwards DNS from. */
  dnsForward: string;
  /** Stay in the foreground (`-f`): the caller's child, not a daemon. */
  foreground?: boolean;
}

/** podman's pseudo-option: keep pasta's gateway→host-loopback mapping (not a pasta flag). */
export const MAP_GW = '--map-gw';
const STDERR_TAIL = 4096;

const has = (opts: readonly string[], ...names: string[]): boolean =>
  opts.some((o) => names.some((n) => o === n || o.startsWith(`${n}=`)));

/** `-t 127.0.0.1/8080:80` — host side first, as pasta(1) spells it. */
export function forwardSpec(f: PastaForward): string {
  return `${f.hostAddr ? `${f.hostAddr}/` : ''}${f.hostPort}:${f.guestPort}`;
}

/** The argv after the binary. User options come first; defaults fill only what they leave open. */
export function pastaArgv(pid: number, c: PastaConfig): string[] {
  const user = c.options.filter((o) => o !== MAP_GW);
  const fwd = c.forwards.flatMap((f) => [f.proto === 'tcp' ? '-t' : '-u', forwardSpec(f)]);
  const all = [...user, ...fwd];
  const defaults: [boolean, string[]][] = [
    [!has(user, '--dns-forward'), ['--dns-forward', c.dnsForward]],
    [!has(all, '-t', '--tcp-ports'), ['-t', 'none']],
    [!has(all, '-u', '--udp-ports'), ['-u', 'none']],
    [!has(user, '-T', '--tcp-ns'), ['-T', 'none']],
    [!has(user, '-U', '--udp-ns'), ['-U', 'none']],
    // Without it the container reaches the host's 127.0.0.1 through the gateway address.
    [!c.options.includes(MAP_GW) && !has(user, '--no-map-gw'), ['--no-map-gw']],
    [!has(user, '-q', '--quiet', '-d', '--debug'), ['--quiet']],
  ];
  const mode = c.foreground ? ['-f'] : [];
  return [...mode, '--config-net', ...all, ...defaults.flatMap(([want, args]) => (want ? args : [])), '--pid', c.pidFile, String(pid)];
}

/** Bookworm's pasta complains on stderr whenever there is no syslog socket; that is noise. */
export function pastaOutput(text: string): string {
  return text.split('\n').filter((l) => l.trim() !== '' && !/Failed to send .* to syslog/.test(l)).join('\n');
}

function pastaError(message: string, output: string, cause?: unknown): RrunError {
  const log = pastaOutput(output);
  return new RrunError({
    code: 'ERR_PASTA',
    message: `pasta failed: ${message}${log ? `:\n${log.slice(-STDERR_TAIL)}` : ''}`,
    subject: 'pasta',
    hint: 'pasta copies the host\'s addresses and routes; without a default route use --network slirp4netns or --network none',
    cause,
  });
}

export class Pasta {
  private stopped = false;

  private constructor(
    readonly pid: number,
    private readonly child?: ChildProcess,
  ) {}

  /** Runs pasta against PID and resolves once the namespace is configured. */
  static async start(binary: string, pid: number, config: PastaConfig, helperPath = defaultHelperPath()): Promise<Pasta> {
    return config.foreground ? Pasta.startForeground(binary, pid, config, helperPath) : Pasta.startDaemon(binary, pid, config);
  }

  /** The daemon: ready when the parent exits 0; found by its pid file. */
  private static async startDaemon(binary: string, pid: number, config: PastaConfig): Promise<Pasta> {
    const child = spawn(binary, pastaArgv(pid, config), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const output = collect(child);
    // 'exit', not 'close': the daemon may hold inherited pipes a little longer.
    const code = await new Promise<number | null>((resolve) => {
      child.on('error', (err) => {
        output.add(`\n${err.message}`);
        resolve(null);
      });
      child.on('exit', (c) => resolve(c));
    });
    child.stdout?.destroy();
    child.stderr?.destroy();
    if (code !== 0) throw pastaError(`exit status ${String(code)} attaching to pid ${pid}`, output.text());
    let daemon: number;
    try {
      daemon = Number(readFileSync(config.pidFile, 'utf8').trim());
    } catch (err) {
      throw pastaError(`no pid file ${config.pidFile}`, output.text(), err);
    }
    if (!Number.isInteger(daemon) || daemon <= 1) throw pastaError(`bad pid in ${config.pidFile}`, output.text());
    return new Pasta(daemon);
  }

  /** Our child for the container's lifetime, dying with us: ready once its pid file is filled. */
  private static async startForeground(binary: string, pid: number, config: PastaConfig, helperPath: string): Promise<Pasta> {
    const argv = ['--exec-dying-with-parent', binary, ...pastaArgv(pid, { ...config, foreground: true })];
    const child = spawn(helperPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const output = collect(child);
    const ready = (): boolean => {
      try {
        return /^\d+\n/.test(readFileSync(config.pidFile, 'utf8'));
      } catch {
        return false;
      }
    };
    const watcher = watch(dirname(config.pidFile), { persistent: false });
    try {
      await new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (ready()) resolve();
        };
        watcher.on('change', (_event, name) => {
          if (name === null || String(name) === basename(config.pidFile)) check();
        });
        watcher.on('error', reject);
        child.on('error', (err) => reject(pastaError(`cannot run ${binary}`, output.text(), err)));
        child.on('exit', (code, signal) => reject(pastaError(`${signal ?? `exit status ${String(code)}`} attaching to pid ${pid}`, output.text())));
        check();
      });
    } catch (err) {
      if (child.exitCode === null && child.signalCode === null) {
        const reaped = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGKILL');
        await reaped;
      }
      throw err;
    } finally {
      watcher.close();
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
    return new Pasta(child.pid ?? -1, child);
  }

  /**
   * Kills pasta: our child directly (with `wait`, resolving once it is reaped); a daemon
   * after checking the pid is still pasta (not a reused pid).
   */
  async stop(wait = false): Promise<void> {
    const child = this.child;
    const gone = child === undefined || child.exitCode !== null || child.signalCode !== null;
    const reaped = gone ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));
    if (this.stopped) return wait ? reaped : undefined;
    this.stopped = true;
    if (child !== undefined) {
      if (!gone) child.kill('SIGKILL');
      return wait ? reaped : undefined;
    }
    let comm = '';
    try {
      comm = readFileSync(`/proc/${this.pid}/comm`, 'utf8').trim();
    } catch {
      return;
    }
    if (comm !== 'pasta' && comm !== 'passt' && comm !== 'pasta.avx2' && comm !== 'passt.avx2') return;
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The last few KiB of a child's stdout and stderr, for error messages. */
function collect(child: ChildProcess): { add: (s: string) => void; text: () => string } {
  let output = '';
  const add = (s: string): void => {
    output = (output + s).slice(-STDERR_TAIL);
  };
  child.stdout?.on('data', (d: Buffer) => add(d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => add(d.toString('utf8')));
  return { add, text: () => output };
}
