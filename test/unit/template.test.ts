// The Go template engine, table-driven. Expected values were taken from podman 4.3
// (Go 1.19) where a podman command can show them, otherwise from Go's documented rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeTemplate } from '../../src/format/report.js';
import { goStruct, GoTime, type GoValue } from '../../src/format/values.js';

const inner = goStruct('*define.State', { Status: 'running', Running: true, Pid: 42 });
const data = goStruct(
  'images.imageReporter',
  {
    Repository: 'localhost/busybox',
    Tag: 'latest',
    Names: ['localhost/busybox:latest', 'b:1'],
    Empty: [] as string[],
    Labels: { b: '2', a: '1', 'x.y': 'z' },
    NoLabels: {},
    Containers: 4,
    Size: 2141396,
    Dangling: false,
    Ratio: 0.5,
    Nil: null,
    State: inner,
    Created: GoTime.parse('2026-11-22T09:51:54.290147532Z') ?? null,
    Mixed: { n: 1, s: 'x' },
  },
  { methods: { ID: () => 'fb3f55be839f', Greet: (...a: GoValue[]) => `hi ${a.join(',')}` } },
);

type Case = [template: string, want: string];

const cases: Case[] = [
  // text and trim markers
  ['plain text', 'plain text'],
  ['a {{- " b " -}} c', 'a b c'],
  ['a  {{- .Tag}}', 'alatest'],
  ['{{.Tag -}}  \n  x', 'latestx'],
  ['{{- .Tag -}}', 'latest'],
  ['x {{/* comment */}} y', 'x  y'],
  ['x {{- /* comment */ -}} y', 'xy'],
  ['{{-3}}', '-3'],
  ['{{ .Tag }}', 'latest'],
  // fields, methods, nesting
  ['{{.Repository}}:{{.Tag}}', 'localhost/busybox:latest'],
  ['{{.ID}}', 'fb3f55be839f'],
  ['{{.Greet "a" "b"}}', 'hi a,b'],
  ['{{.State.Status}}', 'running'],
  ['{{.State}}', '{running true 42}'],
  ['{{printf "%v" .State}}', '&{running true 42}'],
  ['{{printf "%+v" .State}}', '&{Status:running Running:true Pid:42}'],
  ['{{.Labels.a}}', '1'],
  ['{{.Labels.nope}}', '<no value>'],
  ['{{.Labels.nope.deeper}}', '<no value>'],
  ['{{.Nil}}', '<nil>'],
  ['{{.Labels}}', 'map[a:1 b:2 x.y:z]'],
  ['{{.NoLabels}}', 'map[]'],
  ['{{.Names}}', '[localhost/busybox:latest b:1]'],
  ['{{.Empty}}', '[]'],
  ['{{.Created}}', '2026-11-22 09:51:54.290147532 +0000 UTC'],
  ['{{.Created.Unix}}', '1795341114'],
  ['{{.}}'.replace('{{.}}', '{{.Dangling}} {{.Containers}} {{.Ratio}}'), 'false 4 0.5'],
  // constants
  ['{{"a\\tb"}}', 'a\tb'],
  ['{{`raw\\n`}}', 'raw\\n'],
  ['{{0x1F}} {{0o17}} {{0b101}} {{1_000}}', '31 15 5 1000'],
  ["{{'a'}}", '97'],
  ['{{1e-5}} {{0.1}} {{1e21}} {{2.50}}', '1e-05 0.1 1e+21 2.5'],
  ['{{true}} {{false}}', 'true false'],
  ['{{"\\u00e9"}}', 'é'],
  // variables
  ['{{$x := 5}}{{$x}}', '5'],
  ['{{$x := 5}}{{$x = 6}}{{$x}}', '6'],
  ['{{$.Tag}}', 'latest'],
  ['{{with .State}}{{$.Tag}}/{{.Status}}{{end}}', 'latest/running'],
  ['{{$s := .State}}{{$s.Pid}}', '42'],
  // if / else / with
  ['{{if .Dangling}}y{{else}}n{{end}}', 'n'],
  ['{{if .Tag}}y{{end}}', 'y'],
  ['{{if .Empty}}y{{else if .Names}}names{{else}}n{{end}}', 'names'],
  ['{{if .Nil}}y{{else}}nil is false{{end}}', 'nil is false'],
  ['{{if .NoLabels}}y{{else}}empty map is false{{end}}', 'empty map is false'],
  ['{{if .Labels.nope}}y{{else}}missing is false{{end}}', 'missing is false'],
  ['{{if 0}}y{{else}}0{{end}} {{if 0.0}}y{{else}}0.0{{end}} {{if ""}}y{{else}}""{{end}}', '0 0.0 ""'],
  ['{{with .Tag}}<{{.}}>{{else}}none{{end}}', '<latest>'],
  ['{{with .Empty}}x{{else}}none{{end}}', 'none'],
  ['{{if eq .Tag "latest" "x"}}yes{{end}}', 'yes'],
  // range
  ['{{range .Names}}<{{.}}>{{end}}', '<localhost/busybox:latest><b:1>'],
  ['{{range $i, $n := .Names}}{{$i}}={{$n}};{{end}}', '0=localhost/busybox:latest;1=b:1;'],
  ['{{range $n := .Names}}{{$n}} {{end}}', 'localhost/busybox:latest b:1 '],
  ['{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}', 'a=1;b=2;x.y=z;'],
  ['{{range .Labels}}{{.}}{{end}}', '12z'],
  ['{{range .Empty}}x{{else}}empty{{end}}', 'empty'],
  ['{{range .Nil}}x{{else}}nil{{end}}', 'nil'],
  ['{{range .Labels.nope}}x{{end}}.', '.'],
  ['{{range .Names}}{{if eq . "b:1"}}{{break}}{{end}}{{.}};{{end}}', 'localhost/busybox:latest;'],
  ['{{range .Names}}{{if eq . "localhost/busybox:latest"}}{{continue}}{{end}}{{.}}{{end}}', 'b:1'],
  ['{{range $i, $e := .Names}}{{if $i}}, {{end}}{{$e}}{{end}}', 'localhost/busybox:latest, b:1'],
  // pipelines and parentheses
  ['{{.Tag | printf "%s-%s" "x"}}', 'x-latest'],
  ['{{("abc" | len)}}', '3'],
  ['{{.Names | len}}', '2'],
  ['{{(.State).Status}}', 'running'],
  ['{{printf "%d" (len .Names)}}', '2'],
  ['{{.Tag | upper | lower}}', 'latest'],
  // builtins
  ['{{and 1 0 2}} {{and 1 2}} {{or 0 "" "z"}} {{or 0 ""}}', '0 2 z '],
  ['{{not .Dangling}} {{not 1}}', 'true false'],
  ['{{len .Labels}} {{len "héllo"}}', '3 6'],
  ['{{index .Names 1}} {{index .Labels "a"}} {{index .Labels "zz"}}|', 'b:1 1 |'],
  ['{{index .Mixed "zz"}}', '<no value>'],
  ['{{slice "abcdef" 1 3}} {{slice .Names 1}}', 'bc [b:1]'],
  ['{{print "a" 1 2 "b" "c" 3.5 .Dangling}}', 'a1 2bc3.5 false'],
  ['{{println "x" 1}}', 'x 1\n'],
  ['{{html "<a href=\'x\'>&"}}', '&lt;a href=&#39;x&#39;&gt;&amp;'],
  ['{{js "a\'b\\"<>"}}', 'a\\\'b\\"\\u003C\\u003E'],
  ['{{urlquery "a b&c"}}', 'a+b%26c'],
  ['{{eq .Containers 4}} {{ne .Tag "x"}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}', 'true true true true true false'],
  ['{{eq .Nil nil}}', 'true'],
  // printf verbs
  ['{{printf "%s|%d|%v|%q" .Tag .Containers .Names .Tag}}', 'latest|4|[localhost/busybox:latest b:1]|"latest"'],
  ['{{printf "%-10s|" .Tag}}', 'latest    |'],
  ['{{printf "%10s|" .Tag}}', '    latest|'],
  ['{{printf "%5d|%-5d|%05d|%+d" 42 42 42 42}}', '   42|42   |00042|+42'],
  ['{{printf "%x %X %o %b %c %U" 255 255 8 5 65 65}}', 'ff FF 10 101 A U+0041'],
  ['{{printf "%x" "latest"}}', '6c6174657374'],
  ['{{printf "%5.2f|%e|%g|%.3s|%t" 3.14159 1234.5678 0.000001 "abcdef" true}}', ' 3.14|1.234568e+03|1e-06|abc|true'],
  ['{{printf "%T %T %T" .Tag .Containers .Names}}', 'string int []string'],
  ['{{printf "%s" .Containers}}', '%!s(int=4)'],
  ['{{printf "%d" .Tag}}', '%!d(string=latest)'],
  ['{{printf "%d %d"}}', '%!d(MISSING) %!d(MISSING)'],
  ['{{printf "%d" 1 2}}', '1%!(EXTRA int=2)'],
  ['{{printf "%v" .Labels}}', 'map[a:1 b:2 x.y:z]'],
  ['{{printf "%6.2v|%%" 3.14159}}', '   3.1|%'],
  ['{{printf "%#v" .Tag}}', '"latest"'],
  // podman's functions
  ['{{json .Labels}}', '{"a":"1","b":"2","x.y":"z"}'],
  ['{{json .State}}', '{"Status":"running","Running":true,"Pid":42}'],
  ['{{json .Names}} {{json .Nil}} {{json "<&>"}}', '["localhost/busybox:latest","b:1"] null "<&>"'],
  ['{{json .Created}}', '"2026-11-22T09:51:54.290147532Z"'],
  ['{{upper .Tag}} {{lower "ABC"}} {{title "hello world-x"}}', 'LATEST abc Hello World-X'],
  ['{{truncate .Repository 5}}|{{truncate "ab" 5}}', 'local|ab'],
  ['{{pad .Tag 2 3}}|', '  latest   |'],
  ['{{join .Names ", "}}', 'localhost/busybox:latest, b:1'],
  ['{{split "a:b:c" ":"}} {{index (split "a:b" ":") 1}}', '[a b c] b'],
];

