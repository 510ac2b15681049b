// `rrun wait`: blocks until the container reaches a condition (podman's default
// `stopped`: not running, after it has been running or never started); its exit code,
// or -1 for `running`, as podman prints.
import { setTimeout as delay } from 'node:timers/promises';
import { RrunError } from '../../oci/errors.js';
import { createContext, type Context } from '../context.js';
import { observe, type ContainerState } from '../runtime/state.js';
import { findContainer } from './container-store.js';

export type WaitCondition = 'running' | 'stopped' | 'exited';

/** The conditions podman 4.3 accepts; `stopped` and `exited` both mean "not running now". */
const REACHED: Record<WaitCondition, (s: ContainerState) => boolean> = {
  running: (s) => s.status === 'running',
  stopped: (s) => s.status === 'exited',
  exited: (s) => s.status === 'exited',
};

export function parseCondition(word: string): WaitCondition {
  if (word in REACHED) return word as WaitCondition;
  throw new RrunError({
    code: 'ERR_USAGE',
    message: `unknown container state: ${word}: invalid argument`,
    subject: word,
    hint: 'conditions: running, stopped, exited',
  });
}

export async function waitContainer(nameOrId: string, ctx?: Context, intervalMs = 50, conditions: readonly WaitCondition[] = ['stopped']): Promise<number> {
  const wanted = conditions.length > 0 ? conditions : (['stopped'] as const);
  const context = ctx ?? (await createContext());
  const c = await findContainer(context, nameOrId);
  for (;;) {
    const st = observe(c.files);
    // Several conditions: whichever is reached first, as podman does.
    const hit = wanted.find((w) => REACHED[w](st));
    if (hit !== undefined) return hit === 'running' ? -1 : (st.exitCode ?? 0);
    await delay(intervalMs);
  }
}
