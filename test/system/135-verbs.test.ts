// history, untag, port and rename against podman: history's output equals podman's for
// the fixture images (the CREATED column normalised), untag/rename/port behave and fail
// with podman's messages. Names are `rrun-verbs-test-*` and removed afterwards.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun, type RunResult } from '../lib/testbed.js';

const BUSYBOX = 'localhost/busybox:latest';
const FIXTURES = [BUSYBOX, 'docker.io/library/node:latest', 'localhost/rrun-fixture-layers:latest'];
const tag = randomBytes(4).toString('hex');
const containers: string[] = [];
const names: string[] = [];
const podmanContainers: string[] = [];

after(async () => {
  for (const c of containers) await rrun(['rm', '-f', c]);
  for (const n of names) await podman(['untag', BUSYBOX, n]);
  for (const c of podmanContainers) await podman(['rm', '-f', c]);
});

/** The first line of stderr: podman's `Error: …` (rrun adds a hint below). */
function errorLine(r: RunResult): string {
  return r.stderr.split('\n')[0] ?? '';
}

const normaliseCreated = (s: string): string =>
  s.replace(/(Less than a second|About an? \w+|\d+ \w+) ago/g, 'N ago');

async function same(args: string[], normalise = (s: string) => s): Promise<void> {
  const [p, r] = await Promise.all([podman(args), rrun(args)]);
  assert.equal(r.code, p.code, `${args.join(' ')}: exit codes (rrun stderr: ${r.stderr})`);
  assert.equal(normalise(r.stdout), normalise(p.stdout), args.join(' '));
  assert.equal(errorLine(r), errorLine(p), `${args.join(' ')}: error line`);
}

for (const image of FIXTURES) {
  test(`history ${image} equals podman's`, async (t) => {
    if (!requirePrereq(t, hasFixture(image), fixtureMissingReason(image))) return;
    await same(['history', image], normaliseCreated);
    await same(['history', '--no-trunc', '-q', image]);
    await same(['history', '--format', '{{.ID}} {{.CreatedBy}}', image]);
    await same(['history', '--no-trunc', '--format', '{{.ID}} {{.CreatedBy}} {{.Size}} {{.Comment}}', image]);
    await same(['history', '-H=false', image]);
    await same(['history', '--format', 'json', image]);
  });
}

test('history errors as podman', async () => {
  await same(['history', 'rrun-verbs-test-nosuch']);
  await same(['history']);
});

test('untag removes the names podman would and fails as podman', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const a = `localhost/rrun-verbs-test-a-${tag}:latest`;
  const b = `localhost/rrun-verbs-test-b-${tag}:1`;
  names.push(a, b);
  ok(await podman(['tag', BUSYBOX, a, b]), 'podman tag');
  for (const args of [
    ['untag', BUSYBOX, `rrun-verbs-test-nosuch-${tag}`],
    ['untag', 'rrun-verbs-test-nosuch-image'],
    ['untag'],
    ['untag', BUSYBOX, 'BAD:'],
  ]) {
    await same(args);
  }
  ok(await rrun(['untag', BUSYBOX, `rrun-verbs-test-a-${tag}`, `rrun-verbs-test-b-${tag}:1`]), 'rrun untag');
  const left = ok(await podman(['image', 'inspect', '--format', '{{.RepoTags}}', BUSYBOX]), 'inspect');
  assert.equal(left.trim(), `[${BUSYBOX}]`);
  const r = await rrun(['untag', BUSYBOX, `rrun-verbs-test-a-${tag}`]);
  assert.equal(r.code, 125);
  assert.equal(errorLine(r), `Error: ${a}: tag not known`);
});

test('rename changes the name rrun and podman see; taken names fail as podman', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const one = `rrun-verbs-test-one-${tag}`;
  const two = `rrun-verbs-test-two-${tag}`;
  const renamed = `rrun-verbs-test-renamed-${tag}`;
  containers.push(one, two, renamed);
  const id = ok(await rrun(['create', '--name', one, BUSYBOX, 'true']), 'create').trim();
  ok(await rrun(['create', '--name', two, BUSYBOX, 'true']), 'create');
  ok(await rrun(['rename', one, one]), 'rename to the same name');
  const taken = await rrun(['rename', one, two]);
  assert.equal(taken.code, 125);
  assert.equal(errorLine(taken), `Error: renaming container ${id}: name ${two} already in use, cannot rename container ${id}: container already exists`);
  const bad = await rrun(['rename', one, 'bad name']);
  assert.equal(errorLine(bad), 'Error: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument');
  const missing = await rrun(['rename', 'rrun-verbs-test-nosuch', 'x']);
  assert.equal(errorLine(missing), 'Error: no container with name or ID "rrun-verbs-test-nosuch" found: no such container');
  assert.equal(errorLine(await rrun(['rename', one])), 'Error: accepts 2 arg(s), received 1');
  ok(await rrun(['rename', one, renamed]), 'rename');
  const ps = ok(await rrun(['ps', '-a', '--format', '{{.ID}} {{.Names}}']), 'ps');
  assert.match(ps, new RegExp(`^${id.slice(0, 12)} ${renamed}$`, 'm'));
  assert.equal(ok(await rrun(['start', '-a', renamed]), 'start renamed'), '');
});

