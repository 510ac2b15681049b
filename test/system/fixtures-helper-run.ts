// A tiny launcher used by 010-helper.test.ts, run as the unprivileged test user:
//   node fixtures-helper-run.js --rootfs DIR [--network private|host] [--single]
//        [--overlay SCRATCH] [--fuse SCRATCH] [--readonly] [--bind SRC:DST[:ro]]
//        [--user UID:GID] [--nnp] [--seccomp-deny-mkdir]
//        [--term-after MS] [--kill-after MS] -- COMMAND…
// --overlay/--fuse use DIR as the lower layer and SCRATCH for upper/work/merged.
// It builds a plan for a bind-mounted rootfs directory, launches it with podman's id
// mapping and exits with the container's exit code (RrunError → its exitCode). The
// --term-after/--kill-after modes signal this very process, as a user's kill would.
import { userInfo } from 'node:os';
import { isRrunError } from '../../oci/errors.js';
import { mappingFacts, singleMapping, subidMapping } from '../../helpers/idmap.js';
import { buildLaunchPlan, PODMAN_DEFAULT_CAPS, type RootfsSpec } from '../../src/runtime/plan.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from '../../src/runtime/launch.js';

function parse(argv: string[]): { opts: Map<string, string>; command: string[] } {
  const opts = new Map<string, string>();
  let i = 0;
  for (; i < argv.length && argv[i] !== '--'; i++) {
    const a = argv[i] ?? '';
    if (['--single', '--readonly', '--nnp', '--seccomp-deny-mkdir'].includes(a)) opts.set(a.slice(2), '1');
    else opts.set(a.replace(/^--/, ''), argv[++i] ?? '');
  }
  return { opts, command: argv.slice(i + 1) };
}

function rootfsSpec(opts: Map<string, string>): RootfsSpec {
  const lower = opts.get('rootfs') ?? '/nonexistent';
  const readonly = opts.has('readonly');
  const scratch = opts.get('overlay') ?? opts.get('fuse');
  if (!scratch) return { kind: 'bind', path: lower, readonly };
  const [upperdir, workdir, mountpoint] = ['upper', 'work', 'merged'].map((d) => {
    mkdirSync(join(scratch, d), { recursive: true });
    return join(scratch, d);
  }) as [string, string, string];
  if (opts.has('overlay')) return { kind: 'overlay', lowerdirs: [lower], upperdir, workdir, mountpoint, readonly };
  const data = `lowerdir=${lower},upperdir=${upperdir},workdir=${workdir}`;
  return { kind: 'fuse-overlayfs', argv: ['fuse-overlayfs', '-o', data, mountpoint], mountpoint, readonly };
}

/** x86_64 BPF: mkdir(2) (nr 83) fails with EPERM, everything else is allowed. */
function denyMkdir(): Uint8Array {
  const insn = (code: number, jt: number, jf: number, k: number): Buffer => {
    const b = Buffer.alloc(8);
    b.writeUInt16LE(code, 0);
    b.writeUInt8(jt, 2);
    b.writeUInt8(jf, 3);
    b.writeUInt32LE(k, 4);
    return b;
  };
  return Buffer.concat([insn(0x20, 0, 0, 0), insn(0x15, 0, 1, 83), insn(0x06, 0, 0, 0x00050001), insn(0x06, 0, 0, 0x7fff0000)]);
}

async function main(): Promise<number> {
  const { opts, command } = parse(process.argv.slice(2));
  const u = userInfo();
  const user = { name: u.username, uid: u.uid, gid: u.gid };
  const idmap = opts.has('single') ? singleMapping(user) : subidMapping(user);
  const caps = PODMAN_DEFAULT_CAPS;
  const [uid, gid] = (opts.get('user') ?? '0:0').split(':').map(Number);
  const bind = opts.get('bind')?.split(':');
  const plan = buildLaunchPlan({
    rootfs: rootfsSpec(opts),
    binds: bind ? [{ source: bind[0] ?? '', destination: bind[1] ?? '', readonly: bind[2] === 'ro' }] : [],
    network: opts.get('network') === 'host' ? 'host' : 'private',
    hostname: 'rrun-test',
    idmap: mappingFacts(idmap),
    process: {
      argv: command,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'TERM=xterm'],
      cwd: '/',
      uid: uid ?? 0,
      gid: gid ?? 0,
      // podman: the default set is the bounding set for everyone, effective only for root.
      capabilities: uid ? { bounding: caps } : { bounding: caps, effective: caps, permitted: caps },
      noNewPrivs: opts.has('nnp'),
      seccomp: opts.has('seccomp-deny-mkdir') ? denyMkdir() : undefined,
      umask: 0o022,
    },
  });
  const term = opts.get('term-after');
  if (term) setTimeout(() => process.kill(process.pid, 'SIGTERM'), Number(term));
  const kill = opts.get('kill-after');
  if (kill) setTimeout(() => process.kill(process.pid, 'SIGKILL'), Number(kill));
  let init = 0;
  const r = await launch(plan, {
    idmap,
    graceMs: 3000,
    onNamespaces: (pid) => void (init = pid),
    // The test checks that both are gone after SIGTERM/SIGKILL to this process.
    onStart: (helper) => void process.stderr.write(`@@pids helper=${helper.pid} init=${init}\n`),
  });
  process.stderr.write(`@@exit ${r.exitCode}${r.signal ? ` ${r.signal}` : ''}\n`);
  return r.exitCode;
}

try {
  process.exitCode = await main();
} catch (err) {
  process.stderr.write(`rrun: ${err instanceof Error ? err.message : String(err)}\n`);
  if (isRrunError(err) && err.hint) process.stderr.write(`hint: ${err.hint}\n`);
  process.exitCode = isRrunError(err) ? err.exitCode : 125;
}
