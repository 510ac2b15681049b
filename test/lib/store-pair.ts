// Twin stores for differential tests of verbs that change or measure the whole store
// (prune, system df, rmi -a): podman builds one small template store from the busybox
// fixture (a dangling chain, an image with intermediates and two names on busybox),
// and each test gets two byte-identical copies of it, one that rrun works on and one
// that podman works on. The shared store is never pruned.
import { writeFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { assertOk } from './proc.js';
import { rmScratch, userScratchDir } from './scratch.js';
import { hasFixture, podman, rrun, runAs, testBed, type RunOptions, type RunResult } from './testbed.js';

export type Tool = 'rrun' | 'podman';
export const TOOLS: readonly Tool[] = ['rrun', 'podman'];

export interface Template {
  dir: string;
  root: string;
}

/** One tool bound to one store. */
export type StoreRun = (args: string[], opts?: RunOptions) => Promise<RunResult>;

const CONTAINERFILE = (label: string, file: string): string =>
  `FROM localhost/busybox:latest\nLABEL a=${label}\nRUN echo ${file} > /f\n`;

/**
 * The template: busybox (also tagged localhost/alias:1), localhost/two (built with two
 * intermediate images, labels a=2 and b=x) and a dangling chain from an untagged build
 * (labels a=1). podman's database is dropped, so the copies start with no containers.
 */
export async function makeTemplate(): Promise<Template> {
  const bed = testBed();
  const dir = userScratchDir(bed, 'rrun-twins-');
  const root = `${dir}/root`;
  const p = (args: string[]): Promise<RunResult> => podman(['--root', root, '--runroot', `${dir}/run`, ...args]);
  const checked = async (what: string, r: Promise<RunResult>): Promise<void> => void assertOk(what, [what], await r);
  await checked('save busybox', podman(['save', '-q', '-o', `${dir}/busybox.tar`, 'localhost/busybox:latest']));
  await checked('load busybox', p(['load', '-q', '-i', `${dir}/busybox.tar`]));
  for (const [tag, label, file, extra] of [['one', '1', 'hi', []], ['two', '2', 'ho', ['--label', 'b=x']]] as const) {
    await checked(`mkdir ${tag}`, runAs(['mkdir', `${dir}/${tag}`]));
    writeFileSync(`${dir}/${tag}/Containerfile`, CONTAINERFILE(label, file));
    await checked(`build ${tag}`, p(['build', '-q', '--network', 'none', ...extra, '-t', `localhost/${tag}`, `${dir}/${tag}`]));
  }
  await checked('untag one', p(['untag', 'localhost/one']));
  await checked('tag alias', p(['tag', 'localhost/busybox:latest', 'localhost/alias:1']));
  await checked('drop db', runAs(['rm', '-f', `${root}/libpod/bolt_state.db`]));
  return { dir, root };
}

/** The global options that select `tool`'s copy `name`; `runner` names whose runroot it is. */
export function storeArgs(t: Template, name: string, tool: Tool, runner: Tool = tool): string[] {
  return ['--root', `${t.dir}/${name}-${tool}`, '--runroot', `${t.dir}/${name}-${tool}-${runner}-run`];
}

/** A copy of the template for each tool; returns the tools bound to their copies. */
export async function twinStores(t: Template, name: string): Promise<Record<Tool, StoreRun>> {
  const out = {} as Record<Tool, StoreRun>;
  for (const tool of TOOLS) {
    const root = `${t.dir}/${name}-${tool}`;
    assertOk('copy store', ['cp'], await runAs(['podman', 'unshare', 'cp', '-a', '--reflink=auto', t.root, root]));
    const args = storeArgs(t, name, tool);
    out[tool] = (a, opts) => (tool === 'rrun' ? rrun([...args, ...a], opts) : podman([...args, ...a], opts));
  }
  return out;
}

/** Removes every container of the twin stores, then the whole scratch directory. */
export async function removeTemplate(t: Template, twins: readonly Record<Tool, StoreRun>[]): Promise<void> {
  for (const pair of twins) {
    await pair.podman(['rm', '-a', '-f', '-t', '0']);
    await pair.rrun(['rm', '-a', '-f', '-t', '0']);
  }
  // podman's shm mounts live in its rootless mount namespace.
  await runAs(['podman', 'unshare', 'sh', '-c', `grep -o '${t.dir}/[^ ]*' /proc/self/mountinfo | sort -r | xargs -r umount -l`]);
  await runAs(['podman', 'unshare', 'rm', '-rf', t.dir]);
  await rmScratch(testBed(), t.dir);
}

export interface TwinSuite {
  /** The template store, once made (undefined while `fixture` is missing). */
  readonly template: Template | undefined;
  /** Two fresh copies of the template, removed with it after the file's tests. */
  pair(name: string): Promise<Record<Tool, StoreRun>>;
}

/** For a test file: the template made before its tests (when `fixture` exists) and removed after them. */
export function twinStoreSuite(fixture: string): TwinSuite {
  let template: Template | undefined;
  const twins: Record<Tool, StoreRun>[] = [];
  before(async () => {
    if (hasFixture(fixture)) template = await makeTemplate();
  });
  after(async () => {
    if (template !== undefined) await removeTemplate(template, twins);
  });
  return {
    get template() {
      return template;
    },
    async pair(name) {
      const p = await twinStores(template as Template, name);
      twins.push(p);
      return p;
    },
  };
}
