// Foundation acceptance: rrun reads podman's store and shows what podman shows.
// Every comparison runs podman and rrun as the same unprivileged user on the same store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun } from '../lib/testbed.js';

const fixtures = [
  'localhost/busybox:latest',
  'docker.io/library/debian:bookworm',
  'docker.io/library/node:latest',
  'localhost/rrun-fixture-layers:latest',
];

interface JsonImage {
  Id: string;
  Names?: string[];
  [k: string]: unknown;
}

/** Entries in a stable order: podman sorts by creation second only, ties are unordered. */
function canonical(list: JsonImage[]): string[] {
  return list.map((e) => JSON.stringify(e)).sort();
}

test('rrun images --format json lists exactly what podman lists (with and without -a)', async (t) => {
  for (const ref of fixtures) if (!requirePrereq(t, hasFixture(ref), fixtureMissingReason(ref))) return;
  for (const extra of [[], ['-a']]) {
    // Another process may add or remove a container between the two calls (the
    // Containers count changes): compare again until both saw the same store, a few times.
    let mine: JsonImage[] = [];
    let theirs: JsonImage[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      mine = JSON.parse(ok(await rrun(['images', ...extra, '--format', 'json']), 'rrun images')) as JsonImage[];
      theirs = JSON.parse(ok(await podman(['images', ...extra, '--format', 'json']), 'podman images')) as JsonImage[];
      if (JSON.stringify(canonical(mine)) === JSON.stringify(canonical(theirs))) break;
    }
    assert.ok(theirs.length >= fixtures.length);
    assert.deepEqual(canonical(mine), canonical(theirs));
    for (const ref of fixtures) assert.ok(mine.some((e) => e.Names?.includes(ref)), `${ref} listed`);
  }
});

test('rrun images table and -q agree with podman', async () => {
  // CREATED may tick between the two calls; compare everything else row by row.
  const rows = (out: string): string[] =>
    out
      .trimEnd()
      .split('\n')
      .map((line) => line.split(/\s{2,}/).filter((_c, i) => i !== 3).join('|'))
      .sort();
  assert.deepEqual(rows(ok(await rrun(['images']), 'rrun images')), rows(ok(await podman(['images']), 'podman images')));
  for (const flags of [['-q'], ['-aq'], ['-q', '--no-trunc']]) {
    const mine = ok(await rrun(['images', ...flags]), 'rrun images -q').split('\n').sort();
    const theirs = ok(await podman(['images', ...flags]), 'podman images -q').split('\n').sort();
    assert.deepEqual(mine, theirs, flags.join(' '));
  }
});

test('rrun image inspect is byte-identical to podman image inspect for every fixture', async (t) => {
  for (const ref of fixtures) {
    if (!requirePrereq(t, hasFixture(ref), fixtureMissingReason(ref))) continue;
    const mine = ok(await rrun(['image', 'inspect', ref]), `rrun image inspect ${ref}`);
    const theirs = ok(await podman(['image', 'inspect', ref]), `podman image inspect ${ref}`);
    assert.equal(mine, theirs, ref);
  }
});

test('image inspect node: Id, RepoTags, Config and RootFS as podman shows them', async (t) => {
  if (!requirePrereq(t, hasFixture('docker.io/library/node:latest'), fixtureMissingReason('docker.io/library/node:latest'))) return;
  type Inspect = { Id: string; RepoTags: string[]; Config: Record<string, unknown>; RootFS: { Layers: string[] } };
  const [mine] = JSON.parse(ok(await rrun(['image', 'inspect', 'node']), 'rrun')) as Inspect[];
  const [theirs] = JSON.parse(ok(await podman(['image', 'inspect', 'node']), 'podman')) as Inspect[];
  assert.ok(mine && theirs);
  assert.equal(mine.Id, theirs.Id);
  assert.deepEqual(mine.RepoTags, theirs.RepoTags);
  for (const key of ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User']) assert.deepEqual(mine.Config[key], theirs.Config[key], key);
  assert.deepEqual(mine.RootFS.Layers, theirs.RootFS.Layers);
  assert.ok(mine.RootFS.Layers.length >= 3, 'node fixture has several layers');
});

async function podmanId(name: string): Promise<string> {
  const out = ok(await podman(['image', 'inspect', '--format', '{{.Id}}', name]), `podman inspect ${name}`);
  return out.trim();
}

test('short names, localhost/ names and id prefixes resolve as podman resolves them', async (t) => {
  for (const ref of fixtures) if (!requirePrereq(t, hasFixture(ref), fixtureMissingReason(ref))) return;
  const busyboxId = await podmanId('localhost/busybox');
  const names = ['node', 'debian:bookworm', 'busybox', 'localhost/busybox', 'rrun-fixture-layers', busyboxId.slice(0, 12), `sha256:${busyboxId}`];
  for (const name of names) {
    const [mine] = JSON.parse(ok(await rrun(['image', 'inspect', name]), `rrun inspect ${name}`)) as { Id: string }[];
    assert.equal(mine?.Id, await podmanId(name), name);
  }
});

test('unknown and ambiguous names fail like podman (exit 125, same message)', async () => {
  const missing = await rrun(['image', 'inspect', 'no-such-image']);
  const theirs = await podman(['image', 'inspect', 'no-such-image']);
  assert.equal(missing.code, 125);
  assert.equal(theirs.code, 125);
  assert.equal(missing.stderr.split('\n')[0], theirs.stderr.trim().split('\n').at(-1));

  // The shortest prefix that two image ids share is ambiguous for both tools.
  const ids = ok(await podman(['images', '-aq', '--no-trunc']), 'podman images').split('\n').filter(Boolean);
  const hex = [...new Set(ids.map((i) => i.replace(/^sha256:/, '')))].sort();
  const shared = hex.slice(1).map((id, i) => {
    const prev = hex[i] as string;
    let n = 0;
    while (n < id.length && id[n] === prev[n]) n++;
    return id.slice(0, n);
  }).filter((p) => p.length > 0);
  assert.ok(shared.length > 0, 'the fixture store has two image ids with a common first digit');
  const prefix = shared[0] as string;
  const mine = await rrun(['image', 'inspect', prefix]);
  const podmans = await podman(['image', 'inspect', prefix]);
  assert.equal(mine.code, podmans.code, `prefix ${prefix}: rrun ${mine.stderr} / podman ${podmans.stderr}`);
  assert.equal(mine.code, 125);
});
