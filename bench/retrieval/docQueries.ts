/**
 * Queries derived mechanically from code: each JSDoc block (`/** … *\/`) directly above a
 * function gives one query, its description (the text before the first `@tag`), and one answer,
 * the chunk that holds the function's first line. The comment is blanked in the indexed text
 * (spaces, line breaks kept, so line numbers hold): the ranking must find the function from
 * its code, as it would for a question a person writes. Descriptions that are identical (aliases)
 * are dropped: they have no single answer.
 */
import { declaredNames } from '../../src/index/declaredNames';
import { tokenizeCode } from '../../src/index/identifierTokens';
import type { CorpusFile } from './corpus';

export interface DocQuery {
  query: string;
  path: string;
  /** 1-based line of the function's declaration. */
  line: number;
  name: string;
}

/** Fewer meaningful words than this is no question ("Module dependencies."). */
const minQueryTokens = 3;
const callable = /\bfunction\b|=>|^\s*(?:async\s+)?[\w$]+\s*\([^)]*\)\s*\{\s*$/;

export function docQueries(files: readonly CorpusFile[]): { queries: DocQuery[]; indexed: CorpusFile[] } {
  const queries: DocQuery[] = [];
  const indexed: CorpusFile[] = [];
  for (const file of files) {
    let text = file.text;
    for (const m of file.text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
      const end = m.index + m[0].length;
      const rest = file.text.slice(end);
      const next = /^[ \t]*\r?\n?(?:[ \t]*\r?\n)?([^\n]*)/.exec(rest);
      const declaration = next?.[1] ?? '';
      const names = declaredNames(declaration);
      if (names.length === 0 || !callable.test(declaration)) continue;
      const description = descriptionOf(m[1]);
      if (tokenizeCode(description).length < minQueryTokens) continue;
      const line = file.text.slice(0, end + rest.indexOf(declaration)).split('\n').length;
      queries.push({ query: description, path: file.path, line, name: names[names.length - 1] });
      text = text.slice(0, m.index) + m[0].replace(/[^\n]/g, ' ') + text.slice(end);
    }
    indexed.push({ path: file.path, text });
  }
  const count = new Map<string, number>();
  for (const q of queries) count.set(q.query, (count.get(q.query) ?? 0) + 1);
  return { queries: queries.filter((q) => count.get(q.query) === 1), indexed };
}

function descriptionOf(body: string): string {
  const lines: string[] = [];
  for (const raw of body.split('\n')) {
    const line = raw.replace(/^\s*\*?\s?/, '').trim();
    if (line.startsWith('@')) break;
    lines.push(line);
  }
  return lines.join(' ').replace(/\s+/g, ' ').trim();
}
