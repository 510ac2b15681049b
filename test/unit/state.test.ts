// Runtime state: a "running" record is believed only with a live monitor and no exit file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveState, rfc3339Nano, stateRoot, type ContainerState } from '../../src/runtime/state.js';

const running: ContainerState = { status: 'running', pid: 42, startedAt: '2026-01-01T00:00:00Z' };

const cases: { name: string; recorded: ContainerState | undefined; exit?: { code: number; at: string }; alive: boolean; status: string; code?: number }[] = [
  { name: 'no state file: created', recorded: undefined, alive: false, status: 'created' },
  { name: 'running, monitor alive', recorded: running, alive: true, status: 'running' },
  { name: 'running, exit file written', recorded: running, exit: { code: 3, at: 't' }, alive: false, status: 'exited', code: 3 },
  { name: 'exit file wins over a live lock', recorded: running, exit: { code: 0, at: 't' }, alive: true, status: 'exited', code: 0 },
  { name: 'monitor gone without exit file (kill -9, reboot)', recorded: running, alive: false, status: 'exited', code: -1 },
  { name: 'exited stays exited', recorded: { status: 'exited', exitCode: 137 }, alive: false, status: 'exited', code: 137 },
];

for (const c of cases) {
  test(`state: ${c.name}`, () => {
    const s = effectiveState(c.recorded, { exit: c.exit, alive: c.alive });
    assert.equal(s.status, c.status);
    if (c.code !== undefined) assert.equal(s.exitCode, c.code);
    if (c.name.includes('monitor gone')) assert.match(s.error ?? '', /monitor is gone/);
  });
}

test('state root: XDG_RUNTIME_DIR/rrun, else a per-uid directory in /tmp', () => {
  assert.equal(stateRoot({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000), '/run/user/1000/rrun');
  assert.equal(stateRoot({}, 1000), '/tmp/rrun-1000');
});

test('RFC 3339 with nanoseconds, trailing zeros trimmed like Go', () => {
  assert.equal(rfc3339Nano(1_700_000_000_123_456_789n), '2023-11-14T22:13:20.123456789Z');
  assert.equal(rfc3339Nano(1_700_000_000_100_000_000n), '2023-11-14T22:13:20.1Z');
  assert.equal(rfc3339Nano(1_700_000_000_000_000_000n), '2023-11-14T22:13:20Z');
});
