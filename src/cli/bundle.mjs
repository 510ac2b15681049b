// The CLI bundles (run by `npm run build` after tsc): dist/cli/loader.cjs (what bin/rrun
// requires), dist/cli/main.cjs, the dispatcher, and one self-contained CommonJS file per
// verb module, dist/cli/verbs/<module>.cjs, each with its own error guard. CommonJS because bin/rrun loads them through V8's code cache
// (src/cli/bundle-loader.ts), which Node 20 offers for scripts, not for ES modules; one
// file per verb because loading the ES-module graph of a verb (30 chunks) cost more than
// compiling it.
import { build } from 'esbuild';
import { mkdir, rm, rename, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist', 'src', 'cli');
const { verbs } = await import(pathToFileURL(join(cli, 'verbs.js')).href);
const modules = [...new Set(verbs.map((v) => v.module))].sort();

const verbEntry = (module) => `
import * as verb from ${JSON.stringify(join(cli, 'commands', `${module}.js`))};
import { guard } from ${JSON.stringify(join(cli, 'guard.js'))};
export function main(argv, globals, name) {
  return guard(() => verb.main(argv, globals, name), () => globals.logLevel);
}
`;

/** Entries `verb:<module>` are the generated modules above; `main` is the dispatcher. */
const entries = {
  name: 'rrun-verb-entries',
  setup(b) {
    b.onResolve({ filter: /^verb:/ }, (args) => ({ path: args.path.slice(5), namespace: 'verb' }));
    b.onLoad({ filter: /.*/, namespace: 'verb' }, (args) => ({ contents: verbEntry(args.path), resolveDir: cli, loader: 'js' }));
  },
};

const out = join(root, 'dist', 'cli.new');
await rm(out, { recursive: true, force: true });
const result = await build({
  entryPoints: [
    { in: join(cli, 'bundle-loader.js'), out: 'loader' },
    { in: join(cli, 'main.js'), out: 'main' },
    ...modules.map((m) => ({ in: `verb:${m}`, out: `verbs/${m}` })),
  ],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outdir: out,
  outExtension: { '.js': '.cjs' },
  // undici is loaded as a package at run time (only by the verbs that talk to registries).
  external: ['koffi', 'undici'],
  // cmd-ts's colours and parser tracing, replaced by src/cli/shims/ (see there).
  alias: { chalk: join(cli, 'shims', 'chalk.js'), debug: join(cli, 'shims', 'debug.js') },
  // import() becomes require(): a script run from the code cache has no ES-module loader.
  supported: { 'dynamic-import': false },
  // import.meta.url (package root, koffi's path) from the bundle's own file name.
  define: { 'import.meta.url': '__rrunMetaUrl' },
  banner: { js: "const __rrunMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [entries],
  logLevel: 'warning',
  // Pure ASCII output: V8 keeps a source with a single other character as a two-byte
  // string (twice the memory, slower to read and hash on every start). esbuild escapes
  // strings, regular expressions and identifiers; comments it keeps as they are, so their
  // few non-ASCII characters are escaped below.
  charset: 'ascii',
  write: false,
});
for (const file of result.outputFiles) {
  await mkdir(dirname(file.path), { recursive: true });
  await writeFile(file.path, file.text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
await rm(join(root, 'dist', 'cli'), { recursive: true, force: true });
await rename(out, join(root, 'dist', 'cli'));
