// /etc/subuid parsing, podman's mapping, newuidmap/newgidmap argv and the runner (host faked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRrunError } from '../../oci/errors.js';
import { formatIdMap, mappedCount, parseSubIds, podmanIdMap } from '../../helpers/subid.js';
import {
  idmapTools, mapToolError, mappingFacts, newgidmapArgv, newuidmapArgv, singleMapping, subidMapping, writeSingleIdMap,
  type IdmapHost,
} from '../../helpers/idmap.js';

const alice = { name: 'alice', id: 1001 };

test('parseSubIds: names, numeric ids, several ranges sorted, junk ignored', () => {
  const cases: [string, string, { start: number; count: number }[]][] = [
    ['one line', 'alice:100000:65536\n', [{ start: 100000, count: 65536 }]],
    ['numeric uid', '1001:200000:1000\n', [{ start: 200000, count: 1000 }]],
    ['other users', 'bob:100000:65536\nalicex:1:2\n', []],
    ['sorted by start', 'alice:300000:10\nbob:1:1\n1001:200000:5\nalice:100000:65536', [
      { start: 100000, count: 65536 }, { start: 200000, count: 5 }, { start: 300000, count: 10 }]],
    ['comments, blanks, malformed, zero count', '# x\n\n  alice:5:6  \nalice:x:1\nalice:1\nalice:7:0\nalice:1:2:3\n', [{ start: 5, count: 6 }]],
    ['empty file', '', []],
  ];
  for (const [name, text, want] of cases) assert.deepEqual(parseSubIds(text, alice), want, name);
});

test("podmanIdMap: 0 → the user's id, then every range back to back from 1", () => {
  const cases: [string, { start: number; count: number }[], [number, number, number][]][] = [
    ['single range', [{ start: 100000, count: 65536 }], [[0, 1001, 1], [1, 100000, 65536]]],
    ['two ranges, unsorted input', [{ start: 300000, count: 10 }, { start: 100000, count: 65536 }],
      [[0, 1001, 1], [1, 100000, 65536], [65537, 300000, 10]]],
    ['no ranges', [], [[0, 1001, 1]]],
  ];
  for (const [name, ranges, want] of cases)
    assert.deepEqual(podmanIdMap(1001, ranges).map((e) => [e.inside, e.outside, e.count]), want, name);
  assert.equal(mappedCount(podmanIdMap(1001, [{ start: 100000, count: 65536 }])), 65537);
});

test('formatIdMap prints what the kernel shows in /proc/PID/uid_map', () => {
  assert.equal(formatIdMap(podmanIdMap(1001, [{ start: 100000, count: 65536 }])),
    '         0       1001          1\n         1     100000      65536\n');
});

test('newuidmap/newgidmap argv', () => {
  const m = podmanIdMap(1001, [{ start: 100000, count: 65536 }, { start: 300000, count: 10 }]);
  assert.deepEqual(newuidmapArgv(77, m), ['newuidmap', '77', '0', '1001', '1', '1', '100000', '65536', '65537', '300000', '10']);
  assert.deepEqual(newgidmapArgv(77, m, '/usr/bin/newgidmap').slice(0, 5), ['/usr/bin/newgidmap', '77', '0', '1001', '1']);
});

test('map tools for the helper: podman\'s ranges, no pid; none for a single-id map', () => {
  const m = { kind: 'subid' as const, uid: podmanIdMap(1001, [{ start: 100000, count: 65536 }]), gid: podmanIdMap(1002, [{ start: 200000, count: 10 }]) };
  assert.deepEqual(idmapTools(m), {
    uid: ['newuidmap', '0', '1001', '1', '1', '100000', '65536'],
    gid: ['newgidmap', '0', '1002', '1', '1', '200000', '10'],
  });
  assert.equal(idmapTools(singleMapping({ name: 'u', uid: 1001, gid: 1001 })), undefined);
  const e = mapToolError(['newgidmap', '42', '0', '1002', '1'], 'exit status 1', 'newgidmap: gid range [1-11) -> [200000-200010) not allowed\n');
  assert.ok(isRrunError(e, 'ERR_IDMAP'));
  assert.equal(e.message, 'newgidmap 42 0 1002 1: exit status 1: newgidmap: gid range [1-11) -> [200000-200010) not allowed');
  assert.match(e.hint ?? '', /cap_setgid.*\/etc\/subgid/);
  assert.match(mapToolError(['newuidmap', '42'], 'exit status 127', 'exec newuidmap: No such file or directory (ENOENT)').hint ?? '', /package "uidmap"/);
});

interface Fake extends IdmapHost {
  writes: [string, string][];
}

function fakeHost(files: Record<string, string>): Fake {
  const writes: [string, string][] = [];
  return {
    writes,
    readFile(path) {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
    writeFile: (path, data) => void writes.push([path, data]),
  };
}

const user = { name: 'alice', uid: 1001, gid: 1002 };

test('subidMapping uses uid for subuid and gid for subgid', () => {
  const host = fakeHost({ '/etc/subuid': 'alice:100000:65536\n', '/etc/subgid': '1002:200000:65536\n' });
  const m = subidMapping(user, host);
  assert.equal(m.kind, 'subid');
  if (m.kind !== 'subid') return;
  assert.deepEqual(m.uid[0], { inside: 0, outside: 1001, count: 1 });
  assert.deepEqual(m.gid[1], { inside: 1, outside: 200000, count: 65536 });
  assert.deepEqual(mappingFacts(m), { uidCount: 65537, gidCount: 65537, setgroupsAllowed: true });
});

test('a missing range names the file, the expected line and the usermod fix', () => {
  const cases: Record<string, string>[] = [{ '/etc/subgid': 'alice:1:2' }, { '/etc/subuid': 'bob:100000:65536\n', '/etc/subgid': '' }];
  for (const files of cases) {
    assert.throws(() => subidMapping(user, fakeHost(files)), (err: unknown) => {
      assert.ok(isRrunError(err, 'ERR_NO_SUBID_RANGE'));
      assert.match(err.message, /\/etc\/subuid/);
      assert.match(err.message, /"alice:100000:65536"/);
      assert.equal(err.hint, 'add ranges with: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 alice');
      return true;
    });
  }
});

test("a range containing the user's own uid is refused (as podman does)", () => {
  const host = fakeHost({ '/etc/subuid': 'alice:1000:65536\n', '/etc/subgid': 'alice:100000:65536\n' });
  assert.throws(() => subidMapping(user, host), (err: unknown) => isRrunError(err, 'ERR_SUBID_OVERLAP'));
});

test('single mapping writes setgroups=deny before gid_map', () => {
  const host = fakeHost({});
  const m = singleMapping(user);
  writeSingleIdMap(9, m, host);
  assert.deepEqual(host.writes, [['/proc/9/setgroups', 'deny'], ['/proc/9/uid_map', '0 1001 1\n'], ['/proc/9/gid_map', '0 1002 1\n']]);
  assert.deepEqual(mappingFacts(m), { uidCount: 1, gidCount: 1, setgroupsAllowed: false });
});
