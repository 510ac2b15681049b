// `--mount type=bind|volume|tmpfs,src=…,dst=…[,ro][,U]…` as podman reads it, into the
// same requests `-v` and `--tmpfs` make. Pure.
import { RrunError } from '../../oci/errors.js';
import type { TmpfsRequest, VolumeRequest } from '../runtime/request.js';

type Fields = { type: string; source?: string; destination?: string; readonly: boolean; chown: boolean; noCopy: boolean; tmpfs: string[] };

// Keys and what they set; podman's aliases share an entry.
const keys: Readonly<Record<string, (f: Fields, v: string | undefined) => void>> = {
  type: (f, v) => { f.type = v ?? ''; },
  src: (f, v) => { f.source = v; },
  source: (f, v) => { f.source = v; },
  dst: (f, v) => { f.destination = v; },
  destination: (f, v) => { f.destination = v; },
  target: (f, v) => { f.destination = v; },
  ro: (f, v) => { f.readonly = v === undefined || v === 'true'; },
  readonly: (f, v) => { f.readonly = v === undefined || v === 'true'; },
  rw: (f, v) => { f.readonly = !(v === undefined || v === 'true'); },
  U: (f, v) => { f.chown = v === undefined || v === 'true'; },
  chown: (f, v) => { f.chown = v === undefined || v === 'true'; },
  nocopy: (f) => { f.noCopy = true; },
  'volume-nocopy': (f) => { f.noCopy = true; },
  'tmpfs-size': (f, v) => { f.tmpfs.push(`size=${v ?? ''}`); },
  'tmpfs-mode': (f, v) => { f.tmpfs.push(`mode=${v ?? ''}`); },
};
const ignored = new Set(['z', 'Z', 'bind-propagation', 'relabel', 'consistency', 'bind-nonrecursive', 'volume-label', 'volume-opt']);

function mountError(message: string, subject: string): RrunError {
  return new RrunError({ code: 'ERR_INVALID_MOUNT', message, subject });
}

export function parseMount(spec: string): { volume: VolumeRequest } | { tmpfs: TmpfsRequest } {
  const f: Fields = { type: '', readonly: false, chown: false, noCopy: false, tmpfs: [] };
  for (const item of spec.split(',')) {
    const eq = item.indexOf('=');
    const [k, v] = eq < 0 ? [item, undefined] : [item.slice(0, eq), item.slice(eq + 1)];
    const set = keys[k];
    if (set !== undefined) set(f, v);
    else if (!ignored.has(k)) throw mountError(`unknown mount option "${k}": invalid mount option`, spec);
  }
  if (!['bind', 'volume', 'tmpfs'].includes(f.type)) throw mountError(`invalid filesystem type "${f.type}"`, spec);
  if (f.destination === undefined || f.destination === '') throw mountError('must set target path: invalid mount option', spec);
  if (!f.destination.startsWith('/')) throw mountError(`invalid container path "${f.destination}", must be an absolute path`, spec);
  if (f.type === 'tmpfs') return { tmpfs: { destination: f.destination, options: [...(f.readonly ? ['ro'] : []), ...f.tmpfs] } };
  const base = { destination: f.destination, readonly: f.readonly, ...(f.chown ? { chown: true } : {}), ...(f.noCopy ? { noCopy: true } : {}) };
  if (f.type === 'bind') {
    if (f.source === undefined || !f.source.startsWith('/')) throw mountError('must set source path: invalid mount option', spec);
    return { volume: { ...base, source: f.source } };
  }
  const name = f.source ?? '';
  return { volume: { ...base, source: '', volume: { name, anonymous: name === '' } } };
}