for (const [template, want] of cases) {
  test(`template ${JSON.stringify(template)}`, () => {
    assert.equal(executeTemplate('t', template, data), want);
  });
}

const errors: Case[] = [
  ['{{.Nope}}', 'template: t:1:2: executing "t" at <.Nope>: can\'t evaluate field Nope in type images.imageReporter'],
  ['{{.Tag.Foo}}', 'template: t:1:6: executing "t" at <.Tag.Foo>: can\'t evaluate field Foo in type string'],
  ['{{.State.Nope}}', 'template: t:1:8: executing "t" at <.State.Nope>: can\'t evaluate field Nope in type *define.State'],
  ['x\n{{.Nope}}', 'template: t:2:2: executing "t" at <.Nope>: can\'t evaluate field Nope in type images.imageReporter'],
  ['{{index .Names 5}}', 'template: t:1:2: executing "t" at <index .Names 5>: error calling index: index out of range: 5'],
  ['{{eq 1 "a"}}', 'template: t:1:2: executing "t" at <eq 1 "a">: error calling eq: incompatible types for comparison'],
  ['{{lt true false}}', 'template: t:1:2: executing "t" at <lt true false>: error calling lt: invalid type for comparison'],
  ['{{call .ID}}', 'template: t:1:2: executing "t" at <call .ID>: error calling call: non-function of type string'],
  ['{{join .Tag ","}}', 'template: t:1:7: executing "t" at <.Tag>: wrong type for value; expected []string; got string'],
  ['{{upper .Containers}}', 'template: t:1:8: executing "t" at <.Containers>: wrong type for value; expected string; got int'],
  ['{{truncate .Tag "x"}}', 'template: t:1:16: executing "t" at <"x">: expected integer; found "x"'],
  ['{{upper 1 2}}', 'template: t:1:2: executing "t" at <upper 1 2>: wrong number of args for upper: want 1 got 2'],
  ['{{len 3}}', 'template: t:1:2: executing "t" at <len 3>: error calling len: len of type int'],
  ['{{range .Tag}}x{{end}}', 'template: t:1:8: executing "t" at <.Tag>: range can\'t iterate over latest'],
  ['{{.Labels.a 1}}', 'template: t:1:9: executing "t" at <.Labels.a>: a is not a method but has arguments'],
  ['{{"x" 1}}', 'template: t:1:2: executing "t" at <"x" 1>: can\'t give argument to non-function "x"'],
  ['{{nil}}', 'template: t:1:2: executing "t" at <nil>: nil is not a command'],
  ['{{nope .ID}}', 'template: t:1: function "nope" not defined'],
  ['{{.ID}} {{.Nope', 'template: t:1: unclosed action'],
  ['{{.ID}} {{.Nope\n{{end}}', 'template: t:1: bad character U+007B \'{\''],
  ['{{"a}}', 'template: t:1: unterminated quoted string'],
  ['{{end}}', 'template: t:1: unexpected {{end}}'],
  ['{{if .ID}}', 'template: t:1: unexpected EOF'],
  ['{{$x}}', 'template: t:1: undefined variable "$x"'],
  ['{{break}}', 'template: t:1: {{break}} outside {{range}}'],
  ['{{}}', 'template: t:1: missing value for command'],
];

