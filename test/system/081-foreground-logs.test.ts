// A kept foreground container's output goes to the caller, stdout and stderr apart, and to
// its log as podman's conmon does, so `logs` shows it afterwards (and `start -a` adds to
// it); with --rm nothing is logged. Compared with podman on the same commands.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fixtureMissingReason, hasFixture, podman, requirePrereq, rrun, type RunResult } from '../lib/testbed.js';

const BUSYBOX = 'localhost/busybox:latest';
const tag = randomBytes(4).toString('hex');
const names = { rrun: `rrun-fglog-${tag}`, podman: `podman-fglog-${tag}` };
const tools = { rrun, podman };
const script = 'echo out1; echo err1 >&2; echo out2; exit 3';

after(async () => {
  await rrun(['rm', '-f', names.rrun]);
  await podman(['rm', '-f', names.podman]);
});

const streams = (r: RunResult): { out: string; err: string; code: number | null } => ({ out: r.stdout, err: r.stderr, code: r.code });

test('a kept foreground run is logged as podman logs it; start -a adds to the log', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  for (const tool of ['rrun', 'podman'] as const) {
    const ran = await tools[tool](['run', '--name', names[tool], '--network', 'none', BUSYBOX, 'sh', '-c', script]);
    assert.deepEqual(streams(ran), { out: 'out1\nout2\n', err: 'err1\n', code: 3 }, `${tool} run`);
  }
  const logs = async (tool: 'rrun' | 'podman') => streams(await tools[tool](['logs', names[tool]]));
  assert.deepEqual(await logs('rrun'), await logs('podman'));
  assert.deepEqual(await logs('rrun'), { out: 'out1\nout2\n', err: 'err1\n', code: 0 });
  for (const tool of ['rrun', 'podman'] as const) {
    const again = await tools[tool](['start', '-a', names[tool]]);
    assert.equal(again.code, 3, `${tool} start -a: ${again.stderr}`);
  }
  assert.deepEqual(await logs('rrun'), await logs('podman'));
  assert.equal((await logs('rrun')).out, 'out1\nout2\nout1\nout2\n');
});
