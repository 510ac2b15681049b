// `rrun doctor`: every check, in the order a broken setup is best explained.
import { singleMapping, subidMapping, type IdMapping } from '../../helpers/idmap.js';
import { defaultHelperPath } from '../../helpers/nsexec.js';
import type { StorageOptions } from '../../storage/options.js';
import { mapToolCheck, subidCheck, usernsCheck } from './ids.js';
import { mappingCheck, overlayProbe, storeReadCheck } from './store.js';
import { cgroupCheck, fuseChecks, networkChecks, runtimeDirCheck, storeFsCheck } from './system.js';
import { distroFamily, type CheckResult, type DoctorHost } from './types.js';

export interface DoctorReport {
  ok: boolean;
  checks: CheckResult[];
}

/** The checks that need no namespace: cheap, and what a failing command consults. */
export function staticChecks(host: DoctorHost, helperPath: string): CheckResult[] {
  const family = distroFamily(host.readFile('/etc/os-release'));
  return [
    ...usernsCheck(host, helperPath),
    subidCheck(host, 'uid'),
    subidCheck(host, 'gid'),
    mapToolCheck(host, 'newuidmap', family),
    mapToolCheck(host, 'newgidmap', family),
  ];
}

function probeMapping(host: DoctorHost): IdMapping {
  try {
    return subidMapping(host.user);
  } catch {
    return singleMapping(host.user);
  }
}

export async function runDoctor(host: DoctorHost, storage: StorageOptions): Promise<DoctorReport> {
  const checks = staticChecks(host, defaultHelperPath());
  const idsOk = checks.every((c) => c.status !== 'fail');
  const overlay = idsOk
    ? await overlayProbe(storage, probeMapping(host))
    : { id: 'overlay', title: 'native overlay (userxattr) in a user namespace on the store', status: 'fail' as const, detail: 'not tried: user namespaces cannot be set up (see above)' };
  checks.push(
    storeFsCheck(host, storage.graphRoot),
    overlay,
    ...fuseChecks(host, overlay.status === 'ok'),
    ...networkChecks(host),
    cgroupCheck(host),
    runtimeDirCheck(host),
    await storeReadCheck(storage),
    mappingCheck(host.env),
  );
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}

/** Human report: ✓ / ✗ / ! per check, the fix indented below a failure. */
export function renderReport(report: DoctorReport): string {
  const mark = { ok: '✓', fail: '✗', warn: '!' } as const;
  const lines = report.checks.flatMap((c) => [
    `${mark[c.status]} ${c.title}: ${c.detail}`,
    ...(c.fix !== undefined && c.status !== 'ok' ? [`    fix: ${c.fix}`] : []),
  ]);
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  lines.push('', failed === 0 ? 'rrun can run rootless containers here.' : `${failed} problem(s) to fix before rrun can run containers here.`);
  return `${lines.join('\n')}\n`;
}
