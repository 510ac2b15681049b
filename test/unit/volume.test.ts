// -v and --mount decoding for named/anonymous volumes, and the image's VOLUMEs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVolume } from '../../src/runtime/volumes.js';
import { parseMount } from '../../src/volumes/mount-flag.js';
import { imageVolumes, volumeMetadata } from '../../src/volumes/attach.js';

test('-v: binds, named and anonymous volumes, options', () => {
  assert.deepEqual(parseVolume('/h:/c:ro'), { source: '/h', destination: '/c', readonly: true });
  assert.deepEqual(parseVolume('data:/c:U,z'), { source: '', destination: '/c', readonly: false, chown: true, volume: { name: 'data', anonymous: false } });
  assert.deepEqual(parseVolume('/anon'), { source: '', destination: '/anon', readonly: false, volume: { name: '', anonymous: true } });
  assert.throws(() => parseVolume('a/b:/x'), /creating named volume "a\/b": running volume create option: names must match/);
  assert.throws(() => parseVolume('v:rel'), /invalid container path "rel", must be an absolute path/);
  assert.throws(() => parseVolume('v:/x:Q'), /invalid option type "Q"/);
});

test('--mount: podman keys and aliases', () => {
  assert.deepEqual(parseMount('type=volume,src=v,dst=/x,ro'), { volume: { source: '', destination: '/x', readonly: true, volume: { name: 'v', anonymous: false } } });
  assert.deepEqual(parseMount('type=volume,target=/x'), { volume: { source: '', destination: '/x', readonly: false, volume: { name: '', anonymous: true } } });
  assert.deepEqual(parseMount('type=bind,source=/h,destination=/x'), { volume: { source: '/h', destination: '/x', readonly: false } });
  assert.deepEqual(parseMount('type=tmpfs,dst=/t,tmpfs-size=1m'), { tmpfs: { destination: '/t', options: ['size=1m'] } });
  assert.throws(() => parseMount('type=bogus,dst=/x'), /invalid filesystem type "bogus"/);
});

test('image VOLUMEs not covered by a mount become anonymous volumes; metadata lists volumes', () => {
  const got = imageVolumes([{ source: '/h', destination: '/data/', readonly: false }], [{ destination: '/tmp' }], { '/data': {}, '/tmp': {}, '/var/lib/x': {} });
  assert.deepEqual(got.map((v) => v.destination), ['/var/lib/x']);
  assert.deepEqual(volumeMetadata([...got, { source: '/h', destination: '/y', readonly: false }]), { 'rrun-volumes': [{ name: '', anonymous: true }] });
});
