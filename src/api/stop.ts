// `rrun stop` and `rrun kill`: signals go to the container's init (host pid), which
// forwards them to the workload; SIGKILL ends init itself and with it the namespace.
// The pid is safe to signal while the monitor lives: init is its unreaped child.
import { constants as osConstants } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { RrunError } from '../../oci/errors.js';
import { createContext, type Context } from '../context.js';
import { observe, type ContainerState } from '../runtime/state.js';
import { findContainer, type RrunContainer } from './container-store.js';

/** `KILL`, `SIGKILL`, `9` → the signal number. */
export function parseSignal(text: string): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n >= 1 && n <= 64) return n;
  } else {
    const name = `SIG${text.toUpperCase().replace(/^SIG/, '')}` as keyof typeof osConstants.signals;
    const n = osConstants.signals[name];
    if (n !== undefined) return n;
  }
  throw new RrunError({ code: 'ERR_USAGE', message: `invalid signal: ${text}`, subject: text, hint: 'use a name like TERM or KILL, or a number' });
}

function signal(state: ContainerState, sig: number): void {
  if (state.pid === undefined || state.pid <= 0) return;
  try {
    process.kill(state.pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // it just exited
  }
}

/** Polls until the container is no longer running, or the deadline passes. */
export async function waitExited(c: RrunContainer, timeoutMs: number): Promise<ContainerState | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const st = observe(c.files);
    if (st.status !== 'running') return st;
    if (Date.now() >= deadline) return undefined;
    await delay(20);
  }
}

export async function killContainer(nameOrId: string, sig = 'KILL', ctx?: Context): Promise<string> {
  const context = ctx ?? (await createContext());
  const c = await findContainer(context, nameOrId);
  if (c.state.status !== 'running') {
    throw new RrunError({
      code: 'ERR_CONTAINER_STATE',
      message: `can only kill running containers. ${c.id} is in state ${c.state.status}: container state improper`,
      subject: c.id,
    });
  }
  signal(c.state, parseSignal(sig));
  return c.id;
}

export interface StopOptions {
  /** Seconds before SIGKILL; default the container's stop timeout (10). */
  timeout?: number;
}

/** Stop signal, then SIGKILL after the timeout. Stopping a stopped container is fine (podman). */
export async function stopContainer(nameOrId: string, opts: StopOptions = {}, ctx?: Context): Promise<{ id: string; killed: boolean }> {
  const context = ctx ?? (await createContext());
  const c = await findContainer(context, nameOrId);
  if (c.state.status !== 'running') return { id: c.id, killed: false };
  const timeout = opts.timeout ?? c.config?.stopTimeout ?? 10;
  signal(c.state, parseSignal(c.config?.stopSignal ?? 'TERM'));
  if (await waitExited(c, timeout * 1000)) return { id: c.id, killed: false };
  signal(c.state, osConstants.signals.SIGKILL);
  await waitExited(c, 5000);
  return { id: c.id, killed: true };
}
