// Container lifecycle as the unprivileged test user: run -d with the helper as monitor,
// ps/inspect/logs/exec/stop/kill/wait/rm, stale state, podman's errors, and -it under tmux.
// Only containers named lc080-* are looked at (other engineers share the store).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { ok, fixtureMissingReason, hasFixture, podman, requirePrereq, rrun, testBed, runAs } from '../lib/testbed.js';
import { userArgv } from '../lib/bed.js';

const tag = `lc080-${process.pid}`;
const name = (n: string): string => `${tag}-${n}`;

function need(t: Parameters<typeof requirePrereq>[0], ref = 'localhost/busybox:latest'): boolean {
  return requirePrereq(t, hasFixture(ref), fixtureMissingReason(ref));
}

const detach = (n: string, ...cmd: string[]) => rrun(['run', '-d', '--network', 'none', '--name', name(n), 'busybox', ...cmd]);
const inspect = async (n: string): Promise<{ State: { Status: string; Pid: number; ExitCode: number; Error: string } }> =>
  (JSON.parse(ok(await rrun(['inspect', name(n)]), 'inspect')) as [{ State: { Status: string; Pid: number; ExitCode: number; Error: string } }])[0];

test.after(async () => {
  const left = (await rrun(['ps', '-a', '--format', 'json'])).stdout;
  for (const e of (JSON.parse(left || '[]') as { Names: string[] }[]))
    if (e.Names[0]?.startsWith(tag)) await rrun(['rm', '-f', e.Names[0]]);
});

