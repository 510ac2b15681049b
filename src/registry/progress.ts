// Pull/push progress on stderr. On a terminal: one line per blob plus a total, redrawn
// in place at most every 100 ms. Otherwise: podman's milestone lines ("Copying blob
// <short digest> done"), one per blob. Quiet: nothing. Commands choose; this only draws.
import type { Writable } from 'node:stream';

export type ProgressMode = 'tty' | 'plain' | 'quiet';

interface Bar {
  label: string;
  total: number;
  done: number;
  state: string;
}

export function progressMode(quiet: boolean, stream: { isTTY?: boolean } = process.stderr, env = process.env): ProgressMode {
  if (quiet) return 'quiet';
  return stream.isTTY === true && env['TERM'] !== 'dumb' && !env['CI'] ? 'tty' : 'plain';
}

function size(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)}${units[u] as string}`;
}

export class Progress {
  private readonly bars = new Map<string, Bar>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly out: Writable, readonly mode: ProgressMode) {}

  /** A line such as "Trying to pull …" (not in quiet mode). */
  line(text: string): void {
    if (this.mode === 'quiet') return;
    this.clear();
    this.out.write(`${text}\n`);
    this.draw();
  }

  add(key: string, label: string, total: number): void {
    this.bars.set(key, { label, total, done: 0, state: 'waiting' });
    this.schedule();
  }

  advance(key: string, n: number): void {
    const b = this.bars.get(key);
    if (b === undefined) return;
    b.done += n;
    b.state = 'copying';
    this.schedule();
  }

  finish(key: string, state = 'done'): void {
    const b = this.bars.get(key);
    if (b === undefined) return;
    b.state = state;
    if (this.mode === 'plain') this.out.write(`${b.label} ${state}\n`);
    this.schedule();
  }

  end(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.mode === 'tty') {
      this.clear();
      this.draw();
    }
  }

  private schedule(): void {
    if (this.mode !== 'tty' || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.clear();
      this.draw();
    }, 100);
    this.timer.unref();
  }

  private clear(): void {
    if (this.mode !== 'tty' || this.drawn === 0) return;
    this.out.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }

  private draw(): void {
    if (this.mode !== 'tty' || this.bars.size === 0) return;
    const width = 30;
    const lines: string[] = [];
    let total = 0;
    let done = 0;
    for (const b of this.bars.values()) {
      total += b.total;
      done += Math.min(b.done, b.total);
      const frac = b.total > 0 ? Math.min(b.done / b.total, 1) : 1;
      const bar = '='.repeat(Math.round(frac * width)).padEnd(width);
      lines.push(`${b.label} [${bar}] ${size(Math.min(b.done, b.total))} / ${size(b.total)} ${b.state === 'copying' ? '' : b.state}`);
    }
    lines.push(`Total ${size(done)} / ${size(total)}`);
    this.out.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }
}
