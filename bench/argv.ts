/**
 * The benches' command lines, read one flag at a time: `--flag`, `--flag value`, `--flag N` and
 * `--files a b c` (values up to the next flag). One reader, so each bench lists only its flags.
 */
export class ArgvReader {
  private i = -1;

  constructor(private readonly argv: readonly string[]) {}

  /** The next flag, or undefined at the end. */
  next(): string | undefined {
    return this.argv[++this.i];
  }

  /** The value after the current flag. */
  value(): string {
    const flag = this.argv[this.i];
    const v = this.argv[++this.i];
    if (v === undefined) throw new Error(`${flag} needs a value`);
    return v;
  }

  /** The number after the current flag. */
  number(): number {
    const flag = this.argv[this.i];
    const v = Number(this.argv[++this.i]);
    if (!Number.isFinite(v)) throw new Error(`${flag} needs a number`);
    return v;
  }

  /** The values after the current flag, up to the next flag. */
  list(): string[] {
    const out: string[] = [];
    while (this.i + 1 < this.argv.length && !this.argv[this.i + 1].startsWith('--')) out.push(this.argv[++this.i]);
    return out;
  }
}
