// Scratch directories owned by the test user (root creates them and hands them over).
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestBed } from './bed.js';
import { runInBed } from './bed.js';

export function userScratchDir(bed: TestBed, prefix: string): string {
  const dir = mkdtempSync(join('/tmp', prefix));
  chmodSync(dir, 0o700);
  if (bed.asRoot) chownSync(dir, bed.uid, bed.gid);
  return dir;
}

/**
 * Removes a scratch directory. Files left owned by sub-ids (a step inside the user
 * namespace failed half-way) are out of reach for a non-root user outside it, so
 * retry inside the namespace.
 */
export async function rmScratch(bed: TestBed, dir: string): Promise<void> {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    await runInBed(bed, ['podman', 'unshare', 'rm', '-rf', dir]);
  }
}
