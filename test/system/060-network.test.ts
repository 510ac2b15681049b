// Network acceptance, as the unprivileged test user: published ports (slirp4netns and
// pasta, TCP and UDP), host.containers.internal with and without host loopback, none and
// host modes, helpers never outliving their container, and bad input refused before
// anything exists. Traffic only ever goes to 127.0.0.1 or into the container's own netns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, get } from 'node:http';
import { createServer, type Server } from 'node:net';
import { randomBytes } from 'node:crypto';
import { fixtureMissingReason, hasFixture, ok, podman, requirePrereq, rrun, testBed } from '../lib/testbed.js';
import { userArgv } from '../lib/bed.js';

type T = Parameters<typeof requirePrereq>[0];
const need = (t: T, ref: string): boolean => requirePrereq(t, hasFixture(ref), fixtureMissingReason(ref));
const unique = (what: string): string => `rrun-net-${what}-${randomBytes(4).toString('hex')}`;

async function freePort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A bounded wait for something the test cannot be told about (another process's state). */
async function until<V>(what: string, fn: () => Promise<V | undefined> | V | undefined, ms = 15_000): Promise<V> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Proc { pid: number; ppid: number; comm: string; argv: string[]; state: string }

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const [state = '', ppid = '0'] = stat.slice(close + 2).split(' ');
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
      out.push({ pid: Number(name), ppid: Number(ppid), comm: stat.slice(stat.indexOf('(') + 1, close), argv, state });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** rrun's node process (found by the unique container name) and the helpers serving it. */
function helpersOf(name: string): { rrun: Proc; helpers: Proc[]; workload: Proc | undefined } | undefined {
  const all = processes();
  const rrunProc = all.find((p) => p.argv.some((a) => a.endsWith('/bin/rrun')) && p.argv.includes(name) && p.comm !== 'runuser' && p.comm !== 'env');
  if (rrunProc === undefined) return undefined;
  const desc = new Set([rrunProc.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) if (desc.has(p.ppid) && !desc.has(p.pid)) { desc.add(p.pid); grew = true; }
  }
  const helpers = all.filter((p) =>
    (desc.has(p.pid) && (p.comm === 'slirp4netns' || p.comm === 'rrun-helper')) ||
    (/^pas(ta|st)/.test(p.comm) && desc.has(Number(p.argv.at(-1)))));
  const workload = all.find((p) => desc.has(p.pid) && p.comm === 'sh');
  return { rrun: rrunProc, helpers, workload };
}

const alive = (pid: number): boolean => {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

interface Started { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> }

/** `rrun ARGS` as the test user, in the background with a stdin pipe. */
function start(args: string[]): Started {
  const bed = testBed();
  const [cmd, ...rest] = userArgv(bed, [`${bed.repo}/bin/rrun`, ...args], bed.env);
  const child = spawn(cmd as string, rest, { cwd: bed.home, env: bed.asRoot ? { PATH: bed.env['PATH'] ?? '/usr/bin:/bin' } : bed.env, stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  const exit = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
  return { child, stdout: () => out, stderr: () => err, exit };
}

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** An httpd container publishing `port`; waits for "ready", returns it with its helpers. */
async function httpdContainer(network: string, port: number, token: string) {
  const name = unique('httpd');
  const script = `mkdir -p /www && echo ${token} > /www/index.html && httpd -p 8080 -h /www && echo ready && read x`;
  const c = start(['run', '-i', '--rm', '--name', name, '--network', network, '-p', `127.0.0.1:${port}:8080`, 'busybox', 'sh', '-c', script]);
  await until(`${name} ready (stderr: ${c.stderr()})`, () => (c.stdout().includes('ready') ? true : undefined));
  const found = await until(`${name}'s processes`, () => helpersOf(name));
  return { c, name, found };
}

async function assertGone(helpers: Proc[], what: string): Promise<void> {
  assert.ok(helpers.length > 0, `${what}: helpers were found while running`);
  await until(`${what}: ${helpers.map((h) => `${h.comm}[${h.pid}]`).join(' ')} to end`, () => (helpers.some((h) => alive(h.pid)) ? undefined : true), 5000);
}

for (const network of ['slirp4netns', 'pasta']) {
  test(`${network}: -p 127.0.0.1:PORT:8080 serves the container's httpd to the host; nothing outlives a normal exit`, async (t) => {
    if (!need(t, 'localhost/busybox:latest')) return;
    const port = await freePort();
    const token = randomBytes(8).toString('hex');
    const { c, found } = await httpdContainer(network, port, token);
    // /usr/bin/pasta is a link to passt (or its .avx2 build): that is the comm.
    assert.ok(found.helpers.some((h) => (network === 'pasta' ? /^passt/ : /^slirp4netns$/).test(h.comm)), `a ${network} process serves the container`);
    assert.equal(await fetchText(`http://127.0.0.1:${port}/index.html`), `${token}\n`);
    c.child.stdin?.end('\n');
    assert.equal(await c.exit, 0, c.stderr());
    await assertGone(found.helpers, 'normal exit');
  });
}

test('slirp4netns: SIGTERM to rrun ends the container and its helpers', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const { c, found } = await httpdContainer('slirp4netns', await freePort(), 'x');
  process.kill(found.rrun.pid, 'SIGTERM');
  assert.notEqual(await c.exit, 0);
  await assertGone(found.helpers, 'SIGTERM to rrun');
});

test('pasta: kill -9 of the workload ends rrun with 137 and leaves no helper', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const { c, found } = await httpdContainer('pasta', await freePort(), 'x');
  assert.ok(found.workload !== undefined, 'the workload shell was found');
  process.kill(found.workload.pid, 'SIGKILL');
  assert.equal(await c.exit, 137, c.stderr());
  await assertGone(found.helpers, 'kill -9 of the workload');
});

// Nothing of rrun's is left to stop the network helper: slirp4netns ends when its exit fd
// closes, pasta (a foreground child under rrun-helper --exec-dying-with-parent) by its
// death signal, the container with its helper's. The record stays, as after a crash.
for (const network of ['slirp4netns', 'pasta']) {
  test(`${network}: kill -9 of rrun leaves no helper and no container process`, async (t) => {
    if (!need(t, 'localhost/busybox:latest')) return;
    const { c, name, found } = await httpdContainer(network, await freePort(), 'x');
    assert.ok(found.helpers.some((h) => /^(slirp4netns|passt)/.test(h.comm)), `a ${network} process was found: ${found.helpers.map((h) => h.comm).join(' ')}`);
    const all = found.workload !== undefined ? [...found.helpers, found.workload] : found.helpers;
    process.kill(found.rrun.pid, 'SIGKILL');
    await c.exit;
    await assertGone(all, 'kill -9 of rrun');
    ok(await rrun(['rm', '-f', name]), 'remove the record a killed rrun left');
  });
}

// slirp4netns' --disable-host-loopback (podman's default) also drops the guest's UDP replies
// to a client on the host's 127.0.0.1 (they go to 10.0.2.2); TCP is unaffected. Bookworm's
// pasta delivers loopback UDP in but never splices the reply back. So UDP from loopback is
// tested where it works: slirp4netns with host loopback allowed.
for (const network of ['slirp4netns:allow_host_loopback=true']) test(`${network}: UDP publishing reaches a UDP echo server in the container`, async (t) => {
  if (!need(t, 'docker.io/library/node:latest')) return;
  const port = await freePort();
  const echo = "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(m,r.port,r.address));s.bind(9000,()=>console.log('ready'));process.stdin.on('end',()=>process.exit(0)).resume()";
  const c = start(['run', '-i', '--rm', '--name', unique('udp'), '--network', network, '-p', `127.0.0.1:${port}:9000/udp`, 'node', 'node', '-e', echo]);
  await until(`udp echo ready (${c.stderr()})`, () => (c.stdout().includes('ready') ? true : undefined), 60_000);
  const sock = createSocket('udp4');
  const token = randomBytes(6).toString('hex');
  const reply = new Promise<string>((r) => sock.on('message', (m) => r(m.toString())));
  // UDP may be dropped: resend until the echo arrives (bounded by until()).
  const got = await until('udp echo', async () => {
    sock.send(token, port, '127.0.0.1');
    return Promise.race([reply, new Promise<undefined>((r) => setTimeout(() => r(undefined), 200))]);
  });
  sock.close();
  assert.equal(got, token);
  c.child.stdin?.end();
  assert.equal(await c.exit, 0, c.stderr());
});

test('host.containers.internal reaches the host\'s loopback only with allow_host_loopback=true', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const token = randomBytes(8).toString('hex');
  const server = createHttpServer((_req, res) => res.end(token));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    // busybox-static cannot resolve names (no NSS), and its wget -T crashes: the address comes
    // from /etc/hosts by hand, the time limit from timeout(1).
    const allowed = await rrun(['run', '--rm', '--network', 'slirp4netns:allow_host_loopback=true', 'busybox', 'sh', '-c',
      `grep host.containers.internal /etc/hosts; wget -q -O /tmp/o http://$(awk '/host.containers.internal/{print $1}' /etc/hosts):${port}/ && cat /tmp/o`]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(allowed.stdout, `10.0.2.2\thost.containers.internal\n${token}`);
    // Default: the gateway may not reach the host's loopback, and the name does not point at it.
    const denied = await rrun(['run', '--rm', 'busybox', 'sh', '-c',
      `grep -c '^10.0.2.2' /etc/hosts; timeout 5 wget -q -O /tmp/o http://10.0.2.2:${port}/ && echo reached`]);
    assert.equal(denied.stdout, '0\n', denied.stderr);
    assert.notEqual(denied.code, 0);
  } finally {
    server.close();
  }
});

// podman's ping_group_range; busybox's ping itself insists on a raw socket (under podman too).
test('--network none has only lo, up; private netns gets ping_group_range "0 0"', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const r = await rrun(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net; cat /sys/class/net/lo/flags /proc/sys/net/ipv4/ping_group_range']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'lo\n0x9\n0\t0\n');
});

test('--network host sees the host\'s interfaces', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const r = await rrun(['run', '--rm', '--net', 'host', 'busybox', 'ls', '/sys/class/net']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').filter(Boolean).sort(), readdirSync('/sys/class/net').sort());
});

test('--add-host, --dns, --dns-search and the container\'s own name land in /etc', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const name = unique('etc');
  const r = await rrun(['run', '--rm', '--name', name, '--add-host', 'db.example:10.1.2.3', '--dns', '10.0.2.3', '--dns-search', 'corp.example',
    'busybox', 'sh', '-c', 'cat /etc/hosts; echo ---; cat /etc/resolv.conf']);
  assert.equal(r.code, 0, r.stderr);
  const [hosts = '', resolv = ''] = r.stdout.split('---\n');
  assert.match(hosts, /^10\.1\.2\.3\tdb\.example\n/);
  assert.match(hosts, new RegExp(`\\n10\\.0\\.2\\.100\\t[0-9a-f]{12} ${name}\\n$`));
  assert.equal(resolv, 'search corp.example\nnameserver 10.0.2.3\n');
});

