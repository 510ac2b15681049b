// The size c/storage reports for a directory tree (a container's writable layer, a
// volume): the apparent sizes of everything that is not a directory, each inode once.
// Unreadable subdirectories (files of subordinate ids with mode 0700) are skipped.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function treeSize(root: string): number {
  const seen = new Set<string>();
  let total = 0;
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      let st;
      try {
        st = lstatSync(path, { bigint: false });
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        pending.push(path);
        continue;
      }
      const inode = `${st.dev}:${st.ino}`;
      if (st.nlink > 1 && seen.has(inode)) continue;
      seen.add(inode);
      total += st.size;
    }
  }
  return total;
}
