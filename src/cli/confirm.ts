// podman's "Are you sure you want to continue? [y/N]" prompts: one line read from stdin,
// TTY or not. podman 4.3's prune verbs fail with "EOF" when stdin ends before a line.
import { createInterface } from 'node:readline';
import { RrunError } from '../../oci/errors.js';

/** Writes the question and resolves to the answer line, or undefined at end of input. */
export async function askLine(question: string): Promise<string | undefined> {
  process.stdout.write(question);
  const rl = createInterface({ input: process.stdin });
  const line = await new Promise<string | undefined>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(undefined));
  });
  rl.close();
  return line;
}

/** A prune verb's confirmation: true for y/Y…, false for anything else, podman's EOF error at end of input. */
export async function confirmPrune(warning: string): Promise<boolean> {
  const answer = await askLine(`${warning}\nAre you sure you want to continue? [y/N] `);
  if (answer === undefined) {
    throw new RrunError({ code: 'ERR_EOF', message: 'EOF', hint: 'answer y on stdin, or pass --force (-f) to skip the question', exitCode: 125 });
  }
  return /^y/i.test(answer.trim());
}
