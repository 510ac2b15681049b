// Read-modify-write of one record file (layers.json, containers.json, …) under its
// write lock, in c/storage's writer sequence: reload under the lock, change, write the
// LastWrite token, then atomically replace the JSON. Records the change does not touch
// are written back exactly as they were parsed, unknown fields included.
import { readFileSync } from 'node:fs';
import { errnoCode } from '../oci/errors.js';
import { atomicWriteFile } from './atomic.js';
import { recordWrite, type HeldLock } from './lockfile.js';
import { parseRecords } from './records.js';

type Schema = Parameters<typeof parseRecords>[2];

export async function loadRecordFile<T extends { id: string }>(file: string, schema: Schema): Promise<T[]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8'); // sync under the caller's lock: small file, no thread-pool round trips
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
  return parseRecords<T>(file, text, schema);
}

/** Compact JSON as Go's encoder writes it (HTML-safe escapes included). */
export function goCompactJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Apply `change` to the records of `file`. The caller holds `lock` (the file's write lock)
 * for the whole read-modify-write. `change` returns the new list.
 */
export async function updateRecordFile<T extends { id: string }>(
  lock: HeldLock,
  file: string,
  schema: Schema,
  change: (records: T[]) => T[],
): Promise<T[]> {
  if (lock.mode !== 'write') throw new Error(`updating ${file} needs the write lock, not a ${lock.mode} lock`);
  const records = change(await loadRecordFile<T>(file, schema));
  recordWrite(lock);
  atomicWriteFile(file, goCompactJson(records), 0o600);
  return records;
}
