// Capability sets for the container process from --cap-add / --cap-drop / --privileged
// and the user, with podman 4.3's rules (measured with `grep Cap /proc/self/status`):
//   root (uid 0):  bounding = effective = permitted = the set; inheritable, ambient empty
//   another user:  bounding = the set; effective = permitted = inheritable = ambient =
//                  only the caps named by --cap-add (ALL: every cap), within the set
//   the set:       podman's 11 defaults (every cap with --privileged or --cap-add ALL),
//                  plus --cap-add, minus --cap-drop (--cap-drop ALL keeps only --cap-add)
// Names are case-insensitive, with or without CAP_, comma-separated lists allowed;
// `ALL` is only ALL (podman rejects CAP_ALL). Pure.
import { RrunError } from '../../oci/errors.js';
import type { RuntimeSpec } from '../../oci/runtime.js';
import { CAPABILITIES, PODMAN_DEFAULT_CAPS } from '../runtime/plan.js';

export type CapabilitySets = RuntimeSpec['process']['capabilities'];

export interface CapabilityRequest {
  add?: readonly string[];
  drop?: readonly string[];
  privileged?: boolean;
  uid: number;
}

const ALL_CAPS: readonly string[] = CAPABILITIES.map((c) => `CAP_${c}`);
const ALL = 'ALL';

function capError(message: string, subject: string): RrunError {
  return new RrunError({
    code: 'ERR_CAPABILITY',
    message,
    subject,
    hint: 'capability names are those of capabilities(7), with or without CAP_ (e.g. NET_RAW), or ALL',
  });
}

/** `net_raw,CAP_CHOWN` → ['CAP_NET_RAW', 'CAP_CHOWN']; ALL stays ALL. */
export function normalizeCaps(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values.flatMap((v) => v.split(','))) {
    const name = value.trim().toUpperCase();
    if (name === '') continue;
    if (name === ALL) {
      out.push(ALL);
      continue;
    }
    const full = name.startsWith('CAP_') ? name : `CAP_${name}`;
    if (!ALL_CAPS.includes(full)) throw capError(`"${full}": unknown capability`, value);
    if (!out.includes(full)) out.push(full);
  }
  return out;
}

/** In kernel order, so the spec reads the same whatever order the flags came in. */
const ordered = (names: ReadonlySet<string>): string[] => ALL_CAPS.filter((c) => names.has(c));

export function resolveCapabilities(req: CapabilityRequest): CapabilitySets {
  const add = normalizeCaps(req.add ?? []);
  const drop = normalizeCaps(req.drop ?? []);
  if (add.includes(ALL) && drop.includes(ALL)) throw capError('adding all caps and removing all caps not allowed', ALL);
  const both = add.find((c) => c !== ALL && drop.includes(c));
  if (both !== undefined) throw capError(`capability "${both}" cannot be dropped and added`, both);
  const added = new Set(add.includes(ALL) ? ALL_CAPS : add);
  const set = new Set(drop.includes(ALL) ? [] : req.privileged || add.includes(ALL) ? ALL_CAPS : PODMAN_DEFAULT_CAPS);
  for (const c of added) set.add(c);
  for (const c of drop) set.delete(c);
  const bounding = ordered(set);
  if (req.uid === 0) return { bounding, effective: [...bounding], permitted: [...bounding], inheritable: [], ambient: [] };
  const user = ordered(new Set([...added].filter((c) => set.has(c))));
  return { bounding, effective: user, permitted: [...user], inheritable: [...user], ambient: [...user] };
}
