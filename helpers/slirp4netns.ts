// slirp4netns as a versioned dependency: a pure argv builder, a runner that attaches
// it to a container's namespaces by pid and waits on its ready fd, its API socket for
// port forwards, and a stop that closes the exit fd and reaps it.
//
// Lifetime: fd 4 is the read end of a socketpair whose other end only this process
// holds. slirp4netns exits when poll(2) reports an event on it, i.e. when we close our
// end in stop() — or when the kernel closes it because rrun died, even by SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { RrunError } from '../oci/errors.js';

export interface SlirpConfig {
  /** Let 10.0.2.2 (the gateway) reach the host's 127.0.0.1. podman's default: false. */
  allowHostLoopback: boolean;
  mtu: number;
  /** `10.0.2.0/24` when undefined. */
  cidr?: string | undefined;
  enableIpv6: boolean;
  /** Detached containers: no exit fd (nothing of rrun's may keep it alive). */
  noExitFd?: boolean | undefined;
  outboundAddr?: string | undefined;
  outboundAddr6?: string | undefined;
  /** Pivot slirp4netns into a mount namespace with only /etc and /run (not with a resolv.conf symlink elsewhere). */
  sandbox: boolean;
  /** Unix socket for add_hostfwd; only when ports are published. */
  apiSocket?: string | undefined;
}

export const SLIRP_READY_FD = 3;
export const SLIRP_EXIT_FD = 4;
const STDERR_TAIL = 4096;

/** The argv after the binary: configure tap0 in PID's netns (pid mode joins its userns too). */
export function slirpArgv(pid: number, c: SlirpConfig): string[] {
  return [
    '--configure',
    `--mtu=${c.mtu}`,
    ...(c.allowHostLoopback ? [] : ['--disable-host-loopback']),
    ...(c.sandbox ? ['--enable-sandbox'] : []),
    '--enable-seccomp',
    ...(c.cidr !== undefined ? [`--cidr=${c.cidr}`] : []),
    ...(c.enableIpv6 ? ['--enable-ipv6'] : []),
    ...(c.outboundAddr !== undefined ? [`--outbound-addr=${c.outboundAddr}`] : []),
    ...(c.outboundAddr6 !== undefined ? [`--outbound-addr6=${c.outboundAddr6}`] : []),
    `--ready-fd=${SLIRP_READY_FD}`,
    ...(c.noExitFd ? [] : [`--exit-fd=${SLIRP_EXIT_FD}`]),
    ...(c.apiSocket !== undefined ? [`--api-socket=${c.apiSocket}`] : []),
    String(pid),
    'tap0',
  ];
}

export interface HostForward {
  proto: 'tcp' | 'udp';
  hostAddr: string;
  hostPort: number;
  guestPort: number;
}

/** One API request (slirp4netns(1) "API SOCKET"): one JSON object per connection, then SHUT_WR. */
export function hostfwdRequest(f: HostForward): string {
  return JSON.stringify({
    execute: 'add_hostfwd',
    arguments: { proto: f.proto, host_addr: f.hostAddr || '0.0.0.0', host_port: f.hostPort, guest_port: f.guestPort },
  });
}

function slirpError(message: string, tail: string, cause?: unknown): RrunError {
  const log = tail.trim();
  return new RrunError({
    code: 'ERR_SLIRP4NETNS',
    message: `slirp4netns failed: ${message}${log ? `: ${log.split('\n').slice(-5).join(' | ')}` : ''}`,
    subject: 'slirp4netns',
    hint: 'run with --network none to start without networking, or check that slirp4netns works: slirp4netns --version',
    cause,
  });
}

export class Slirp4netns {
  private tail = '';
  private readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private stopped = false;

  private constructor(private readonly child: ChildProcess, private readonly apiSocket: string | undefined) {
    const keep = (d: Buffer): void => {
      this.tail = (this.tail + d.toString('utf8')).slice(-STDERR_TAIL);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.on('error', (err) => {
        this.tail += `\n${err.message}`;
        resolve({ code: null, signal: null });
      });
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  /**
   * Starts slirp4netns against PID and resolves once it wrote "1" to the ready fd. With
   * `config.noExitFd` (detached containers) it holds nothing of ours: rrun may exit, and
   * the container's cleanup stops it by pid.
   */
  static async start(binary: string, pid: number, config: SlirpConfig): Promise<Slirp4netns> {
    // Own process group: a terminal's Ctrl-C goes to rrun, which ends the container first.
    const io = config.noExitFd ? 'ignore' : 'pipe';
    const child = spawn(binary, slirpArgv(pid, config), { stdio: ['ignore', io, io, 'pipe', io], detached: true });
    const s = new Slirp4netns(child, config.apiSocket);
    const ready = child.stdio[SLIRP_READY_FD] as Readable;
    const outcome = await Promise.race([
      new Promise<'ready' | 'closed'>((resolve) => {
        ready.once('data', (d: Buffer) => resolve(d.toString() === '1' ? 'ready' : 'closed'));
        ready.once('end', () => resolve('closed'));
      }),
      s.exited.then(() => 'exited' as const),
    ]);
    if (outcome !== 'ready') {
      await s.stop(undefined, true);
      throw slirpError(`did not signal readiness against pid ${pid} (${outcome})`, s.tail);
    }
    ready.destroy();
    if (config.noExitFd) child.unref();
    return s;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** add_hostfwd through the API socket; slirp4netns binds the host side itself. */
  async addHostfwd(f: HostForward): Promise<void> {
    if (this.apiSocket === undefined) throw slirpError('no API socket for port forwarding', '');
    const reply = await apiCall(this.apiSocket, hostfwdRequest(f));
    const parsed = JSON.parse(reply || '{}') as { error?: { desc?: string } };
    // podman's rule: any reply without an `error` member is success.
    if (parsed.error !== undefined) {
      throw slirpError(`add_hostfwd ${f.hostAddr || '0.0.0.0'}:${f.hostPort}/${f.proto} → ${f.guestPort}: ${parsed.error.desc ?? reply}`, '');
    }
  }

  /**
   * Closes the exit fd and sends SIGTERM; does not wait for the exit. slirp4netns keeps no
   * state worth a graceful end, and its exit takes ~18 ms of kernel time (closing the tap
   * device waits for an RCU grace period) that the container's cleanup need not wait
   * for. Node reaps it (or init does, once rrun has exited); SIGKILL follows if it is
   * still there after `graceMs`, on a timer that does not keep rrun alive. With `wait`
   * (a run that failed before its container started) it resolves once slirp4netns is gone.
   */
  stop(graceMs = 2000, wait = false): Promise<void> {
    if (this.stopped) return wait ? this.exited.then(() => {}) : Promise.resolve();
    this.stopped = true;
    (this.child.stdio[SLIRP_EXIT_FD] as Writable | null)?.destroy();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    timer.unref();
    void this.exited.then(() => {
      clearTimeout(timer);
      for (const s of [this.child.stdout, this.child.stderr, this.child.stdio[SLIRP_READY_FD]]) (s as Readable | null)?.destroy();
    });
    return wait ? this.exited.then(() => {}) : Promise.resolve();
  }

  stderrTail(): string {
    return this.tail;
  }
}

function apiCall(socket: string, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = '';
    const conn = connect(socket);
    conn.setEncoding('utf8');
    conn.on('data', (d: string) => {
      reply += d;
    });
    conn.on('error', (err) => reject(slirpError(`API socket ${socket}`, '', err)));
    conn.on('end', () => resolve(reply));
    conn.end(request);
  });
}
