// --format differential acceptance: for a table of Go templates, rrun prints what podman
// 4.3 prints on the same store (stdout, stderr and exit code). The store is shared with
// other tests, so list outputs are compared on the rows of the fixture images only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureMissingReason, hasFixture, podman, requirePrereq, rrun } from '../lib/testbed.js';

const fixtures = ['localhost/busybox:latest', 'docker.io/library/debian:bookworm', 'localhost/rrun-fixture-layers:latest'];

/** Rows that name a fixture image, with tabwriter spacing collapsed (widths depend on all rows). */
function fixtureRows(text: string, table: boolean): string[] {
  const repos = fixtures.map((f) => f.slice(0, f.lastIndexOf(':')));
  const lines = text.split('\n').filter((l, i) => (table && i === 0) || repos.some((r) => l.includes(r)));
  return (table ? lines.map((l) => l.replace(/ {2,}/g, '  ').trimEnd()) : lines).sort();
}

const imageTemplates = [
  '{{.Repository}} {{.Tag}} {{.ID}} {{.Digest}} {{.Size}} {{.CreatedAt}}',
  '{{.Repository}}\\t{{.Tag}}\\t{{.Names}}\\t{{.History}}\\t{{.Labels}}\\t{{.Dangling}}\\t{{.ReadOnly}}',
  '{{.Repository}}|{{.VirtualSize}}|{{.SharedSize}}|{{.ParentId}}|{{.RepoDigests}}|{{.RepoTags}}',
  '{{.Repository}} {{json .Labels}} {{json .Names}} {{len .Names}} {{index .Names 0}}',
  '{{.Repository}} {{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}',
  '{{.Repository}} {{upper .Tag}} {{lower .Repository}} {{title .Tag}} {{truncate .ID 4}} {{pad .Tag 1 1}}|{{join .Names ","}} {{split .Repository "/"}}',
  '{{.Repository}} {{if eq .Tag "latest"}}L{{else}}T{{end}} {{with .Digest}}{{printf "%.12s" .}}{{end}} {{printf "%-12s|%5d|%q|%v" .Tag 7 .Tag .Dangling}}',
  '{{- .Repository -}} {{- " " -}} {{.ID}}\\n',
  '{{.Repository}} {{.}}',
  'table {{.Repository}} {{.Tag}} {{.ID}}',
  'table {{.ID}}\\t{{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.Size}}\\t{{.Names}}\\t{{.Containers}}\\t{{.Labels}}\\t{{.ReadOnly}}\\t{{.VirtualSize}}\\t{{.ParentId}}\\t{{.RepoDigests}}',
  'table {{.Repository}}\\t{{.Size}}\\t',
  'table {{upper .Repository}}|{{printf "%s|%d" .Tag 3}}',
];

test('images --format templates print what podman prints', async (t) => {
  for (const ref of fixtures) if (!requirePrereq(t, hasFixture(ref), fixtureMissingReason(ref))) return;
  for (const format of imageTemplates) {
    const [mine, theirs] = [await rrun(['images', '--format', format]), await podman(['images', '--format', format])];
    assert.equal(mine.code, theirs.code, `${format}: ${mine.stderr}`);
    const table = format.startsWith('table ');
    assert.deepEqual(fixtureRows(mine.stdout, table), fixtureRows(theirs.stdout, table), format);
  }
});

const inspectTemplates = [
  '{{.ID}}', '{{.Id}}', '{{.Digest}} {{.RepoTags}} {{.RepoDigests}}', '{{.Config.Cmd}} {{json .Config}} {{.Config.Labels}}',
  '{{.Created}} {{.Architecture}} {{.Os}} {{.Size}} {{.VirtualSize}}', '{{json .RootFS}} {{.RootFS.Type}} {{len .RootFS.Layers}}',
  '{{.GraphDriver.Name}}', '{{range .History}}{{.CreatedBy}}|{{.Created}}|{{.EmptyLayer}};{{end}}', '{{.History}}',
  '{{.Config.Volumes}}|{{.Config.ExposedPorts}}|{{.Annotations}}|{{.Labels}}|{{.Comment}}|{{.Parent}}|{{.Version}}|{{.Author}}',
  '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{end}}', '{{index .Config.Env 0}}', '{{json .}}', 'json',
  '{{range .}}{{.ID}}{{end}}',
];

test('image inspect --format templates print what podman prints', async (t) => {
  for (const ref of fixtures) if (!requirePrereq(t, hasFixture(ref), fixtureMissingReason(ref))) return;
  for (const format of inspectTemplates) {
    for (const image of fixtures) {
      const [mine, theirs] = [await rrun(['image', 'inspect', '--format', format, image]), await podman(['image', 'inspect', '--format', format, image])];
      assert.equal(mine.stdout, theirs.stdout, `${format} ${image}`);
      assert.equal(mine.code, theirs.code, `${format}: ${mine.stderr}`);
    }
  }
});

