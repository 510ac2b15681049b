// OFD locks against classic POSIX record locks (what podman/c/storage takes). A Python
// child stands in for podman: fcntl.lockf is F_SETLKW with a whole-file range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { readToken, recordWrite, withLocks } from '../../storage/lockfile.js';

function holdClassicLock(path: string, exclusive: boolean, seconds: number) {
  const py = `import fcntl,sys,time
f=open(sys.argv[1],'r+')
fcntl.lockf(f, fcntl.LOCK_EX if sys.argv[2]=='w' else fcntl.LOCK_SH)
print('locked', flush=True)
time.sleep(float(sys.argv[3]))
`;
  const child = spawn('python3', ['-c', py, path, exclusive ? 'w' : 'r', String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const locked = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return { child, locked };
}

function tempLock(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rrun-lock-'));
  const path = join(dir, 'layers.lock');
  writeFileSync(path, Buffer.alloc(64));
  return path;
}

test('a read lock waits for a classic write lock held by another process', async () => {
  const path = tempLock();
  const holder = holdClassicLock(path, true, 0.6);
  await holder.locked;
  const start = Date.now();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 50);
  await withLocks([{ path, mode: 'read' }], () => undefined);
  clearInterval(timer);
  const waited = Date.now() - start;
  assert.ok(waited >= 400, `read lock was granted after ${waited} ms while the writer held it`);
  assert.ok(ticks >= 5, 'the event loop kept running while waiting');
  await once(holder.child, 'exit');
});

test('a classic reader is blocked while we hold the write lock, and the token changes', async () => {
  const path = tempLock();
  const before = readFileSync(path);
  let reader: ReturnType<typeof holdClassicLock> | undefined;
  let readerLockedAt = 0;
  let releasedAt = 0;
  await withLocks([{ path, mode: 'write' }], async ([held]) => {
    assert.ok(held);
    recordWrite(held);
    assert.equal(readToken(held).length, 64);
    reader = holdClassicLock(path, false, 0);
    void reader.locked.then(() => (readerLockedAt = Date.now()));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(readerLockedAt, 0, 'python got a read lock while we held the write lock');
    releasedAt = Date.now();
  });
  assert.ok(reader);
  await reader.locked;
  assert.ok(readerLockedAt >= releasedAt);
  const after = readFileSync(path);
  assert.equal(after.length, 64);
  assert.notDeepEqual(after, before);
  assert.equal(after.readUInt32LE(16), process.pid);
  await once(reader.child, 'exit');
});

test('two read locks share', async () => {
  const path = tempLock();
  const holder = holdClassicLock(path, false, 0.5);
  await holder.locked;
  const start = Date.now();
  await withLocks([{ path, mode: 'read' }], () => undefined);
  assert.ok(Date.now() - start < 300);
  await once(holder.child, 'exit');
});
