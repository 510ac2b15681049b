// The real machine, as the doctor checks see it.
import { accessSync, constants, readFileSync, realpathSync, statSync, statfsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { delimiter } from 'node:path';
import { lgetxattr } from '../../helpers/syscalls.js';
import type { DoctorHost } from './types.js';

function tryOr<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

export function realDoctorHost(env: Readonly<Record<string, string | undefined>> = process.env): DoctorHost {
  const me = userInfo();
  return {
    env,
    user: { name: me.username, uid: me.uid, gid: me.gid },
    readFile: (path) => tryOr<string | undefined>(() => readFileSync(path, 'utf8'), undefined),
    stat: (path) =>
      tryOr<ReturnType<DoctorHost['stat']>>(() => {
        const st = statSync(path);
        return { uid: st.uid, mode: st.mode, isFile: st.isFile(), isDirectory: st.isDirectory() };
      }, undefined),
    fsType: (path) => tryOr<number | undefined>(() => statfsSync(path).type, undefined),
    canReadWrite: (path) => tryOr(() => (accessSync(path, constants.R_OK | constants.W_OK), true), false),
    hasFileCaps: (path) => tryOr(() => lgetxattr(realpathSync(path), 'security.capability') !== undefined, false),
    which: (name) => {
      for (const dir of (env['PATH'] ?? '/usr/bin:/bin').split(delimiter)) {
        const p = `${dir}/${name}`;
        if (tryOr(() => (accessSync(p, constants.X_OK), statSync(p).isFile()), false)) return p;
      }
      return undefined;
    },
  };
}
