/**
 * What an @workspace question asks the codebase index for: the mention itself, the words searched
 * (the question and the conversation's recent questions), and the identifiers looked up with the
 * language's symbol provider. Pure: the page, the host and the unit tests share it.
 */

const mentionPattern = /(^|\s)@workspace(?![\w-])/gi;

/** The message asks about the codebase: `@workspace` as a word of its own, anywhere. */
export function mentionsWorkspace(text: string): boolean {
  mentionPattern.lastIndex = 0;
  return mentionPattern.test(text);
}

/** The question without its `@workspace` mentions (what is searched for and what the model reads). */
export function withoutMention(text: string): string {
  return text.replace(mentionPattern, '$1').replace(/[ \t]{2,}/g, ' ').trim();
}

/** How many earlier questions of the conversation join the search: "and where is it called?" needs the one before. */
export const recentTurns = 2;

/** The words searched: the question first, then the conversation's last questions (newest first). */
export function retrievalQuery(question: string, earlierQuestions: readonly string[]): string {
  const recent = earlierQuestions.slice(-recentTurns).reverse().map(withoutMention);
  return [withoutMention(question), ...recent].filter(Boolean).join('\n');
}

/** At most this many identifiers are looked up per question: each asks every language's symbol provider. */
export const maxIdentifiers = 3;

/**
 * Words of the question that look like code names, in the order they appear: `camelCase`,
 * `PascalCase` with an inner capital, `snake_case`, `SCREAMING_CASE`, `$scoped`, or a word written
 * as a call (`total()`) or in backticks. Plain English words (`Where`, `index`) are not.
 */
export function identifiersIn(question: string, limit = maxIdentifiers): string[] {
  const found: string[] = [];
  const add = (word: string) => {
    const name = word.replace(/^[.$]+|[.]+$/g, '');
    if (name.length >= 3 && /^[A-Za-z_$][\w$]*$/.test(name) && !found.includes(name)) found.push(name);
  };
  for (const m of withoutMention(question).matchAll(/`([^`\n]+)`|[A-Za-z_$][\w$]*(\(\))?/g)) {
    if (m[1] !== undefined) {
      // `Foo.bar(x)` in backticks: the called name is what is defined somewhere, else the last name.
      const called = [...m[1].matchAll(/([A-Za-z_$][\w$]*)\s*\(/g)].at(-1)?.[1];
      const names = (m[1].match(/[A-Za-z_$][\w$]*/g) ?? []).filter((n) => !/^(?:new|await|return|const|let|var|function|class|def)$/.test(n));
      const name = called ?? names.at(-1);
      if (name) add(name);
      continue;
    }
    const word = m[0].replace(/\(\)$/, '');
    if (m[2] || looksLikeCode(word)) add(word);
  }
  return found.slice(0, limit);
}

function looksLikeCode(word: string): boolean {
  if (/_/.test(word.replace(/^_+|_+$/g, ''))) return true; // snake_case, SCREAMING_CASE
  if (/^[a-z$][a-z\d$]*[A-Z]/.test(word)) return true; // camelCase
  return /^[A-Z][a-z\d]+[A-Z]/.test(word); // PascalCase with an inner capital: `WorkspaceIndexer`, not `Where`
}
