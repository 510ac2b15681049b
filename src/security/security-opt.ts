// `--security-opt` values, podman's spellings (KEY=VALUE, and the older KEY:VALUE), as
// a table. rrun has no SELinux or AppArmor: `label=disable` and `apparmor=unconfined`
// ask for what rrun already does and are accepted; other label/apparmor values would
// be silently ignored, so they are refused. Pure.
import { RrunError } from '../../oci/errors.js';

export type SeccompChoice = { kind: 'default' } | { kind: 'unconfined' } | { kind: 'file'; path: string };

export interface SecurityOptions {
  seccomp: SeccompChoice;
  /** rrun sets no_new_privs unless told `no-new-privileges=false` (podman leaves it off). */
  noNewPrivileges: boolean;
}

const HINT = 'supported: seccomp=PATH|unconfined, no-new-privileges[=true|false], label=disable, apparmor=unconfined';

function optError(opt: string, why: string): RrunError {
  return new RrunError({ code: 'ERR_SECURITY_OPT', message: `invalid --security-opt "${opt}": ${why}`, subject: opt, hint: HINT });
}

const booleans: Readonly<Record<string, boolean>> = { '': true, true: true, false: false };

type Apply = (out: SecurityOptions, value: string, opt: string) => void;
const keys: Readonly<Record<string, Apply>> = {
  seccomp: (out, value, opt) => {
    if (value === '') throw optError(opt, 'seccomp needs a profile path or "unconfined"');
    out.seccomp = value === 'unconfined' ? { kind: 'unconfined' } : { kind: 'file', path: value };
  },
  'no-new-privileges': (out, value, opt) => {
    const b = booleans[value];
    if (b === undefined) throw optError(opt, 'expected true or false');
    out.noNewPrivileges = b;
  },
  label: (_out, value, opt) => {
    if (value !== 'disable') throw optError(opt, 'rrun has no SELinux labels; only label=disable is accepted');
  },
  apparmor: (_out, value, opt) => {
    if (value !== 'unconfined') throw optError(opt, 'rrun applies no AppArmor profile; only apparmor=unconfined is accepted');
  },
};

/** Splits `key=value` (or the older `key:value`); a bare key has the value ''. */
function split(opt: string): [string, string] {
  const m = /^([a-z-]+)(?:[=:](.*))?$/s.exec(opt);
  return m ? [m[1] as string, m[2] ?? ''] : [opt, ''];
}

export function parseSecurityOpts(opts: readonly string[]): SecurityOptions {
  const out: SecurityOptions = { seccomp: { kind: 'default' }, noNewPrivileges: true };
  for (const opt of opts) {
    const [key, value] = split(opt);
    const apply = keys[key];
    if (apply === undefined) throw optError(opt, `unknown option "${key}"`);
    apply(out, value, opt);
  }
  return out;
}
