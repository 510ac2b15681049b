// One preparation at a time: several test runs (two clones, two engineers) may start
// together, and each would otherwise debootstrap and build the same images at once.
//
// Node has no flock(2), so util-linux's flock(1) holds the lock for us: it takes the
// lock, says so on stdout, then waits on its stdin. Closing stdin (or this process
// dying) releases it; nothing is ever left locked.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export interface HeldLock {
  release(): Promise<void>;
}

export async function acquireLock(path: string, timeoutMs: number, onWait: () => void): Promise<HeldLock> {
  const seconds = String(Math.ceil(timeoutMs / 1000));
  const child = spawn('flock', ['--exclusive', '--timeout', seconds, path, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' },
  });
  const waiting = setTimeout(onWait, 1000);
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = once(child, 'exit');
  try {
    const first = await Promise.race([
      once(child.stdout, 'data').then(() => 'locked' as const),
      exited.then(() => 'exited' as const),
      once(child, 'error').then(([e]) => {
        throw new Error(`cannot run flock(1) for ${path}: ${String(e)}`);
      }),
    ]);
    if (first !== 'locked') throw new Error(`could not lock ${path} within ${seconds} s: ${stderr.trim() || 'flock exited'}`);
  } finally {
    clearTimeout(waiting);
  }
  return {
    async release(): Promise<void> {
      child.stdin.end();
      await exited;
    },
  };
}
