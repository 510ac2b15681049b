// Go's text/tabwriter as podman configures it (minwidth 12, tabwidth 2, padding 2,
// pad with spaces, no flags), over the whole text a table template printed.
//
// Unlike a fixed grid, tabwriter aligns a column only across a *block* of consecutive
// lines that all have a tab-terminated cell in that column; the text after a line's
// last tab is not part of any column. That is why `table {{.ID}}\t{{.Size}}\t` pads
// the SIZE cell while `table {{.ID}}\t{{.Size}}` does not.

export interface TabOptions {
  minWidth: number;
  padding: number;
}

const podmanTabs: TabOptions = { minWidth: 12, padding: 2 };

type Line = string[];

const width = (cell: string): number => [...cell].length;

class Formatter {
  private out = '';
  private readonly widths: number[] = [];

  constructor(
    private readonly lines: readonly Line[],
    private readonly opts: TabOptions,
  ) {}

  run(): string {
    this.format(0, this.lines.length);
    return this.out;
  }

  /** Lay out lines [line0, line1) whose columns before `widths.length` are fixed. */
  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    for (let row = line0; row < line1; row++) {
      if (column >= (this.lines[row] as Line).length - 1) continue;
      // A block of lines with a cell in this column starts here.
      this.write(line0, row);
      line0 = row;
      let w = this.opts.minWidth;
      for (; row < line1; row++) {
        const line = this.lines[row] as Line;
        if (column >= line.length - 1) break;
        w = Math.max(w, width(line[column] as string) + this.opts.padding);
      }
      this.widths.push(w);
      this.format(line0, row);
      this.widths.pop();
      line0 = row;
    }
    this.write(line0, line1);
  }

  private write(line0: number, line1: number): void {
    for (let row = line0; row < line1; row++) {
      const line = this.lines[row] as Line;
      line.forEach((cell, j) => {
        this.out += cell;
        const w = this.widths[j];
        if (j < line.length - 1 && w !== undefined) this.out += ' '.repeat(Math.max(0, w - width(cell)));
      });
      if (row < this.lines.length - 1) this.out += '\n';
    }
  }
}

/** Align `text` like a Go tabwriter that is written `text` and flushed. */
export function tabwrite(text: string, opts: TabOptions = podmanTabs): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  return new Formatter(lines, opts).run();
}
