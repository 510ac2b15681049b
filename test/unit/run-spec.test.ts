import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSpec, containerCommand, mergeEnv } from '../../src/runtime/spec.js';
import { resolveUser } from '../../src/runtime/passwd.js';
import type { RunRequest } from '../../src/runtime/request.js';

function request(over: Partial<RunRequest> = {}): RunRequest {
  return {
    command: [], env: [], remove: false, interactive: false, readOnly: false, volumes: [], tmpfs: [],
    network: 'none', singleIdMap: false, image: 'busybox', ...over,
  };
}

// podman's makeCommand rules, row by row.
const commandRows: { name: string; req: Partial<RunRequest>; image: { Entrypoint?: string[]; Cmd?: string[] }; want: string[] | 'error' }[] = [
  { name: 'image Cmd only', req: {}, image: { Cmd: ['sh'] }, want: ['sh'] },
  { name: 'command replaces Cmd', req: { command: ['ls', '-l'] }, image: { Cmd: ['sh'] }, want: ['ls', '-l'] },
  { name: 'image Entrypoint + Cmd', req: {}, image: { Entrypoint: ['/init'], Cmd: ['--x'] }, want: ['/init', '--x'] },
  { name: 'image Entrypoint + command', req: { command: ['a'] }, image: { Entrypoint: ['/init'], Cmd: ['--x'] }, want: ['/init', 'a'] },
  { name: '--entrypoint drops image Cmd', req: { entrypoint: ['echo'] }, image: { Entrypoint: ['/init'], Cmd: ['--x'] }, want: ['echo'] },
  { name: '--entrypoint with command', req: { entrypoint: ['echo'], command: ['hi'] }, image: { Cmd: ['sh'] }, want: ['echo', 'hi'] },
  { name: '--entrypoint "" clears', req: { entrypoint: [''], command: ['ls'] }, image: { Entrypoint: ['/init'] }, want: ['ls'] },
  { name: 'nothing at all', req: {}, image: {}, want: 'error' },
];
for (const row of commandRows) {
  test(`command: ${row.name}`, () => {
    if (row.want === 'error') {
      assert.throws(() => containerCommand(request(row.req), row.image), /no command or entrypoint provided/);
    } else assert.deepEqual(containerCommand(request(row.req), row.image), row.want);
  });
}

test('env: later lists win, first position kept', () => {
  assert.deepEqual(mergeEnv(['PATH=/a', 'A=1'], ['A=2', 'B=3'], ['PATH=/b']), ['PATH=/b', 'A=2', 'B=3']);
});

const passwd = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n';
const group = 'root:x:0:\nwheel:x:10:app\napp:x:1000:\nstaff:x:50:app,other\n';

const userRows: [string, { uid: number; gid: number; additionalGids: number[]; home: string } | RegExp][] = [
  ['', { uid: 0, gid: 0, additionalGids: [], home: '/root' }],
  ['app', { uid: 1000, gid: 1000, additionalGids: [10, 50], home: '/home/app' }],
  ['1000', { uid: 1000, gid: 1000, additionalGids: [10, 50], home: '/home/app' }],
  ['app:staff', { uid: 1000, gid: 50, additionalGids: [], home: '/home/app' }],
  ['4242', { uid: 4242, gid: 0, additionalGids: [], home: '/' }],
  ['4242:77', { uid: 4242, gid: 77, additionalGids: [], home: '/' }],
  ['ghost', /unable to find user ghost: no matching entries in passwd file/],
  ['app:ghosts', /unable to find group ghosts/],
];
for (const [spec, want] of userRows) {
  test(`-u ${JSON.stringify(spec)}`, () => {
    if (want instanceof RegExp) assert.throws(() => resolveUser(spec, passwd, group), want);
    else assert.deepEqual(resolveUser(spec, passwd, group), want);
  });
}

test('spec: root gets podman caps, a user none effective; hostname, cwd and env defaults', () => {
  const base = {
    image: { Env: ['PATH=/usr/bin', 'X=1'], Cmd: ['sh'], WorkingDir: '/w' },
    containerId: 'abcdef0123456789'.repeat(4),
    containerName: 'n',
    rootPath: '/r',
    uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
    gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
  };
  const root = buildSpec({ ...base, request: request({ env: ['X=2'] }), user: resolveUser('', passwd, group) });
  assert.deepEqual(root.process.capabilities.effective, root.process.capabilities.bounding);
  assert.ok(root.process.capabilities.bounding.includes('CAP_CHOWN'));
  assert.equal(root.hostname, 'abcdef012345');
  assert.equal(root.process.cwd, '/w');
  assert.deepEqual(root.process.env, ['PATH=/usr/bin', 'container=rrun', 'X=2', 'HOME=/root', 'HOSTNAME=abcdef012345']);
  assert.ok(root.linux.namespaces.some((n) => n.type === 'network'));
  const user = buildSpec({ ...base, request: request({ network: 'host', workdir: '/tmp' }), user: resolveUser('app', passwd, group) });
  assert.deepEqual(user.process.capabilities.effective, []);
  assert.equal(user.process.cwd, '/tmp');
  assert.ok(!user.linux.namespaces.some((n) => n.type === 'network'));
  assert.deepEqual(user.process.user, { uid: 1000, gid: 1000, additionalGids: [10, 50] });
});
