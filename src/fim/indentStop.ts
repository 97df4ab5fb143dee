/**
 * The indentation stop: a completion ends where a later line is indented less than the cursor
 * (the block the cursor is in has ended). Written once for the worker's generation stops and the
 * server backends' answers, so the same model text gives the same suggestion on every backend.
 *
 * The dedented line AND the line break before it are dropped: the suggestion ends at the end of
 * the block's last line. A dedented line of only closing brackets (the block's `}`) is the block's
 * last line: it is kept and the suggestion ends after it (see indentStopAt). The text after the cursor already continues from there (usually with
 * its own line break), so a kept break would show an empty line that the user did not ask for,
 * and accepting it would push the rest of the file down by one. The time-budget stop also ends
 * at the last complete line without its break.
 */

/**
 * Where `text` ends when a line after the first is indented less than `indent` columns (tabs
 * count one), or undefined when none is (yet): a line is judged once its first visible character
 * is known, blank lines never end the block, and the first line continues the cursor's line.
 */
export function indentStopAt(text: string, indent: number): number | undefined {
  if (indent <= 0) return undefined;
  let start = text.indexOf('\n') + 1;
  while (start > 0 && start <= text.length) {
    const end = text.indexOf('\n', start);
    const line = end < 0 ? text.slice(start) : text.slice(start, end);
    const content = line.trimStart();
    if (content.length > 0 && line.length - content.length < indent) {
      // A line of only closing brackets closes the block the cursor is in: it is kept and the
      // suggestion ends after it. Measured with an oracle model (bench:quality, issue 13), cutting
      // it lost the closing `}` / `});` the user was about to type (394 correct characters of 74
      // wait points); where the file already has it below the cursor, post-processing's
      // trimOverlapWithLinesBelow drops the copy. Judged once the line is complete.
      if (!closesBlock.test(content.trimEnd())) return start - 1;
      if (end < 0) return undefined;
      return end;
    }
    if (end < 0) break;
    start = end + 1;
  }
  return undefined;
}

/** `}`, `)`, `]`, `});`, `],` … : a line that only closes brackets. */
const closesBlock = /^[)\]}]+[;,]?$/;

/** `text` up to the indentation stop (all of it when there is none). */
export function cutAtDedent(text: string, indent: number): string {
  return text.slice(0, indentStopAt(text, indent) ?? text.length);
}