async function names(): Promise<string[]> {
  const r = await podman(['ps', '-a', '--external', '--format', '{{.Names}}']);
  return r.stdout.split('\n');
}

test('bad network input: exit 125, a clear message, no container record, nothing running', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const busyPort = (busy.address() as { port: number }).port;
  const start = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  const rows: [string, string[], RegExp][] = [
    ['mode', ['--network', 'carrier-pigeon'], /invalid --network "carrier-pigeon": unknown network mode/],
    ['publish', ['-p', '80:80:80:80'], /invalid port mapping "80:80:80:80"/],
    ['in-use', ['-p', `127.0.0.1:${busyPort}:80`], new RegExp(`cannot publish 127\\.0\\.0\\.1:${busyPort}/tcp: the address is already in use`)],
    ['slirp-opt', ['--network', 'slirp4netns:mtu=abc'], /mtu must be/],
    ...(start > 80 ? [['privileged', ['-p', '127.0.0.1:80:80'], /privileged host port 80\/tcp/] as [string, string[], RegExp]] : []),
  ];
  try {
    for (const [what, flags, message] of rows) {
      const name = unique(what);
      const r = await rrun(['run', '--rm', '--name', name, ...flags, 'busybox', 'true']);
      assert.equal(r.code, 125, `${what}: ${r.stderr}`);
      assert.match(r.stderr, message, what);
      assert.ok(!(await names()).includes(name), `${what}: no container record`);
      assert.equal(helpersOf(name), undefined, `${what}: nothing left running`);
    }
  } finally {
    busy.close();
  }
});