for (const [template, want] of errors) {
  test(`template error ${JSON.stringify(template)}`, () => {
    assert.throws(() => executeTemplate('t', template, data), (err: Error) => {
      assert.equal(err.message, want);
      return true;
    });
  });
}

test('podman wrapping: parse error lines as podman 4.3 reports them', async () => {
  const { renderReport } = await import('../../src/format/report.js');
  const cases: [string, string][] = [
    ['{{if .ID}}', 'template: images:1: unexpected EOF'],
    ['{{if .ID}}\n\nx', 'template: images:3: unexpected EOF'],
    ['\n\n{{if .ID}}x', 'template: images:3: unexpected EOF'],
    ['{{range .}}\n{{if .ID}}x\n{{end}}', 'template: images:3: unexpected EOF'],
    ['a\n{{.ID}}{{end}}', 'template: images:2: unexpected {{end}}'],
    ['a\n\n{{.ID}}\n{{end}}', 'template: images:4: unexpected {{end}}'],
    ['a\n{{nope}}', 'template: images:2: function "nope" not defined'],
    ['a\n\n{{$x}}', 'template: images:3: undefined variable "$x"'],
    ['{{.ID}}\n{{.Nope', 'template: images:2: bad character U+007B \'{\''],
    ['{{.ID}}\n{{.Nope}}', 'template: images:2:2: executing "images" at <.Nope>: can\'t evaluate field Nope in type images.imageReporter'],
  ];
  for (const [format, want] of cases) {
    assert.throws(() => renderReport({ name: 'images', format, list: true }, [data]), (e: Error) => (assert.equal(e.message, want, format), true));
  }
});

