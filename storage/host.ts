// The host as the store code sees it: environment, identity and a few file reads.
// Injected so tests can describe any machine without touching /etc or $HOME.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { errnoCode } from '../oci/errors.js';

export interface StorageHost {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid: number;
  readonly home: string;
  /** File contents, or undefined when the file does not exist. */
  readText(path: string): Promise<string | undefined>;
  stat(path: string): Promise<{ uid: number; mode: number; isDirectory: boolean } | undefined>;
  /** Symlinks resolved; the path itself when it does not exist (yet). */
  realpath(path: string): Promise<string>;
}

function isMissing(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export function processHost(env: Readonly<Record<string, string | undefined>> = process.env): StorageHost {
  return {
    env,
    uid: process.getuid?.() ?? 0,
    home: env['HOME'] || homedir(),
    // Sync inside the promise: a few small config files, where each asynchronous read
    // was several thread-pool round trips on every command's start.
    async readText(path) {
      try {
        return readFileSync(path, 'utf8');
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
    },
    async stat(path) {
      try {
        const st = statSync(path);
        return { uid: st.uid, mode: st.mode, isDirectory: st.isDirectory() };
      } catch (err) {
        if (isMissing(err) || errnoCode(err) === 'EACCES') return undefined;
        throw err;
      }
    },
    async realpath(path) {
      try {
        return realpathSync(path);
      } catch (err) {
        if (isMissing(err)) return path;
        throw err;
      }
    },
  };
}
