// rrun build acceptance: the same files and config as podman build, the cache, and the
// errors. Images are tagged localhost/rrun-build-test-* and removed afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ok, podman, rrun, hasFixture, requirePrereq, fixtureMissingReason } from '../lib/testbed.js';

const BASE = 'localhost/busybox:latest';
const FILE = `ARG BASE=${BASE}
FROM \${BASE} AS builder
ARG BASE
RUN mkdir -p /out/d && echo "$BASE" > /out/base.txt && echo x > /out/d/f
FROM ${BASE}
COPY --from=builder /out /copied
COPY --chown=1000:1000 --chmod=750 src /data/
COPY one.txt /one.txt
RUN rm -rf /etc/network && mkdir /etc/network && touch /etc/network/new && rm /bin/cpio
USER 1000
WORKDIR /data
EXPOSE 8080
LABEL a=b
ENTRYPOINT ["/bin/sh"]
`;

/** A context directory the test user can read. */
function context(files: Record<string, string>): string {
  const dir = mkdtempSync('/tmp/rrun-build-test-');
  chmodSync(dir, 0o755);
  for (const [name, text] of Object.entries(files)) {
    const parent = dirname(`${dir}/${name}`);
    mkdirSync(parent, { recursive: true, mode: 0o755 });
    chmodSync(parent, 0o755);
    writeFileSync(`${dir}/${name}`, text, { mode: 0o644 });
  }
  return dir;
}

const LIST = 'find /copied /data /etc/network /one.txt /bin/cpio 2>&1 | sort | while read -r p; do stat -c "%n %a %u %g %s %F" "$p" 2>&1 || echo "$p"; done';

async function listing(image: string): Promise<string> {
  return ok(await podman(['run', '--rm', '--entrypoint', 'sh', image, '-c', LIST]), `podman run ${image}`);
}

async function config(image: string): Promise<unknown> {
  const c = JSON.parse(ok(await podman(['image', 'inspect', image, '--format', '{{json .Config}}']), 'inspect')) as { Labels?: Record<string, string> };
  delete c.Labels?.['io.buildah.version'];
  return c;
}

test('rrun build matches podman build (files, config); rebuild is all cache; one COPY change rebuilds from there', async (t) => {
  if (!requirePrereq(t, hasFixture(BASE), fixtureMissingReason(BASE))) return;
  const dir = context({ Containerfile: FILE, 'src/a.txt': 'a\n', 'src/sub/b.txt': 'b\n', 'one.txt': '1\n', '.containerignore': 'src/*.log\n', 'src/x.log': 'no\n' });
  const mine = 'localhost/rrun-build-test-cmp';
  const theirs = 'localhost/rrun-build-test-cmp-podman';
  try {
    const first = ok(await rrun(['build', '-t', mine, dir]), 'rrun build');
    ok(await podman(['build', '-q', '-t', theirs, dir]), 'podman build');
    assert.equal(await listing(mine), await listing(theirs));
    assert.deepEqual(await config(mine), await config(theirs));
    const again = ok(await rrun(['build', '-t', mine, dir]), 'rebuild');
    assert.equal((again.match(/Using cache/g) ?? []).length, 5, again);
    assert.equal(again.trim().split('\n').at(-1), first.trim().split('\n').at(-1), 'same image id');
    // Content no earlier run used: the cache (intermediate images) outlives this test.
    const fresh = `2-${process.pid}-${Date.now()}`;
    writeFileSync(`${dir}/one.txt`, `${fresh}\n`);
    const changed = ok(await rrun(['build', '-t', mine, dir]), 'rebuild after change');
    assert.equal((changed.match(/Using cache/g) ?? []).length, 3, changed);
    assert.equal(ok(await podman(['run', '--rm', '--entrypoint', 'cat', mine, '/one.txt']), 'cat'), `${fresh}\n`);
  } finally {
    await podman(['rmi', '-f', mine, theirs]);
    // The cache (unnamed intermediate images) of this run's fresh content is useless later:
    // without this the shared store grows with every CI run.
    await podman(['image', 'prune', '-f']);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input gives clear errors with the line, and no image', async (t) => {
  if (!requirePrereq(t, hasFixture(BASE), fixtureMissingReason(BASE))) return;
  const cases: [string, Record<string, string>, RegExp][] = [
    ['unknown instruction', { Containerfile: `FROM ${BASE}\nFROB x\n` }, /Containerfile:2: unknown instruction: FROB/],
    ['missing FROM', { Containerfile: 'RUN true\n' }, /RUN before the first FROM/],
    ['source outside', { Containerfile: `FROM ${BASE}\nCOPY ../x /x\n` }, /Containerfile:2: .*leaves the build context/],
    ['unknown stage', { Containerfile: `FROM ${BASE}\nCOPY --from=nope /x /x\n` }, /Containerfile:2: .*--from=nope is neither a stage nor an image/],
    ['failing RUN', { Containerfile: `FROM ${BASE}\nRUN exit 3\n` }, /Containerfile:2: RUN at line 2 \(RUN exit 3\): the command exited with status 3/],
  ];
  for (const [what, files, re] of cases) {
    const dir = context(files);
    try {
      const r = await rrun(['build', '-t', 'localhost/rrun-build-test-bad', dir]);
      assert.notEqual(r.code, 0, what);
      assert.match(r.stderr, re, what);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // A symlink in the context that points outside it (here at the host's /etc/passwd).
  const dir = context({ Containerfile: `FROM ${BASE}\nCOPY link /x\n` });
  try {
    symlinkSync('/etc/passwd', `${dir}/link`);
    const r = await rrun(['build', '-t', 'localhost/rrun-build-test-bad', dir]);
    assert.notEqual(r.code, 0, 'symlink outside');
    assert.match(r.stderr, /Containerfile:2: .*link is a symlink to \/etc\/passwd, outside the build context/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.doesNotMatch(ok(await podman(['images', '--format', '{{.Names}}']), 'images'), /rrun-build-test-bad/);
});
