// Spawning rrun-helper and speaking the protocol of helpers/protocol.ts with it.
// This module knows processes and bytes; what the messages mean for the user (exit
// codes, error texts) is decided in src/runtime/launch.ts.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { RrunError } from '../oci/errors.js';
import { encodeControl, encodeEarlyPlan, encodePlan, MessageDecoder, type ControlMessage, type EarlyPlan, type HelperMessage, type LaunchPlan } from './protocol.js';

/** The helper binary inside the package: helpers/native/rrun-helper. */
export function defaultHelperPath(): string {
  return join(packageRoot(), 'helpers', 'native', 'rrun-helper');
}

export type StdioChoice = 'inherit' | 'pipe' | 'ignore' | number;

export interface HelperOptions {
  helperPath?: string;
  /** stdin, stdout, stderr of the helper and thus of the workload. Default: inherit. */
  stdio?: [StdioChoice, StdioChoice, StdioChoice];
  env?: NodeJS.ProcessEnv;
  /** Forward SIGTERM/SIGINT/SIGHUP/SIGQUIT/SIGUSR1/SIGUSR2/SIGWINCH to the helper (default true). */
  forwardSignals?: boolean;
  /** After a forwarded SIGTERM/SIGINT, SIGKILL the helper if it is still there this much later. */
  graceMs?: number;
  /**
   * Own session (setsid) for the helper, default true: a terminal's Ctrl-C then reaches
   * only rrun, which forwards it once, instead of every process of the foreground group.
   */
  newSession?: boolean;
}

export interface HelperExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];
const STDERR_TAIL = 4096;

export class HelperProcess {
  readonly pid: number;
  readonly exit: Promise<HelperExit>;
  private readonly child: ChildProcess;
  private readonly queue: HelperMessage[] = [];
  private waiter: ((m: HelperMessage | null) => void) | null = null;
  private ended = false;
  private failure: Error | null = null;
  private tail = '';
  private killTimer: NodeJS.Timeout | null = null;
  /** The container's init (stage 1) as the host sees it, once NeedIdmap told us. */
  private containerPid: number | null = null;
  private unforward: () => void = () => {};
  private forwarding = false;

  /** Set when the helper was started with an early plan: the whole plan is still to come. */
  readonly early: EarlyPlan | undefined;

  constructor(plan: LaunchPlan | EarlyPlan, private readonly opts: HelperOptions = {}) {
    this.early = 'ops' in plan ? undefined : plan;
    const [i, o, e] = opts.stdio ?? ['inherit', 'inherit', 'inherit'];
    const stdio: StdioOptions = [i, o, e, 'pipe'];
    const path = opts.helperPath ?? defaultHelperPath();
    this.child = spawn(path, [], { stdio, env: opts.env ?? process.env, detached: opts.newSession ?? true });
    this.exit = new Promise((resolve) => {
      this.child.on('error', (cause) => {
        this.fail(new RrunError({ code: 'ERR_HELPER_SPAWN', message: `cannot run ${path}`, subject: path, cause,
          hint: 'build it with `npm run build` (needs a C compiler and make)' }));
        resolve({ code: null, signal: null });
      });
      this.child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    this.pid = this.child.pid ?? -1;
    this.child.stderr?.on('data', (d: Buffer) => {
      this.tail = (this.tail + d.toString('utf8')).slice(-STDERR_TAIL);
    });
    const sock = this.control();
    const decoder = new MessageDecoder();
    sock.on('data', (chunk: Buffer) => {
      try {
        for (const m of decoder.push(chunk)) this.deliver(m);
      } catch (err) {
        this.fail(err as Error);
      }
    });
    sock.on('error', () => this.end());
    sock.on('close', () => this.end());
    sock.write('ops' in plan ? encodePlan(plan) : encodeEarlyPlan(plan));
    if (opts.forwardSignals !== false) this.forward();
    void this.exit.then(() => {
      this.unforward();
      if (this.killTimer) clearTimeout(this.killTimer);
    });
  }

  get stdin(): Writable | null {
    return this.child.stdin;
  }
  get stdout(): Readable | null {
    return this.child.stdout;
  }
  get stderr(): Readable | null {
    return this.child.stderr;
  }

  /**
   * Forward the caller's termination signals to the helper from now on (what
   * `forwardSignals` does from the start). An early helper begins this only at launch:
   * until then Ctrl-C ends rrun as usual and the helper dies with it.
   */
  forward(): void {
    if (this.forwarding) return;
    this.forwarding = true;
    this.unforward = this.forwardSignals();
  }

  /** The container's init as the host sees it (from NeedIdmap), once known. */
  get initPid(): number | null {
    return this.containerPid;
  }

  private needIdmap: Promise<number> | undefined;

  /**
   * The container's init pid once its namespaces exist and stage 0 wrote the maps: the
   * NeedIdmap message, consumed once however often this is asked.
   */
  namespacesReady(): Promise<number> {
    this.needIdmap ??= this.expect('NeedIdmap').then((m) => m.pid);
    return this.needIdmap;
  }

  /**
   * Let a detached helper go: stop forwarding signals, close the control socket (the
   * container's init then writes into the void, which it tolerates) and let Node exit
   * while the helper lives on as the container's monitor.
   */
  detach(): void {
    this.unforward();
    this.control().destroy();
    this.child.unref();
  }

  /** The last few KiB the helper wrote to stderr (only when stderr is piped). */
  stderrTail(): string {
    return this.tail;
  }

  /** The next message, or null once the helper closed the control socket. */
  next(): Promise<HelperMessage | null> {
    if (this.failure) return Promise.reject(this.failure);
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.waiter = (msg) => (this.failure && msg === null ? reject(this.failure) : resolve(msg));
    });
  }