// The single-id map is written by rrun itself (not newuidmap): the network helper, which
// attaches as soon as the namespaces exist, must still find them mapped.
for (const network of ['slirp4netns', 'pasta']) {
  test(`${network} with --userns=single: the map is written before the network helper attaches`, async (t) => {
    if (!need(t, 'localhost/busybox:latest')) return;
    const r = await rrun(['run', '--rm', '--userns=single', '--network', network, 'busybox', 'sh', '-c', 'cat /proc/self/uid_map; ip -4 addr | grep -c "inet "']);
    assert.equal(r.code, 0, r.stderr);
    const [map, inets] = r.stdout.trim().split('\n');
    assert.deepEqual(map?.trim().split(/\s+/), ['0', String(testBed().uid), '1']);
    assert.equal(inets, '2', 'lo and the helper\'s interface have addresses');
  });
}

// rrun run starts its helper before the image is resolved; until the container is
// launched a Ctrl-C must still end rrun at once (as before), taking the helper with it.
test('Ctrl-C during run\'s implicit pull ends rrun at once and leaves no helper', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  const conns: import('node:net').Socket[] = [];
  const server = createServer((sock) => conns.push(sock)); // accepts, never answers
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as import('node:net').AddressInfo).port;
  const name = unique('pull-int');
  try {
    const c = start(['run', '--rm', '--name', name, '--tls-verify=false', `127.0.0.1:${port}/hang/x:1`, 'true']);
    await until('the pull to connect', () => (conns.length > 0 ? true : undefined));
    const found = await until(`${name}'s processes`, () => helpersOf(name));
    const sent = Date.now();
    process.kill(found.rrun.pid, 'SIGINT');
    assert.notEqual(await c.exit, 0);
    assert.ok(Date.now() - sent < 2000, `rrun took ${Date.now() - sent} ms to end`);
    await assertGone(found.helpers, 'SIGINT during the pull');
  } finally {
    for (const s of conns) s.destroy();
    server.close();
  }
});
