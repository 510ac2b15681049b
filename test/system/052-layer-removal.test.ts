// Removing a container's writable layer (rm, and run --rm): read-only directories of the
// user's own files go without a user namespace; files and directories of subordinate ids
// need one. Either way the layer directory, its record and the container record are gone,
// and podman no longer lists the container.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun, testBed } from '../lib/testbed.js';

const BUSYBOX = 'localhost/busybox:latest';
const tag = randomBytes(4).toString('hex');
const made: string[] = [];

after(async () => {
  for (const c of made) await rrun(['rm', '-f', c]);
});

const store = (): string => `${testBed().home}/.local/share/containers/storage`;

function layerOf(name: string): string {
  const all = JSON.parse(readFileSync(`${store()}/overlay-containers/containers.json`, 'utf8')) as { names?: string[]; layer: string }[];
  const rec = all.find((c) => c.names?.includes(name));
  assert.ok(rec, `${name} in containers.json`);
  return rec.layer;
}

function layerRecorded(layer: string): boolean {
  const all = JSON.parse(readFileSync(`${store()}/overlay-layers/layers.json`, 'utf8')) as { id: string }[];
  return all.some((l) => l.id === layer);
}

const CASES: [string, string][] = [
  ['own files in read-only directories', 'mkdir -p /ro/sub && echo x > /ro/sub/f && chmod 555 /ro/sub /ro && chmod 444 /ro/sub/f'],
  ['a subordinate-id file in a read-only directory', 'mkdir /x && echo x > /x/f && chown 1000:1000 /x/f && chmod 500 /x'],
  ['a subordinate-id directory holding files', 'mkdir -p /y/z && echo x > /y/z/f && chown -R 1000:1000 /y && chmod 700 /y/z'],
];

for (const [what, script] of CASES) {
  test(`rm removes a layer with ${what}`, async (t) => {
    if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
    const name = `rrun-layer-rm-${tag}-${made.length}`;
    made.push(name);
    ok(await rrun(['run', '--name', name, '--network', 'none', BUSYBOX, 'sh', '-c', script]), 'run');
    const layer = layerOf(name);
    assert.ok(existsSync(`${store()}/overlay/${layer}/diff`), 'the layer exists before rm');
    ok(await rrun(['rm', name]), 'rm');
    assert.equal(existsSync(`${store()}/overlay/${layer}`), false, 'layer directory removed');
    assert.equal(layerRecorded(layer), false, 'layer record removed');
    const listed = ok(await podman(['ps', '-a', '--external', '--format', '{{.Names}}']), 'podman ps');
    assert.ok(!listed.split('\n').includes(name), 'podman no longer lists it');
  });
}

test('run --rm leaves no layer behind, also with files of subordinate ids', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  // System test files run one at a time, so nothing else adds layers meanwhile.
  const layers = (): string[] => (JSON.parse(readFileSync(`${store()}/overlay-layers/layers.json`, 'utf8')) as { id: string }[]).map((l) => l.id).sort();
  const dirs = (): string[] => readdirSync(`${store()}/overlay`).filter((d) => d !== 'l').sort();
  const [layersBefore, dirsBefore] = [layers(), dirs()];
  for (const [, script] of CASES) ok(await rrun(['run', '--rm', '--network', 'none', BUSYBOX, 'sh', '-c', script]), `run --rm ${script}`);
  assert.deepEqual(layers(), layersBefore, 'no layer record left');
  assert.deepEqual(dirs(), dirsBefore, 'no layer directory left');
});
