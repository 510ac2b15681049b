// The JSON records of c/storage (layers.json, images.json, containers.json) with its
// field names exactly. Unknown fields are kept on the objects so a rewrite preserves
// them. Parsing validates every known field's type and names the file and record on
// error: podman 4.3 silently treats a bad file as an empty store, we refuse instead.
import { RrunError } from '../oci/errors.js';

export interface IdMapEntry {
  container_id: number;
  host_id: number;
  size: number;
}

export interface LayerRecord {
  id: string;
  names?: string[];
  parent?: string;
  metadata?: string;
  mountlabel?: string;
  created?: string;
  'compressed-diff-digest'?: string;
  'compressed-size'?: number;
  'diff-digest'?: string;
  'diff-size'?: number;
  compression?: number;
  uidset?: number[];
  gidset?: number[];
  flags?: Record<string, unknown>;
  uidmap?: IdMapEntry[];
  gidmap?: IdMapEntry[];
  'big-data-names'?: string[];
  [unknownField: string]: unknown;
}

export interface ImageRecord {
  id: string;
  digest?: string;
  names?: string[];
  'names-history'?: string[];
  layer?: string;
  'mapped-layers'?: string[];
  metadata?: string;
  'big-data-names'?: string[];
  'big-data-sizes'?: Record<string, number>;
  'big-data-digests'?: Record<string, string>;
  created?: string;
  flags?: Record<string, unknown>;
  [unknownField: string]: unknown;
}

export interface ContainerRecord {
  id: string;
  names?: string[];
  image?: string;
  layer?: string;
  metadata?: string;
  'big-data-names'?: string[];
  'big-data-sizes'?: Record<string, number>;
  'big-data-digests'?: Record<string, string>;
  created?: string;
  uidmap?: IdMapEntry[];
  gidmap?: IdMapEntry[];
  flags?: Record<string, unknown>;
  [unknownField: string]: unknown;
}

type Kind = 'string' | 'number' | 'strings' | 'numbers' | 'object' | 'numberMap' | 'stringMap' | 'idmap';
type Schema = Readonly<Record<string, Kind>>;

const common: Schema = {
  id: 'string',
  names: 'strings',
  metadata: 'string',
  created: 'string',
  flags: 'object',
  'big-data-names': 'strings',
};

export const layerSchema: Schema = {
  ...common,
  parent: 'string',
  mountlabel: 'string',
  'compressed-diff-digest': 'string',
  'compressed-size': 'number',
  'diff-digest': 'string',
  'diff-size': 'number',
  compression: 'number',
  uidset: 'numbers',
  gidset: 'numbers',
  uidmap: 'idmap',
  gidmap: 'idmap',
};

export const imageSchema: Schema = {
  ...common,
  digest: 'string',
  'names-history': 'strings',
  layer: 'string',
  'mapped-layers': 'strings',
  'big-data-sizes': 'numberMap',
  'big-data-digests': 'stringMap',
};

export const containerSchema: Schema = {
  ...common,
  image: 'string',
  layer: 'string',
  'big-data-sizes': 'numberMap',
  'big-data-digests': 'stringMap',
  uidmap: 'idmap',
  gidmap: 'idmap',
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const checks: Record<Kind, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  strings: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  numbers: (v) => Array.isArray(v) && v.every((x) => typeof x === 'number'),
  object: isObject,
  numberMap: (v) => isObject(v) && Object.values(v).every((x) => typeof x === 'number'),
  stringMap: (v) => isObject(v) && Object.values(v).every((x) => typeof x === 'string'),
  idmap: (v) =>
    Array.isArray(v) &&
    v.every((e) => isObject(e) && ['container_id', 'host_id', 'size'].every((k) => typeof e[k] === 'number')),
};

function corrupt(file: string, what: string): RrunError {
  return new RrunError({
    code: 'ERR_STORE_CORRUPT',
    message: `${file} is not a valid containers-storage file: ${what}`,
    subject: file,
    hint: 'the file was left untouched; restore it from a backup or repair it by hand (podman 4.3 would treat it as an empty store)',
  });
}

/**
 * Parse one of the record files. An empty file is an empty list (as c/storage reads it);
 * anything else must be a JSON array of objects whose known fields have the right types.
 */
export function parseRecords<T extends { id: string }>(file: string, text: string, schema: Schema): T[] {
  if (text.trim() === '') return [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw corrupt(file, (err as Error).message);
  }
  if (!Array.isArray(doc)) throw corrupt(file, 'expected a JSON array of records');
  doc.forEach((rec: unknown, i) => {
    if (!isObject(rec)) throw corrupt(file, `record ${i} is not an object`);
    for (const [field, kind] of Object.entries(schema)) {
      const value = rec[field];
      if (value === undefined || value === null) continue;
      if (!checks[kind](value)) throw corrupt(file, `record ${i} (${String(rec['id'])}): field "${field}" must be ${kind}`);
    }
    if (typeof rec['id'] !== 'string' || !/^[0-9a-f]{64}$/.test(rec['id'])) {
      throw corrupt(file, `record ${i}: "id" must be 64 lowercase hex digits`);
    }
  });
  return doc as T[];
}
