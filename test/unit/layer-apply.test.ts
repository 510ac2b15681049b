// Layer extraction as a security boundary and in podman's on-disk form: members that
// try to leave the layer directory are refused or confined, whiteouts become 0:0
// character devices, opaque markers an xattr, overlay's own xattrs are dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { LayerApplier, memberParts } from '../../storage/layer-apply.js';
import { TarReader } from '../../storage/tar-reader.js';
import { lgetxattr } from '../../helpers/syscalls.js';
import { skipOrFail } from '../lib/skip.js';

interface Member { name: string; type?: string; data?: string; linkname?: string; pax?: Record<string, string> }

function block(name: string, type: string, size: number, linkname = ''): Buffer {
  const b = Buffer.alloc(512);
  b.write(name.slice(0, 100), 0, 'utf8');
  b.write('0000755\0', 100);
  b.write(`${(process.getuid?.() ?? 0).toString(8).padStart(7, '0')}\0`, 108);
  b.write(`${(process.getgid?.() ?? 0).toString(8).padStart(7, '0')}\0`, 116);
  b.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  b.write('14000000000\0', 136);
  b.write(type, 156);
  b.write(linkname, 157);
  b.write('ustar\u000000', 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

const pad = (n: number): Buffer => Buffer.alloc((512 - (n % 512)) % 512);

function tar(members: Member[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    if (m.pax) {
      const recs = Object.entries(m.pax).map(([k, v]) => {
        const body = ` ${k}=${v}\n`;
        let len = body.length + 2;
        while (`${len}${body}`.length !== len) len++;
        return `${len}${body}`;
      }).join('');
      parts.push(block('PaxHeaders/x', 'x', recs.length), Buffer.from(recs), pad(recs.length));
    }
    const data = Buffer.from(m.data ?? '');
    parts.push(block(m.name, m.type ?? '0', data.length, m.linkname ?? ''), data, pad(data.length));
  }
  return Buffer.concat([...parts, Buffer.alloc(1024)]);
}

function apply(members: Member[]): { root: string; outside: string; err?: Error } {
  const base = mkdtempSync(`${tmpdir()}/rrun-apply-`);
  const root = `${base}/layer`;
  const outside = `${base}/outside`;
  mkdirSync(root);
  mkdirSync(outside);
  try {
    const a = new LayerApplier(root, { whiteouts: 'overlay', opaqueXattr: 'user.overlay.opaque' });
    const r = new TarReader(a);
    r.write(tar(members));
    r.end();
    a.finish();
    return { root, outside };
  } catch (err) {
    return { root, outside, err: err as Error };
  }
}

test('memberParts: cleaned, absolute names made relative, climbing out refused', () => {
  assert.deepEqual(memberParts('./a/b/'), ['a', 'b']);
  assert.deepEqual(memberParts('/etc/passwd'), ['etc', 'passwd']);
  assert.deepEqual(memberParts('a/../b'), ['b']);
  for (const bad of ['../x', 'a/../../x', '..']) assert.throws(() => memberParts(bad), /leaves the layer/, bad);
});

test('apply: escapes are refused or confined, nothing is written outside', () => {
  const cases: [string, Member[], RegExp | undefined, string][] = [
    ['dot-dot', [{ name: '../outside/x', data: 'bad' }], /leaves the layer/, ''],
    ['absolute', [{ name: '/abs', data: 'ok' }], undefined, 'abs'],
    ['symlink then write', [{ name: 'sl', type: '2', linkname: '../outside' }, { name: 'sl/x', data: 'bad' }], undefined, 'outside/x'],
    ['absolute symlink then write', [{ name: 'sl', type: '2', linkname: '/' }, { name: 'sl/y', data: 'in' }], undefined, 'y'],
    ['hardlink outside', [{ name: 'hl', type: '1', linkname: '../outside/secret' }], /leaves the layer/, ''],
    ['symlink loop', [{ name: 'a', type: '2', linkname: 'b' }, { name: 'b', type: '2', linkname: 'a' }, { name: 'a/z', data: 'x' }], /symbolic links/, ''],
  ];
  for (const [what, members, err, inside] of cases) {
    const r = apply(members);
    if (err) assert.match(String(r.err?.message), err, what);
    else assert.equal(r.err, undefined, what);
    assert.equal(existsSync(`${r.outside}/x`) || existsSync(`${r.outside}/secret`), false, `${what}: wrote outside`);
    if (inside) assert.ok(existsSync(`${r.root}/${inside}`), `${what}: ${inside} confined inside the layer`);
    rmSync(r.root, { recursive: true, force: true });
  }
});

test('apply: whiteouts, opaque dirs, hardlinks, xattrs filtered', (t) => {
  const r = apply([
    { name: 'd/', type: '5' },
    { name: 'd/.wh.gone' },
    { name: 'o/', type: '5' },
    { name: 'o/.wh..wh..opq' },
    { name: 'f', data: 'hello', pax: { 'SCHILY.xattr.user.overlay.impure': 'y', 'SCHILY.xattr.user.keep': 'v' } },
    { name: 'h', type: '1', linkname: 'f' },
    { name: 's', type: '2', linkname: '/etc/passwd' },
  ]);
  if (r.err && /EPERM|EOPNOTSUPP/.test(r.err.message)) {
    // CI (as root) can always do this; a laptop's file system or user may not.
    skipOrFail(t, `a file system and user that can create whiteout devices and user xattrs (${r.err.message})`);
    return;
  }
  assert.equal(r.err, undefined);
  const wh = lstatSync(`${r.root}/d/gone`);
  assert.ok(wh.isCharacterDevice() && wh.rdev === 0, 'whiteout is a 0:0 char device');
  assert.equal(existsSync(`${r.root}/d/.wh.gone`), false);
  assert.equal(lgetxattr(`${r.root}/o`, 'user.overlay.opaque')?.toString(), 'y');
  assert.equal(existsSync(`${r.root}/o/.wh..wh..opq`), false);
  assert.equal(lstatSync(`${r.root}/h`).ino, lstatSync(`${r.root}/f`).ino);
  assert.equal(readFileSync(`${r.root}/f`, 'utf8'), 'hello');
  assert.equal(readlinkSync(`${r.root}/s`), '/etc/passwd', 'absolute symlink targets are kept verbatim');
  assert.equal(lgetxattr(`${r.root}/f`, 'user.overlay.impure'), undefined);
  assert.equal(lgetxattr(`${r.root}/f`, 'user.keep')?.toString(), 'v');
  rmSync(r.root, { recursive: true, force: true });
});