test('podman wrapping: table headers, tabs, newline handling', async () => {
  const { renderReport } = await import('../../src/format/report.js');
  const headers = { ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Containers: 'CONTAINERS', Names: 'NAMES' };
  const run = (format: string, noHeading = false): string => renderReport({ name: 'images', format, list: true, headers, noHeading }, [data, data]);
  assert.equal(run('{{.ID}}'), 'fb3f55be839f\nfb3f55be839f\n');
  assert.equal(run('{{.ID}}\\t{{.Tag}}'), 'fb3f55be839f\tlatest\nfb3f55be839f\tlatest\n');
  assert.equal(run('{{.ID}}\\n\\n'), 'fb3f55be839f\n\nfb3f55be839f\n\n');
  assert.equal(run('{{range .}}{{.ID}}{{end}}'), 'fb3f55be839ffb3f55be839f\n');
  assert.equal(run('table'), 'table\ntable\n');
  assert.equal(run('table {{.ID}} {{.Repository}}\\t{{.Tag}}'), 'IMAGE ID      REPOSITORY         TAG\nfb3f55be839f  localhost/busybox  latest\nfb3f55be839f  localhost/busybox  latest\n');
  assert.equal(run('table {{.ID}}', true), 'fb3f55be839f\nfb3f55be839f\n');
  assert.equal(run('table {{.ID}}\\t{{.Tag}}\\t'), 'IMAGE ID      TAG         \nfb3f55be839f  latest      \nfb3f55be839f  latest      \n');
  assert.equal(run('table {{.ID}}  {{.Tag}}|{{ .Tag }}'), 'IMAGE ID                  TAG|TAG\nfb3f55be839f              latest|latest\nfb3f55be839f              latest|latest\n');
  assert.equal(run('table {{upper .Repository}}|{{printf "%-10s|%5d" .Tag .Containers}}'), 'REPOSITORY|TAG       |%!d(string=CONTAINERS)\nLOCALHOST/BUSYBOX|latest    |    4\nLOCALHOST/BUSYBOX|latest    |    4\n');
});
