import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandEnv, resolveStorageOptions } from '../../storage/options.js';
import type { StorageHost } from '../../storage/host.js';

function fakeHost(files: Record<string, string>, env: Record<string, string>, uid = 1001): StorageHost {
  return {
    env,
    uid,
    home: env['HOME'] ?? '/home/u',
    readText: async (p) => files[p],
    stat: async (p) => (p === '/tmp' || p in files ? { uid, mode: 0o40700, isDirectory: true } : undefined),
    realpath: async (p) => p,
  };
}

const cases: {
  name: string;
  files: Record<string, string>;
  env: Record<string, string>;
  uid?: number;
  overrides?: Parameters<typeof resolveStorageOptions>[1];
  want: { graphRoot: string; runRoot: string; driver: string; driverOptions?: string[]; configFile?: string | undefined };
}[] = [
  {
    name: 'rootless defaults, no config anywhere',
    files: {},
    env: { HOME: '/home/u' },
    want: { graphRoot: '/home/u/.local/share/containers/storage', runRoot: '/tmp/containers-user-1001/containers', driver: 'overlay', configFile: undefined },
  },
  {
    name: 'XDG variables move graphroot and runroot',
    files: {},
    env: { HOME: '/home/u', XDG_DATA_HOME: '/data', XDG_RUNTIME_DIR: '/run/user/1001' },
    want: { graphRoot: '/data/containers/storage', runRoot: '/run/user/1001/containers', driver: 'overlay' },
  },
  {
    name: 'user storage.conf replaces the whole set (graphroot, runroot, driver)',
    files: {
      '/home/u/.config/containers/storage.conf': '[storage]\ndriver="vfs"\ngraphroot="/srv/g"\nrunroot="/srv/r"\n',
      '/etc/containers/storage.conf': '[storage]\ndriver="btrfs"\n[storage.options.overlay]\nmount_program="/usr/bin/fuse-overlayfs"\n',
    },
    env: { HOME: '/home/u' },
    want: { graphRoot: '/srv/g', runRoot: '/srv/r', driver: 'vfs', driverOptions: [], configFile: '/home/u/.config/containers/storage.conf' },
  },
  {
    name: 'system file: rootless_storage_path with $HOME/$UID, only ignore_chown_errors inherited',
    files: {
      '/etc/containers/storage.conf':
        '[storage]\ndriver="overlay"\nrootless_storage_path="$HOME/store-$UID"\n[storage.options.overlay]\nmount_program="/usr/bin/fuse-overlayfs"\nignore_chown_errors="true"\n',
    },
    env: { HOME: '/home/u' },
    want: { graphRoot: '/home/u/store-1001', runRoot: '/tmp/containers-user-1001/containers', driver: 'overlay', driverOptions: ['overlay.ignore_chown_errors=true'], configFile: '/etc/containers/storage.conf' },
  },
  {
    name: 'CONTAINERS_STORAGE_CONF names the file and keeps its options',
    files: { '/x/s.conf': '[storage]\ndriver="overlay2"\ngraphroot="/g"\n[storage.options.overlay]\nmountopt="nodev"\n' },
    env: { HOME: '/home/u', CONTAINERS_STORAGE_CONF: '/x/s.conf' },
    want: { graphRoot: '/g', runRoot: '/tmp/containers-user-1001/containers', driver: 'overlay', driverOptions: ['overlay.mountopt=nodev'], configFile: '/x/s.conf' },
  },
  {
    name: 'global flags win over everything',
    files: { '/home/u/.config/containers/storage.conf': '[storage]\ndriver="vfs"\n' },
    env: { HOME: '/home/u' },
    overrides: { root: '/r', runRoot: '/rr', driver: 'overlay', storageOpts: ['overlay.mountopt=nodev'] },
    want: { graphRoot: '/r', runRoot: '/rr', driver: 'overlay', driverOptions: ['overlay.mountopt=nodev'] },
  },
  {
    name: 'STORAGE_DRIVER beats the file',
    files: { '/home/u/.config/containers/storage.conf': '[storage]\ndriver="vfs"\n' },
    env: { HOME: '/home/u', STORAGE_DRIVER: 'overlay2' },
    want: { graphRoot: '/home/u/.local/share/containers/storage', runRoot: '/tmp/containers-user-1001/containers', driver: 'overlay' },
  },
  {
    name: 'root uses /var/lib and /run defaults',
    files: {},
    env: { HOME: '/root' },
    uid: 0,
    want: { graphRoot: '/var/lib/containers/storage', runRoot: '/run/containers/storage', driver: 'overlay' },
  },
];

for (const c of cases) {
  test(`storage options: ${c.name}`, async () => {
    const got = await resolveStorageOptions(fakeHost(c.files, c.env, c.uid), c.overrides);
    assert.equal(got.graphRoot, c.want.graphRoot);
    assert.equal(got.runRoot, c.want.runRoot);
    assert.equal(got.driver, c.want.driver);
    if (c.want.driverOptions !== undefined) assert.deepEqual(got.driverOptions, c.want.driverOptions);
    if ('configFile' in c.want) assert.equal(got.configFile, c.want.configFile);
  });
}

test('storage options: malformed storage.conf names the file', async () => {
  const host = fakeHost({ '/home/u/.config/containers/storage.conf': '[storage\ndriver=' }, { HOME: '/home/u' });
  await assert.rejects(resolveStorageOptions(host), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ERR_STORAGE_CONF');
    assert.match(err.message, /\/home\/u\/\.config\/containers\/storage\.conf/);
    return true;
  });
});

test('expandEnv: $VAR, ${VAR}, $UID, unknown → empty', () => {
  assert.equal(expandEnv('$HOME/a/${USER}/$UID/$NOPE.x', { HOME: '/h', USER: 'u' }, 7), '/h/a/u/7/.x');
});
