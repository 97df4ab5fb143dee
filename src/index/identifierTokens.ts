/**
 * Identifier-aware tokens for the lexical index: `parseHTTPResponse2` is found by "parse", "http",
 * "response", "2" and by the whole name, `max_retry_count` by "max", "retry", "count". Questions
 * are written in words, code in identifiers: splitting lets the one meet the other, keeping the
 * whole name keeps an exact identifier the strongest match (it is rarer than its parts).
 */

/** Words this short carry no meaning in a query and bloat the index. */
const minLength = 2;

/** English glue words of questions and comments; code keywords stay (idf weighs them down). */
const stopWords: ReadonlySet<string> = new Set(['the', 'an', 'of', 'to', 'and', 'or', 'is', 'in', 'on', 'at', 'by', 'be', 'as', 'it', 'its', 'are', 'was', 'with', 'that', 'this', 'which', 'from', 'for', 'into', 'than', 'then', 'if', 'not', 'no', 'can', 'will', 'when', 'where', 'how', 'what', 'does', 'do', 'has', 'have', 'my', 'we', 'our', 'you', 'your']);

/** Words: runs of letters, digits, `_` and `$` (identifiers in most languages). */
const wordPattern = /[\p{L}\p{N}_$]+/gu;

/** Where splitIdentifier would cut: a case change, `_`, `$`, or letters beside digits. */
const cuttable = /[\p{Ll}\p{N}]\p{Lu}|\p{Lu}\p{Lu}\p{Ll}|[_$]|\p{L}\p{N}|\p{N}\p{L}/u;

/** `fooBarBAZQux_9x` → foo, bar, baz, qux, 9, x: case changes, underscores, `$` and digit runs cut. */
export function splitIdentifier(word: string): string[] {
  return word
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .replace(/(\p{L})(\p{N})/gu, '$1 $2')
    .replace(/(\p{N})(\p{L})/gu, '$1 $2')
    .split(/[\s_$]+/u)
    .filter((p) => p.length > 0);
}

/** Lower-cased tokens of code or of a question: each word whole, then its parts when it has several. */
export function tokenizeCode(text: string): string[] {
  const out: string[] = [];
  const keep = (t: string) => {
    if (t.length >= minLength && !stopWords.has(t)) out.push(t);
  };
  for (const match of text.matchAll(wordPattern)) {
    const word = match[0];
    keep(word.toLowerCase());
    // Most words are one plain word: the splitting regexes run only where a cut can be.
    if (!cuttable.test(word)) continue;
    const parts = splitIdentifier(word);
    if (parts.length > 1) for (const p of parts) keep(p.toLowerCase());
  }
  return out;
}
