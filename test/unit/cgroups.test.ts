import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasLimits, limitFiles, parseMemory } from '../../src/runtime/cgroups.js';

test('--memory: podman sizes', () => {
  assert.equal(parseMemory('512m'), 512 * 1024 * 1024);
  assert.equal(parseMemory('2g'), 2 * 1024 ** 3);
  assert.equal(parseMemory('7000000'), 7000000);
  assert.equal(parseMemory('1.5G'), 1.5 * 1024 ** 3);
  assert.throws(() => parseMemory('1k'), /the minimum is 6m/);
  assert.throws(() => parseMemory('lots'), /invalid --memory "lots"/);
});

test('limits become cgroup v2 files', () => {
  assert.deepEqual(limitFiles({ memory: 1048576 * 64, cpus: 1.5, pidsLimit: 100 }), [
    ['memory.max', '67108864'], ['cpu.max', '150000 100000'], ['pids.max', '100'],
  ]);
  assert.deepEqual(limitFiles({ pidsLimit: 0 }), []);
  assert.equal(hasLimits({}), false);
  assert.equal(hasLimits({ pidsLimit: -1 }), false);
  assert.equal(hasLimits({ cpus: 0.5 }), true);
});
