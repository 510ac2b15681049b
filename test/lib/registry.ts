// A throw-away local registry for tests: Debian's docker-registry (distribution 2.8)
// on 127.0.0.1 with a free port and its own storage, as the test user, optionally
// behind htpasswd (bcrypt) basic auth; plus a skopeo push of fixture images.
//
//   const reg = await startRegistry();
//   await pushFixture('localhost/busybox:latest', `${reg.host}/library/busybox:latest`);
//   …
//   await reg.stop();
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { RunResult, TestBed } from './bed.js';
import { runInBedChecked } from './bed.js';
import { killGroup, tail } from './proc.js';
import { rmScratch, userScratchDir } from './scratch.js';
import { testBed } from './testbed.js';

export interface Credentials {
  user: string;
  password: string;
}

export interface Registry {
  port: number;
  /** `127.0.0.1:PORT`, the registry part of an image reference. */
  host: string;
  /** The registry's directory: config.yml, data/, registry.log, htpasswd. */
  dir: string;
  /** Kills the registry (its whole process group), waits for it, removes its directory. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const PORT_ATTEMPTS = 3;

/** Registries still running when the test process exits are killed, never left behind. */
const running = new Set<number>();
process.on('exit', () => {
  for (const pid of running) killGroup(pid, 'SIGKILL');
});

export function registryConfig(dir: string, port: number, htpasswd: boolean): string {
  const auth = htpasswd ? `auth:\n  htpasswd:\n    realm: rrun-test\n    path: ${join(dir, 'htpasswd')}\n` : '';
  return `# Written by test/lib/registry.ts
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${port}
${auth}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** GET /v2/ answers 200 (open) or 401 (auth required) once the registry serves. */
async function answers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200 || res.status === 401;
  } catch {
    return false;
  }
}

async function writeHtpasswd(bed: TestBed, dir: string, creds: Credentials): Promise<void> {
  // -B: bcrypt, the only hash distribution's htpasswd accepts.
  const argv = ['htpasswd', '-nbB', creds.user, creds.password];
  const r = await runInBedChecked(bed, 'htpasswd', argv);
  writeFileSync(join(dir, 'htpasswd'), r.stdout, { mode: 0o644 });
}

interface Child {
  pid: number;
  exited: Promise<void>;
  isRunning(): boolean;
}

/**
 * Spawned directly with the user's uid/gid (Node drops supplementary groups) rather
 * than through runuser: runuser answers SIGTERM by waiting two seconds before it
 * kills its child, which would make every stop() slow.
 */
function spawnRegistry(bed: TestBed, dir: string): Child {
  const log = openSync(join(dir, 'registry.log'), 'a');
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    env: bed.env,
    cwd: dir,
    detached: true,
    stdio: ['ignore', log, log],
    ...(bed.asRoot ? { uid: bed.uid, gid: bed.gid } : {}),
  });
  closeSync(log);
  let alive = true;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => {
      alive = false;
      resolve();
    });
    child.on('error', () => {
      alive = false;
      resolve();
    });
  });
  if (child.pid === undefined) throw new Error('docker-registry: spawn failed (is the docker-registry package installed?)');
  return { pid: child.pid, exited, isRunning: () => alive };
}

async function stopChild(c: Child): Promise<void> {
  killGroup(c.pid, 'SIGTERM');
  const done = await Promise.race([c.exited.then(() => true), delay(STOP_TIMEOUT_MS).then(() => false)]);
  if (!done) {
    killGroup(c.pid, 'SIGKILL');
    await Promise.race([c.exited, delay(STOP_TIMEOUT_MS)]);
  }
  killGroup(c.pid, 'SIGKILL'); // anything the registry left in its group
  running.delete(c.pid);
}

/** Starts the registry and waits (bounded) until it answers; undefined if the port was taken meanwhile. */
async function tryStart(bed: TestBed, dir: string, port: number): Promise<Child | undefined> {
  const child = spawnRegistry(bed, dir);
  running.add(child.pid);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await answers(port)) return child;
    if (!child.isRunning()) break;
    await delay(100);
  }
  const why = child.isRunning() ? `did not answer GET /v2/ within ${READY_TIMEOUT_MS} ms` : 'exited';
  await stopChild(child);
  const log = readFileSync(join(dir, 'registry.log'), 'utf8');
  if (/address already in use/.test(log)) return undefined;
  throw new Error(`docker-registry on 127.0.0.1:${port} ${why}; ${join(dir, 'registry.log')}:\n${tail(log)}`);
}

export async function startRegistry(opts: { htpasswd?: Credentials } = {}): Promise<Registry> {
  const bed = testBed();
  const dir = userScratchDir(bed, 'rrun-registry-');
  if (opts.htpasswd !== undefined) await writeHtpasswd(bed, dir, opts.htpasswd);
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    writeFileSync(join(dir, 'config.yml'), registryConfig(dir, port, opts.htpasswd !== undefined), { mode: 0o644 });
    const child = await tryStart(bed, dir, port);
    if (child === undefined) continue;
    let stopped: Promise<void> | undefined;
    const stop = async (): Promise<void> => {
      await stopChild(child);
      await rmScratch(bed, dir);
    };
    // Idempotent: a second stop() must not signal a process group id the kernel reused.
    return { port, host: `127.0.0.1:${port}`, dir, stop: () => (stopped ??= stop()) };
  }
  await rmScratch(bed, dir);
  throw new Error(`docker-registry: no free port after ${PORT_ATTEMPTS} attempts`);
}

export interface PushOptions {
  /** Manifest format: OCI or Docker schema 2 (skopeo's --format). Default: skopeo's choice. */
  format?: 'oci' | 'v2s2';
  creds?: Credentials;
}

/**
 * `skopeo copy containers-storage:IMAGE docker://DEST` as the test user, from the
 * test store to a plain-HTTP registry. DEST is `127.0.0.1:PORT/name:tag`.
 * Throws with skopeo's stderr tail on failure.
 */
export async function pushFixture(image: string, dest: string, opts: PushOptions = {}): Promise<RunResult> {
  const argv = ['skopeo', 'copy', '--quiet', '--dest-tls-verify=false'];
  if (opts.format !== undefined) argv.push('--format', opts.format);
  if (opts.creds !== undefined) argv.push('--dest-creds', `${opts.creds.user}:${opts.creds.password}`);
  argv.push(`containers-storage:${image}`, `docker://${dest}`);
  return runInBedChecked(testBed(), `pushing ${image} to ${dest}`, argv, { timeoutMs: 10 * 60_000 });
}

/** Pids of processes still serving this registry's config (for tests of stop()). */
export function registryPids(reg: Pick<Registry, 'dir'>): number[] {
  const config = join(reg.dir, 'config.yml');
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited while we looked
    }
    if (argv.includes(config) && argv.some((a) => a.endsWith('docker-registry'))) pids.push(Number(name));
  }
  return pids;
}
