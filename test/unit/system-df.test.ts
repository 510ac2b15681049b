// system df's summary arithmetic (podman 4.3: per-tag image entries, reclaimable = the
// unused ones, the share rounded) and go-units' compact sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reclaimableText, summarizeDf, type DiskUsage, type ImageUsage } from '../../src/api/system-df.js';
import { compactSize } from '../../src/cli/output.js';

const image = (id: string, size: number, containers: number): ImageUsage =>
  ({ Repository: '<none>', Tag: '<none>', ImageID: id, Created: 0, Size: size, SharedSize: 0, UniqueSize: size, Containers: containers });

test('compactSize is go-units HumanSize', () => {
  const table: [number, string][] = [
    [0, '0B'], [147, '147B'], [999, '999B'], [1000, '1kB'], [5012, '5.012kB'], [3000, '3kB'],
    [2_142_000, '2.142MB'], [8_582_512, '8.583MB'], [15_020_000, '15.02MB'], [602_345_678, '602.3MB'], [1_500_000_000, '1.5GB'],
  ];
  for (const [n, want] of table) assert.equal(compactSize(n), want, String(n));
});

test('the summary counts every tag, reclaims what nothing uses, rounds the share', () => {
  const du: DiskUsage = {
    Images: [image('a', 2_142_000, 1), image('a', 2_142_000, 1), image('b', 2_149_000, 0), image('c', 2_149_147, 1)],
    Containers: [
      { ContainerID: 'x', Image: 'a', Command: [], LocalVolumes: 0, RWSize: 5012, Created: 0, Status: 'exited', Names: 'x' },
      { ContainerID: 'y', Image: 'c', Command: [], LocalVolumes: 1, RWSize: 100, Created: 0, Status: 'running', Names: 'y' },
    ],
    Volumes: [{ VolumeName: 'v', Links: 1, Size: 3000 }, { VolumeName: 'w', Links: 0, Size: 0 }],
  };
  const [images, containers, volumes] = summarizeDf(du);
  assert.deepEqual(images, { Type: 'Images', Total: 4, Active: 3, RawSize: 8_582_147, RawReclaimable: 2_149_000 });
  assert.equal(reclaimableText(images!, compactSize), '2.149MB (25%)');
  assert.deepEqual(containers, { Type: 'Containers', Total: 2, Active: 1, RawSize: 5112, RawReclaimable: 5012 });
  assert.equal(reclaimableText(containers!, compactSize), '5.012kB (98%)');
  assert.deepEqual(volumes, { Type: 'Local Volumes', Total: 2, Active: 1, RawSize: 3000, RawReclaimable: 0 });
  assert.equal(reclaimableText({ ...volumes!, RawSize: 0 }, compactSize), '0B (0%)');
});