test('port lists the published ports of a running container as podman does', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const name = `rrun-verbs-test-port-${tag}`;
  containers.push(name);
  ok(await rrun(['run', '-d', '--name', name, '-p', '127.0.0.1:18080:8080', '-p', '18081:81/udp', BUSYBOX, 'sleep', '60']), 'run -d');
  assert.equal(ok(await rrun(['port', name]), 'port'), '8080/tcp -> 127.0.0.1:18080\n81/udp -> 0.0.0.0:18081\n');
  assert.equal(ok(await rrun(['port', name, '8080']), 'port 8080'), '127.0.0.1:18080\n');
  assert.equal(ok(await rrun(['port', name, '81/udp']), 'port 81/udp'), '0.0.0.0:18081\n');
  const none = await rrun(['port', name, '81']);
  assert.equal(none.code, 125);
  assert.equal(errorLine(none), 'Error: failed to find published port "81/tcp"');
  await same(['port', 'rrun-verbs-test-nosuch']);
  await same(['port']);
  await same(['port', 'a', 'b', 'c']);
});

/** Everything a TCP server on 127.0.0.1:port sends before closing. */
function readAll(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const sock = connect(port, '127.0.0.1');
    sock.setEncoding('utf8');
    sock.setTimeout(10_000, () => sock.destroy(new Error(`no answer on 127.0.0.1:${port}`)));
    sock.on('data', (d: string) => (got += d));
    sock.on('error', reject);
    sock.on('close', () => resolve(got));
  });
}

test('port shows the host port chosen for -p with no host port, and it reaches the container', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const name = `rrun-verbs-test-port-random-${tag}`;
  containers.push(name);
  const script = 'echo hello-from-container | nc -l -p 8080';
  ok(await rrun(['run', '-d', '--name', name, '-p', '127.0.0.1::8080', BUSYBOX, 'sh', '-c', script]), 'run -d');
  const line = ok(await rrun(['port', name, '8080']), 'port 8080');
  const m = /^127\.0\.0\.1:(\d+)\n$/.exec(line);
  assert.ok(m, `port printed ${JSON.stringify(line)}`);
  const hostPort = Number(m[1]);
  assert.ok(hostPort > 0 && hostPort < 65536, `chosen host port ${hostPort}`);
  assert.equal(ok(await rrun(['port', name]), 'port'), `8080/tcp -> 127.0.0.1:${hostPort}\n`);
  // The listener may not be up the instant `run -d` returns: retry an empty answer briefly.
  let answer = '';
  for (let i = 0; i < 50 && answer === ''; i++) {
    answer = await readAll(hostPort).catch(() => '');
    if (answer === '') await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(answer, 'hello-from-container\n');
});

test('ps lists published ports as podman does (ranges folded; group order as in podman, whose order is a Go map\'s)', async (t) => {
  if (!requirePrereq(t, hasFixture(BUSYBOX), fixtureMissingReason(BUSYBOX))) return;
  const flags = ['-p', '18295:95/udp', '-p', '18297:97', '-p', '127.0.0.1:18296:96', '-p', '18294:94', '-p', '18298:98'];
  const r = `rrun-verbs-test-psports-${tag}`;
  const p = `rrun-verbs-test-psports-podman-${tag}`;
  containers.push(r);
  podmanContainers.push(p);
  ok(await podman(['run', '--name', p, ...flags, BUSYBOX, 'true']), 'podman run');
  ok(await rrun(['run', '--name', r, ...flags, BUSYBOX, 'true']), 'rrun run');
  const portsOf = async (tool: typeof rrun, n: string): Promise<string> => {
    const out = ok(await tool(['ps', '-a', '--format', '{{.Names}}|{{.Ports}}']), 'ps -a');
    const line = out.split('\n').find((l) => l.startsWith(`${n}|`));
    assert.ok(line !== undefined, `${n} in ps -a:\n${out}`);
    return line.slice(n.length + 1);
  };
  const mine = await portsOf(rrun, r);
  assert.equal(mine, '0.0.0.0:18294->94/tcp, 0.0.0.0:18297-18298->97-98/tcp, 0.0.0.0:18295->95/udp, 127.0.0.1:18296->96/tcp');
  const sorted = (s: string): string[] => s.split(', ').sort();
  assert.deepEqual(sorted(mine), sorted(await portsOf(podman, p)));
  const json = JSON.parse(ok(await rrun(['ps', '-a', '--format', 'json']), 'ps json')) as { Names: string[]; Ports: unknown }[];
  assert.deepEqual(json.find((e) => e.Names[0] === r)?.Ports, [
    { host_ip: '', container_port: 94, host_port: 18294, range: 1, protocol: 'tcp' },
    { host_ip: '', container_port: 97, host_port: 18297, range: 2, protocol: 'tcp' },
    { host_ip: '', container_port: 95, host_port: 18295, range: 1, protocol: 'udp' },
    { host_ip: '127.0.0.1', container_port: 96, host_port: 18296, range: 1, protocol: 'tcp' },
  ]);
});