const errorCases: { argv: string[] }[] = [
  { argv: ['images', '--format', '{{.Nope}}'] },
  { argv: ['images', '--format', 'table {{.ID}} {{.Nope}}'] },
  { argv: ['images', '--format', '{{nope .ID}}'] },
  { argv: ['images', '--format', '{{.ID}} {{.Nope'] },
  { argv: ['images', '--format', '{{if .ID}}'] },
  { argv: ['images', '--format', '{{.Tag.Foo}}'] },
  { argv: ['images', '--format', '{{index .Names 5}}'] },
  { argv: ['images', '--format', '{{eq 1 "a"}}'] },
  { argv: ['image', 'inspect', '--format', '{{.Nope}}', 'localhost/busybox'] },
  { argv: ['image', 'inspect', '--format', '{{.Config.Nope}}', 'localhost/busybox'] },
  { argv: ['image', 'inspect', '--format', '{{.RootFS.Nope}}', 'localhost/busybox'] },
  { argv: ['image', 'inspect', '--format', '{{json .Id}}', 'localhost/busybox'] },
  { argv: ['info', '--format', '{{.Nope}}'] },
  { argv: ['version', '--format', '{{.Nope}}'] },
  { argv: ['version', '--format', '{{.Client.Version}}'] },
];

test('template errors: podman message on stderr and exit code 125 (and version\'s fallback)', async (t) => {
  if (!requirePrereq(t, hasFixture(fixtures[0] as string), fixtureMissingReason(fixtures[0] as string))) return;
  for (const { argv } of errorCases) {
    const [mine, theirs] = [await rrun(argv), await podman(argv)];
    assert.equal(mine.code, theirs.code, argv.join(' '));
    // `version --format {{.Client.Version}}` is podman's one non-error here.
    assert.equal(mine.code, argv.includes('{{.Client.Version}}') ? 0 : 125, argv.join(' '));
    const errLine = (s: string): string => s.split('\n').find((l) => l.startsWith('Error: ')) ?? s;
    assert.equal(errLine(mine.stderr), errLine(theirs.stderr), argv.join(' '));
  }
});

test('container inspect and ps --format over an rrun container', async (t) => {
  if (!requirePrereq(t, hasFixture(fixtures[0] as string), fixtureMissingReason(fixtures[0] as string))) return;
  const name = `rrun-fmt-${process.pid}`;
  const created = await rrun(['create', '--name', name, 'localhost/busybox:latest', 'sleep', '10']);
  assert.equal(created.code, 0, created.stderr);
  try {
    const id = created.stdout.trim();
    const doc = JSON.parse((await rrun(['inspect', name])).stdout) as [{ Id: string; Name: string; State: { Status: string }; Config: { Cmd: string[] } }];
    const r = await rrun(['inspect', '--format', '{{.ID}}|{{.Id}}|{{.Name}}|{{.State.Status}}|{{.Config.Cmd}}|{{json .Config.Cmd}}|{{.Mounts}}', name]);
    assert.equal(r.stdout, `${id}|${doc[0].Id}|${doc[0].Name}|${doc[0].State.Status}|[sleep 10]|["sleep","10"]|[]\n`);
    const bad = await rrun(['inspect', '--format', '{{.State.Nope}}', name]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /can't evaluate field Nope in type \*define\.InspectContainerState/);
    const ps = await rrun(['ps', '-a', '--format', 'table {{.ID}}\t{{.Names}}\t{{.Command}}\t{{.Namespaces}}']);
    const [head] = ps.stdout.split('\n');
    assert.match(head ?? '', /^CONTAINER ID\s+NAMES\s+COMMAND\s+NAMESPACES$/);
    assert.ok(ps.stdout.includes(`${id.slice(0, 12)}  ${name}`), ps.stdout);
    assert.ok(ps.stdout.includes('sleep 10'), ps.stdout);
    const psBad = await rrun(['ps', '-a', '--format', '{{.Nope}}']);
    assert.equal(psBad.code, 125);
    assert.match(psBad.stderr, /^Error: template: ps:1:13: executing "ps" at <\.Nope>: can't evaluate field Nope in type containers\.psReporter$/m);
  } finally {
    await rrun(['rm', '-f', name]);
  }
});

test('image exists / container exists: exit codes as podman', async (t) => {
  if (!requirePrereq(t, hasFixture(fixtures[0] as string), fixtureMissingReason(fixtures[0] as string))) return;
  for (const argv of [['image', 'exists', 'localhost/busybox'], ['image', 'exists', 'busybox'], ['image', 'exists', 'rrun-fmt-none'], ['image', 'exists'], ['container', 'exists', 'rrun-fmt-none']]) {
    const [mine, theirs] = [await rrun(argv), await podman(argv)];
    assert.equal(mine.code, theirs.code, argv.join(' '));
    assert.equal(mine.stdout, '', argv.join(' '));
  }
  const name = `rrun-fmt-exists-${process.pid}`;
  assert.equal((await rrun(['create', '--name', name, 'localhost/busybox:latest', 'true'])).code, 0);
  try {
    assert.equal((await rrun(['container', 'exists', name])).code, 0);
  } finally {
    await rrun(['rm', '-f', name]);
  }
});
