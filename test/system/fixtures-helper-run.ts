// A tiny launcher used by 010-helper.test.ts, run as the unprivileged test user:
//   node fixtures-helper-run.js --rootfs DIR [--network private|host] [--single]
//        [--term-after MS] [--kill-after MS] -- COMMAND…
// It builds a plan for a bind-mounted rootfs directory, launches it with podman's id
// mapping and exits with the container's exit code (RrunError → its exitCode). The
// --term-after/--kill-after modes signal this very process, as a user's kill would.
import { userInfo } from 'node:os';
import { isRrunError } from '../../oci/errors.js';
import { mappingFacts, singleMapping, subidMapping } from '../../helpers/idmap.js';
import { buildLaunchPlan, PODMAN_DEFAULT_CAPS } from '../../src/runtime/plan.js';
import { launch } from '../../src/runtime/launch.js';

function parse(argv: string[]): { opts: Map<string, string>; command: string[] } {
  const opts = new Map<string, string>();
  let i = 0;
  for (; i < argv.length && argv[i] !== '--'; i++) {
    const a = argv[i] ?? '';
    if (a === '--single') opts.set('single', '1');
    else opts.set(a.replace(/^--/, ''), argv[++i] ?? '');
  }
  return { opts, command: argv.slice(i + 1) };
}

async function main(): Promise<number> {
  const { opts, command } = parse(process.argv.slice(2));
  const u = userInfo();
  const user = { name: u.username, uid: u.uid, gid: u.gid };
  const idmap = opts.has('single') ? singleMapping(user) : subidMapping(user);
  const caps = PODMAN_DEFAULT_CAPS;
  const plan = buildLaunchPlan({
    rootfs: { kind: 'bind', path: opts.get('rootfs') ?? '/nonexistent', readonly: false },
    network: opts.get('network') === 'host' ? 'host' : 'private',
    hostname: 'rrun-test',
    idmap: mappingFacts(idmap),
    process: {
      argv: command,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'TERM=xterm'],
      cwd: '/',
      uid: 0,
      gid: 0,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
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
