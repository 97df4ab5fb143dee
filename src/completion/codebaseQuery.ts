/**
 * What "the code around the cursor" asks of the codebase index and of the definition provider:
 * the identifiers used on the lines near the cursor, nearest lines first. Free of `vscode`.
 */
import type { LineSource } from './completionWindow';

export interface IdentifierAt {
  name: string;
  /** 0-based, where it occurs (a definition provider is asked there). */
  line: number;
  character: number;
}

/** Words of the languages themselves: their definitions are nowhere in the workspace. */
const keywords: ReadonlySet<string> = new Set(
  (
    'abstract and any as assert async await bool boolean break byte case catch char class const constructor continue def default defer del delete do double elif else enum except export extends extern false final finally float fn for from func function get global go if impl implements import in instanceof int interface is lambda let long loop match mod module mut namespace new nil none not null number object of or package pass private protected pub public raise readonly return self set short static string struct super switch symbol this throw throws trait true try type typeof undefined union unsafe use var void volatile where while with yield'
  ).split(' '),
);

/** Shorter names (`i`, `x`, `ok`) are locals: a lookup would find nothing worth sending. */
const minNameLength = 3;
/** A line longer than this (minified code) is read only up to here. */
const maxLineChars = 400;
const identifier = /[A-Za-z_$][\w$]*/g;

/**
 * Identifiers on the lines within `radius` of `line`, nearest line first (the cursor's line, then
 * the one above, the one below, …), each name once, at most `max`. Text in strings and comments
 * counts too: a name in a comment often names the helper about to be called.
 */
export function identifiersNear(doc: LineSource, line: number, radius: number, max: number): IdentifierAt[] {
  const out: IdentifierAt[] = [];
  const seen = new Set<string>();
  for (let d = 0; d <= radius && out.length < max; d++) {
    for (const l of d === 0 ? [line] : [line - d, line + d]) {
      if (l < 0 || l >= doc.lineCount) continue;
      const text = doc.lineAt(l).slice(0, maxLineChars);
      for (const m of text.matchAll(identifier)) {
        const name = m[0];
        if (name.length < minNameLength || keywords.has(name.toLowerCase()) || /^\d/.test(name) || seen.has(name)) continue;
        seen.add(name);
        out.push({ name, line: l, character: m.index ?? 0 });
        if (out.length >= max) return out;
      }
    }
  }
  return out;
}

/** The search query for those identifiers: their names, the index splits and weighs them. */
export function queryOf(names: readonly IdentifierAt[]): string {
  return names.map((n) => n.name).join(' ');
}
