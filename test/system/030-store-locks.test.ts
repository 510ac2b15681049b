// rrun reads podman's store under podman's locks: it waits for a writer, reads a
// consistent state while podman builds, and never writes anything itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun, runAs, testBed } from '../lib/testbed.js';

async function graphRoot(): Promise<string> {
  const info = JSON.parse(ok(await rrun(['info', '--format', 'json']), 'rrun info')) as { store: { graphRoot: string } };
  return info.store.graphRoot;
}

// A classic POSIX write lock (what c/storage takes) held by another process of the user.
const holdLock = `import fcntl,sys,time
f=open(sys.argv[1],'r+')
fcntl.lockf(f, fcntl.LOCK_EX)
print('locked', flush=True)
time.sleep(float(sys.argv[2]))
`;

test('rrun images waits while another process holds the images write lock', async (t) => {
  if (!requirePrereq(t, hasFixture('localhost/busybox:latest'), fixtureMissingReason('localhost/busybox:latest'))) return;
  const lock = `${await graphRoot()}/overlay-images/images.lock`;
  // One shell: take the lock, then (once it is held) time rrun; the lock is kept for 2 s.
  const script = `python3 -c "$1" "$2" 2 & holder=$!
    sleep 0.5
    start=$(date +%s%N); "$3" images --format json > /dev/null; rc=$?; end=$(date +%s%N)
    wait $holder; echo "$rc $(( (end - start) / 1000000 ))"`;
  const out = ok(await runAs(['sh', '-c', script, 'sh', holdLock, lock, `${testBed().repo}/bin/rrun`], { timeoutMs: 30_000 }), 'lock script');
  const [rc, ms] = out.trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
  assert.equal(rc, 0);
  assert.ok((ms ?? 0) >= 1000, `rrun finished after ${String(ms)} ms although the lock was held for 1.5 s more`);
});

async function storeFingerprint(root: string): Promise<string> {
  // Content hashes and mtimes of every record and lock file podman keeps.
  const script = `cd "$1" && for f in overlay-images/images.json overlay-images/images.lock overlay-layers/layers.json overlay-layers/layers.lock overlay-containers/containers.json overlay-containers/containers.lock storage.lock; do [ -e "$f" ] && echo "$f $(stat -c %Y.%y "$f") $(sha256sum < "$f")"; done; ls overlay-images | sort`;
  return ok(await runAs(['sh', '-c', script, 'sh', root]), 'fingerprint');
}

test('rrun never writes to the store while reading it', async () => {
  const root = await graphRoot();
  const before = await storeFingerprint(root);
  for (const args of [['images'], ['images', '-a', '--format', 'json'], ['image', 'inspect', 'busybox'], ['info'], ['image', 'inspect', 'nope']]) {
    await rrun(args);
  }
  assert.equal(await storeFingerprint(root), before);
});

test('while podman builds, rrun keeps reading consistent states', async (t) => {
  if (!requirePrereq(t, hasFixture('localhost/busybox:latest'), fixtureMissingReason('localhost/busybox:latest'))) return;
  const tag = `localhost/rrun-concurrent:${process.pid}`;
  const steps = Array.from({ length: 6 }, (_v, i) => `RUN echo ${i} > /step${i}-${process.pid}`).join('\n');
  const containerfile = `FROM localhost/busybox\n${steps}\n`;
  const dir = ok(await runAs(['mktemp', '-d']), 'mktemp').trim();
  ok(await runAs(['sh', '-c', 'cat > "$0/Containerfile"', dir], { input: containerfile }), 'write Containerfile');
  const build = podman(['build', '--layers', '-q', '-t', tag, dir], { timeoutMs: 180_000 });
  let finished = false;
  void build.then(() => (finished = true));
  let reads = 0;
  try {
    while (!finished || reads < 3) {
      const list = JSON.parse(ok(await rrun(['images', '-a', '--format', 'json']), 'rrun images -a')) as { Id: string }[];
      assert.ok(list.length > 0);
      ok(await rrun(['image', 'inspect', 'busybox']), 'rrun image inspect');
      reads++;
    }
    ok(await build, 'podman build');
    const after = JSON.parse(ok(await rrun(['images', '--format', 'json']), 'rrun images')) as { Names?: string[] }[];
    assert.ok(after.some((e) => e.Names?.includes(tag)), 'the image podman just built is listed');
    assert.ok(reads >= 3, `rrun read the store ${reads} times during the build`);
  } finally {
    await podman(['rmi', '-f', tag]);
    await runAs(['rm', '-rf', dir]);
  }
});
