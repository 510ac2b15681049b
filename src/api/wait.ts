// `rrun wait`: blocks until the container exits; its exit code.
import { setTimeout as delay } from 'node:timers/promises';
import { createContext, type Context } from '../context.js';
import { observe } from '../runtime/state.js';
import { findContainer } from './container-store.js';

export async function waitContainer(nameOrId: string, ctx?: Context, intervalMs = 50): Promise<number> {
  const context = ctx ?? (await createContext());
  const c = await findContainer(context, nameOrId);
  for (;;) {
    const st = observe(c.files);
    if (st.status === 'exited') return st.exitCode ?? 0;
    await delay(intervalMs);
  }
}
