// The config TOML cache: the same table from the cache as from the parser, one entry per
// content, nothing kept for tables JSON cannot carry or for syntax errors, and a damaged
// entry only costs a parse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { parseTomlCached } from '../../storage/toml.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'rrun-toml-'));
  try {
    fn(join(dir, 'cache'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const conf = `# comment\n[engine]\nruntime = "runc"\nenv = ["A=1", "B=2"]\n[network]\ndefault_rootless_network_cmd = "pasta"\n[engine.x]\nn = 3\nf = 1.5\nok = true\n`;

test('a parsed table comes back from the cache unchanged, one entry per content', () => {
  withDir((dir) => {
    const first = parseTomlCached(conf, dir);
    assert.deepEqual(first, parse(conf));
    assert.equal(readdirSync(dir).length, 1);
    const again = parseTomlCached(conf, dir);
    assert.deepEqual(again, first);
    assert.notEqual(again, first, 'the second table was read from the cache, not returned from memory');
    parseTomlCached(`${conf}\n[extra]\n`, dir);
    assert.equal(readdirSync(dir).length, 2);
  });
});

test('dates and inf/nan are not cached; syntax errors are thrown every time', () => {
  withDir((dir) => {
    const dated = parseTomlCached('when = 1979-05-27T07:32:00Z\n', dir);
    assert.ok(dated['when'] instanceof Date);
    assert.ok(parseTomlCached('x = inf\n', dir)['x'] === Infinity);
    assert.equal(existsSync(dir) ? readdirSync(dir).length : 0, 0, 'nothing cached');
    for (let i = 0; i < 2; i++) assert.throws(() => parseTomlCached('[engine\nx = 1\n', dir));
  });
});

test('a damaged cache entry is parsed again and replaced', () => {
  withDir((dir) => {
    parseTomlCached(conf, dir);
    const [entry] = readdirSync(dir);
    writeFileSync(join(dir, entry ?? ''), '{"engine": ');
    assert.deepEqual(parseTomlCached(conf, dir), parse(conf));
    assert.deepEqual(parseTomlCached(conf, dir), parse(conf));
  });
});
