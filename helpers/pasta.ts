// pasta (from passt) as a versioned dependency: a pure argv builder, a runner that
// attaches it to a container's namespaces by pid, and a stop that kills it.
//
// Readiness is the parent's exit: pasta configures the namespace, then forks into the
// background and the parent exits 0 (pasta(1) `-f`). The daemon is then nobody's child
// and, in pid mode, does not quit when the namespace goes away (measured with the
// bookworm version), so `--pid FILE` records it and stop() kills it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { RrunError } from '../oci/errors.js';

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
  return ['--config-net', ...all, ...defaults.flatMap(([want, args]) => (want ? args : [])), '--pid', c.pidFile, String(pid)];
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

  private constructor(readonly pid: number) {}

  /** Runs pasta against PID and resolves once the namespace is configured (parent exited 0). */
  static async start(binary: string, pid: number, config: PastaConfig): Promise<Pasta> {
    const child = spawn(binary, pastaArgv(pid, config), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const keep = (d: Buffer): void => {
      output = (output + d.toString('utf8')).slice(-STDERR_TAIL);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // 'exit', not 'close': the daemon may hold inherited pipes a little longer.
    const code = await new Promise<number | null>((resolve) => {
      child.on('error', (err) => {
        output += `\n${err.message}`;
        resolve(null);
      });
      child.on('exit', (c) => resolve(c));
    });
    child.stdout.destroy();
    child.stderr.destroy();
    if (code !== 0) throw pastaError(`exit status ${String(code)} attaching to pid ${pid}`, output);
    let daemon: number;
    try {
      daemon = Number(readFileSync(config.pidFile, 'utf8').trim());
    } catch (err) {
      throw pastaError(`no pid file ${config.pidFile}`, output, err);
    }
    if (!Number.isInteger(daemon) || daemon <= 1) throw pastaError(`bad pid in ${config.pidFile}`, output);
    return new Pasta(daemon);
  }

  /** Kills the daemon, checking first that the pid is still pasta (not a reused pid). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
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