  /**
   * The next message, which must be `type`. Anything else — including the helper's
   * Error reply and EOF — rejects; Error replies reject with a HelperOpError.
   */
  async expect<K extends HelperMessage['type']>(type: K): Promise<Extract<HelperMessage, { type: K }>> {
    const m = await this.next();
    if (m?.type === type) return m as Extract<HelperMessage, { type: K }>;
    if (m?.type === 'Error') throw new HelperOpError(m.opIndex, m.errno, m.what);
    const status = await this.exitIfQuick();
    throw new RrunError({
      code: 'ERR_HELPER_PROTOCOL',
      message: `rrun-helper: expected ${type}, got ${m ? m.type : `end of stream (${status})`}${this.tail ? `: ${this.tail.trim()}` : ''}`,
    });
  }

  send(msg: ControlMessage): void {
    this.control().write(encodeControl(msg));
  }

  /** After an early plan: IdmapDone and the whole plan, which must keep its namespaces. */
  sendIdmapDoneAndPlan(plan: LaunchPlan): void {
    if (this.early === undefined) throw new Error('the helper already has its plan');
    if (plan.namespaces !== this.early.namespaces) {
      throw new RrunError({ code: 'ERR_HELPER_PROTOCOL', message: `the plan's namespaces (${plan.namespaces}) differ from the early plan's (${this.early.namespaces})` });
    }
    this.control().write(Buffer.concat([encodeControl('IdmapDone'), encodePlan(plan)]));
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  /** SIGTERM now, SIGKILL after the grace period; resolves when the helper is reaped. */
  terminate(graceMs = this.opts.graceMs ?? 10_000): Promise<HelperExit> {
    this.kill('SIGTERM');
    this.armKill(graceMs);
    return this.exit;
  }

  /**
   * After the grace period kill the container's init first: stage 0 then reaps it and
   * exits with 137 itself. Killing stage 0 first would orphan init to the host's pid 1,
   * which may leave it a zombie for a while. Stage 0 is killed too if it lingers.
   */
  private armKill(graceMs: number): void {
    if (this.killTimer) return;
    this.killTimer = setTimeout(() => {
      if (this.containerPid !== null) {
        try {
          process.kill(this.containerPid, 'SIGKILL');
        } catch {
          // already gone
        }
        this.killTimer = setTimeout(() => this.kill('SIGKILL'), 1000);
        this.killTimer.unref();
      } else this.kill('SIGKILL');
    }, graceMs);
    this.killTimer.unref();
  }

  private control(): Writable & Readable {
    const s = this.child.stdio[3];
    if (!s) throw new Error('rrun-helper control socket missing');
    return s as Writable & Readable;
  }

  private deliver(m: HelperMessage): void {
    if (m.type === 'NeedIdmap') this.containerPid = m.pid;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(m);
    } else this.queue.push(m);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.end();
  }

  private end(): void {
    this.ended = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(null);
    }
  }

  /** Describes the exit status if the helper exits promptly after closing the socket. */
  private async exitIfQuick(): Promise<string> {
    const t = delay(200, null, { ref: false });
    const e = await Promise.race([this.exit, t]);
    if (e === null) return 'helper still running';
    return e.signal ? `helper killed by ${e.signal}` : `helper exit status ${String(e.code)}`;
  }

  private forwardSignals(): () => void {
    const handlers = FORWARDED.map((sig) => {
      const h = (): void => {
        this.kill(sig);
        if (sig === 'SIGTERM' || sig === 'SIGINT') this.armKill(this.opts.graceMs ?? 10_000);
      };
      process.on(sig, h);
      return [sig, h] as const;
    });
    return () => {
      for (const [sig, h] of handlers) process.off(sig, h);
    };
  }
}

/** The helper's Error{opIndex, errno, what} reply; launch.ts turns it into a message naming the op. */
export class HelperOpError extends Error {
  constructor(
    readonly opIndex: number,
    readonly errno: number,
    readonly what: string,
  ) {
    super(`helper op ${opIndex}: ${what}: errno ${errno}`);
    this.name = 'HelperOpError';
  }
}

export function spawnHelper(plan: LaunchPlan | EarlyPlan, opts?: HelperOptions): HelperProcess {
  return new HelperProcess(plan, opts);
}