test('run -d: ps, podman ps --external, exec, stop within the timeout, rm removes record and layer', async (t) => {
  if (!need(t)) return;
  const started = Date.now();
  const id = ok(await detach('web', 'sleep', '1000'), 'run -d').trim();
  const detachMs = Date.now() - started;
  assert.match(id, /^[0-9a-f]{64}$/);
  t.diagnostic(`run -d returned after ${detachMs} ms`);
  const ps = ok(await rrun(['ps']), 'ps');
  assert.match(ps, new RegExp(`${id.slice(0, 12)}\\s+localhost/busybox:latest\\s+sleep 1000\\s+.*Up .* ago\\s+${name('web')}`));
  assert.ok(ok(await podman(['ps', '--external', '--format', '{{.Names}}']), 'podman ps').split('\n').includes(name('web')));
  assert.match(ok(await rrun(['exec', name('web'), 'ps']), 'exec ps'), /sleep 1000/);
  const pid = (await inspect('web')).State.Pid;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)]).toString().trim()}/status`, 'utf8'))?.[1]);
  t.diagnostic(`monitor RSS ${rss} kB`);
  assert.ok(rss <= 2048, `monitor RSS ${rss} kB <= 2 MB`);
  const t0 = Date.now();
  ok(await rrun(['stop', '-t', '5', name('web')]), 'stop');
  assert.ok(Date.now() - t0 < 5000, 'sleep ends on SIGTERM forwarded by init');
  const st = await inspect('web');
  assert.equal(st.State.Status, 'exited');
  assert.equal(st.State.ExitCode, 143);
  ok(await rrun(['rm', name('web')]), 'rm');
  assert.ok(!ok(await podman(['ps', '-a', '--external', '--format', '{{.Names}}']), 'podman ps').includes(name('web')));
});

test('logs: stdout and stderr in order, -f follows until exit; exit code through wait and inspect', async (t) => {
  if (!need(t)) return;
  ok(await detach('log', 'sh', '-c', 'echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three; sleep 0.5; echo four; exit 7'), 'run -d');
  const followed = ok(await rrun(['logs', '-f', name('log')], { timeoutMs: 20_000 }), 'logs -f');
  assert.equal(followed, 'one\nthree\nfour\n');
  assert.equal(ok(await rrun(['wait', name('log')]), 'wait'), '7\n');
  assert.equal((await inspect('log')).State.ExitCode, 7);
  const stamped = ok(await rrun(['logs', '--tail', '2', '--timestamps', name('log')]), 'logs --tail');
  assert.match(stamped, /^\S+ three\n\S+ four\n$/);
  const both = await rrun(['logs', name('log')]);
  assert.equal(both.stderr, 'two\n');
  const raw = ok(await rrun(['inspect', name('log')]), 'inspect');
  const logPath = (JSON.parse(raw) as [{ LogPath: string }])[0].LogPath;
  assert.ok(logPath.endsWith('/userdata/ctr.log'));
});

test('kill -s KILL → 137; create + start; start -a returns the exit code', async (t) => {
  if (!need(t)) return;
  ok(await detach('kill', 'sleep', '1000'), 'run -d');
  ok(await rrun(['kill', '-s', 'KILL', name('kill')]), 'kill');
  assert.equal(ok(await rrun(['wait', name('kill')]), 'wait'), '137\n');
  ok(await rrun(['create', '--network', 'none', '--name', name('cr'), 'busybox', 'sh', '-c', 'echo hi; exit 4']), 'create');
  assert.match(ok(await rrun(['ps', '-a']), 'ps -a'), new RegExp(`Created\\s+${name('cr')}`));
  const attached = await rrun(['start', '-a', name('cr')]);
  assert.equal(attached.code, 4);
  assert.equal(attached.stdout, 'hi\n');
  assert.match(ok(await rrun(['ps', '-a']), 'ps -a'), new RegExp(`Exited \\(4\\).*${name('cr')}`));
});

test('a killed monitor reads as exited, never running; rm cleans it up', async (t) => {
  if (!need(t)) return;
  ok(await detach('mon', 'sleep', '1000'), 'run -d');
  const pid = (await inspect('mon')).State.Pid;
  const monitor = Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)]).toString().trim());
  process.kill(monitor, 'SIGKILL');
  await delay(300);
  const st = await inspect('mon');
  assert.equal(st.State.Status, 'exited');
  assert.match(st.State.Error, /monitor is gone/);
  assert.doesNotMatch(ok(await rrun(['ps']), 'ps'), new RegExp(name('mon')));
  ok(await rrun(['rm', name('mon')]), 'rm');
});

test('run -d --rm: the monitor\'s exit command removes the container', async (t) => {
  if (!need(t)) return;
  ok(await rrun(['run', '-d', '--rm', '--network', 'none', '--name', name('auto'), 'busybox', 'true']), 'run -d --rm');
  for (let i = 0; i < 100 && (await rrun(['inspect', name('auto')])).code === 0; i++) await delay(100);
  assert.notEqual((await rrun(['inspect', name('auto')])).code, 0, 'gone');
});

test('bad input: podman\'s messages and exit codes', async (t) => {
  if (!need(t)) return;
  ok(await detach('bad', 'sleep', '1000'), 'run -d');
  const rmRunning = await rrun(['rm', name('bad')]);
  assert.equal(rmRunning.code, 2);
  assert.match(rmRunning.stderr, /as it is running - running or paused containers cannot be removed without force: container state improper/);
  const dup = await detach('bad', 'true');
  assert.equal(dup.code, 125);
  assert.match(dup.stderr, /already in use/);
  ok(await rrun(['rm', '-f', name('bad')]), 'rm -f');
  const unknown = await rrun(['exec', name('nosuch'), 'true']);
  assert.equal(unknown.code, 125);
  assert.match(unknown.stderr, /no container with name or ID ".*" found: no such container/);
  ok(await rrun(['create', '--network', 'none', '--name', name('stopped'), 'busybox', 'true']), 'create');
  const execStopped = await rrun(['exec', name('stopped'), 'true']);
  assert.equal(execStopped.code, 255);
  assert.match(execStopped.stderr, /can only create exec sessions on running containers: container state improper/);
  assert.equal((await rrun(['stop', name('stopped')])).code, 0, 'stop of a stopped container is fine');
  const kill = await rrun(['kill', name('stopped')]);
  assert.equal(kill.code, 125);
  assert.match(kill.stderr, /can only kill running containers/);
  assert.equal((await rrun(['rm', name('nosuch')])).code, 1);
});

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

async function screenHas(session: string, re: RegExp, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  let screen = '';
  while (Date.now() < end) {
    screen = tmux('capture-pane', '-p', '-t', session);
    if (re.test(screen)) return screen;
    await delay(100);
  }
  assert.fail(`screen never matched ${String(re)}:\n${screen}`);
}

test('-it under tmux: prompt, stty size follows the pane, Ctrl-C reaches the container, exit 3, sane terminal', async (t) => {
  const hasTmux = (() => { try { execFileSync('tmux', ['-V']); return true; } catch { return false; } })();
  if (!requirePrereq(t, hasTmux, 'tmux') || !need(t, 'docker.io/library/debian:bookworm')) return;
  const bed = testBed();
  const session = tag;
  // tmux's server passes its own environment on: give the shell exactly the bed's (as a
  // normal user the bed's store is an isolated HOME/XDG_* that only bed.env names).
  const env = { ...bed.env, TERM: 'xterm', PS1: '$ ' };
  const bash = ['bash', '--norc', '--noprofile'];
  const shell = bed.asRoot ? userArgv(bed, bash, env) : ['env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...bash];
  tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', '-c', bed.home, ...shell);
  try {
    tmux('send-keys', '-t', session, `${bed.repo}/bin/rrun run -it --rm --network none --name ${name('tty')} debian:bookworm bash; echo rc=$?`, 'Enter');
    await screenHas(session, /root@\w+:\/#/m, 30_000);
    tmux('send-keys', '-t', session, 'stty size', 'Enter');
    await screenHas(session, /^30 100$/m);
    tmux('resize-window', '-t', session, '-x', '120', '-y', '40');
    await delay(300);
    tmux('send-keys', '-t', session, 'clear; stty size', 'Enter');
    await screenHas(session, /^40 120$/m);
    tmux('send-keys', '-t', session, 'sleep 100', 'Enter');
    await delay(500);
    tmux('send-keys', '-t', session, 'C-c');
    tmux('send-keys', '-t', session, 'echo still-$((40+2))', 'Enter');
    await screenHas(session, /^still-42$/m);
    tmux('send-keys', '-t', session, 'exit 3', 'Enter');
    await screenHas(session, /^rc=3$/m);
    tmux('send-keys', '-t', session, 'stty -a | grep -o -- " icanon\\| echo " | tr -d " " | tr "\\n" ,; echo', 'Enter');
    await screenHas(session, /^icanon,echo,$/m);
  } finally {
    tmux('kill-session', '-t', session);
  }
});

test('run -d with a network helper returns at once; the helper ends with the container', async (t) => {
  if (!need(t, 'localhost/busybox:latest')) return;
  for (const network of ['slirp4netns', 'pasta']) {
    const name = `lc080-net-${network}-${process.pid}`;
    const started = Date.now();
    const r = await rrun(['run', '-d', '--network', network, '--name', name, 'busybox', 'sleep', '2'], { timeoutMs: 20_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - started < 10_000, `run -d returned after ${Date.now() - started} ms`);
    const pid = Number(ok(await rrun(['inspect', '--format', '{{.State.Pid}}', name]), 'inspect pid').trim());
    // The helper attached to this container names its pid on the command line (slirp4netns) or in its netns (pasta).
    const helpers = async (): Promise<string> => (await runAs(['sh', '-c', `for p in $(pgrep -x slirp4netns; pgrep -x pasta; pgrep -x passt; pgrep -x pasta.avx2; pgrep -x passt.avx2); do grep -qa "${pid}" /proc/$p/cmdline 2>/dev/null && echo $p; done; true`])).stdout.trim();
    assert.notEqual(await helpers(), '', `${network} attached to ${pid} while the container runs`);
    ok(await rrun(['wait', name]), 'wait');
    let left = await helpers();
    for (let i = 0; i < 20 && left !== ''; i++) {
      await new Promise((res) => setTimeout(res, 250));
      left = await helpers();
    }
    assert.equal(left, '', `${network} still running after the container exited`);
    ok(await rrun(['rm', name]), 'rm');
  }
});
