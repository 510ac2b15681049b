// podman's ps columns: STATUS text, COMMAND truncation, container lookup by name/id prefix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statusText } from '../../src/api/ps.js';
import { pickContainer } from '../../src/api/container-store.js';
import { commandColumn } from '../../src/cli/commands/ps.js';

const now = Date.parse('2026-01-01T00:10:00Z') / 1000;

test('STATUS: Up …, Exited (n) …, Created', () => {
  assert.equal(statusText({ status: 'running', startedAt: '2026-01-01T00:09:55Z' }, now), 'Up 5 seconds ago');
  assert.equal(statusText({ status: 'exited', exitCode: 3, finishedAt: '2026-01-01T00:09:59.7Z' }, now), 'Exited (3) Less than a second ago');
  assert.equal(statusText({ status: 'created' }, now), 'Created');
});

test('COMMAND is cut to 17 characters and ... (podman 4.3)', () => {
  assert.equal(commandColumn(['sleep', '1000'], false), 'sleep 1000');
  assert.equal(commandColumn(['sh', '-c', 'echo out; echo err >&2; exit 3'], false), 'sh -c echo out; e...');
  assert.equal(commandColumn(['sh', '-c', 'echo out; echo err >&2; exit 3'], true), 'sh -c echo out; echo err >&2; exit 3');
});

test('lookup: exact name or id, unique id prefix; clear errors otherwise', () => {
  const all = [{ id: 'abc123', name: 'web' }, { id: 'abd456', name: 'db' }, { id: 'web999', name: 'x' }];
  assert.equal(pickContainer(all, 'web').id, 'abc123', 'a name beats an id prefix');
  assert.equal(pickContainer(all, 'abd').name, 'db');
  assert.throws(() => pickContainer(all, 'ab'), /more than one result/);
  assert.throws(() => pickContainer(all, 'nope'), /no container with name or ID "nope" found: no such container/);
});
