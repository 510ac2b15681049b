export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`rrun: not yet implemented: ${argv.join(' ')}\n`);
  return 125;
}
