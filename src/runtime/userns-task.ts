// One host program run as root inside a fresh user namespace (with a mount and pid
// namespace of its own) under the container's id mapping: how rrun does file work on
// files owned by subordinate ids — extracting and re-tarring layers, diffing, removing
// trees. No root filesystem of its own; setup ops (mounts) only when given.
import { join } from 'node:path';
import { packageRoot } from '../../helpers/package-root.js';
import { CLONE, MS, type LaunchPlan, type SetupOp } from '../../helpers/protocol.js';

export function usernsTaskPlan(argv: string[], mounts: readonly SetupOp[] = []): LaunchPlan {
  const ops: SetupOp[] =
    mounts.length === 0
      ? []
      : [{ op: 'mount', source: null, target: '/', fstype: null, flags: MS.REC | MS.PRIVATE, data: null }, ...mounts];
  return {
    namespaces: CLONE.NEWUSER | CLONE.NEWNS | CLONE.NEWPID,
    ops,
    process: { argv, env: ['PATH=/usr/bin:/bin'], cwd: '/', uid: 0, gid: 0, additionalGids: [], setgroups: false, noNewPrivs: true },
  };
}

/**
 * `node <module> args…` for a module of this package's compiled tree (dist/…): the
 * unbundled file, since the CLI bundle's chunks have other names.
 */
export function nodeTaskArgv(distModule: string, args: readonly string[], node = process.execPath): string[] {
  return [node, join(packageRoot(), 'dist', distModule), ...args];
}
