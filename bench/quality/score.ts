/**
 * What a user would see and keep at a wait point, scored against what they really typed next.
 * Pure. A suggestion is inserted at the cursor; one that replaces the line's indentation
 * (Sovereign on a whitespace-only line) is scored against that indentation + the truth, and the
 * retyped indentation counts as neither correct nor wrong.
 */
export interface Shown {
  text?: string;
  replaceIndent?: boolean;
}

export interface PointScore {
  /** correct characters available: the truth without trailing whitespace */
  available: number;
  shown: boolean;
  /** characters shown that match the truth from the start */
  correct: number;
  /** characters shown past the first mismatch */
  wrong: number;
  /** the suggestion is exactly the next line (the truth up to the end of its first line with text) */
  exactLine: boolean;
  /** the suggestion is exactly the truth (the rest of what the user typed here) */
  exactBlock: boolean;
  /** characters a user keeps: all when the suggestion is right, else the correct whole words */
  accepted: number;
}

const isWord = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$]/.test(c);

/** The truth up to the end of its first line that has text (the line break before it included). */
export function nextLine(truth: string): string {
  const start = truth.search(/\S/);
  if (start < 0) return '';
  const end = truth.indexOf('\n', start);
  return end < 0 ? truth : truth.slice(0, end);
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

export function scorePoint(shown: Shown, truth: string, linePrefix: string): PointScore {
  const available = truth.trimEnd().length;
  const text = shown.text ?? '';
  const none = { available, shown: false, correct: 0, wrong: 0, exactLine: false, exactBlock: false, accepted: 0 };
  if (!text) return none;
  const indent = shown.replaceIndent ? /^[ \t]*/.exec(linePrefix)![0] : '';
  const target = indent + truth;
  const common = commonPrefix(text, target);
  const correct = Math.max(0, common - indent.length);
  const wrong = text.length - common;
  const clean = text.trimEnd();
  const line = nextLine(target).trimEnd();
  let accepted: number;
  if (common === text.length) accepted = correct;
  else {
    let p = common;
    while (p > 0 && isWord(text[p - 1]) && isWord(text[p])) p--;
    accepted = Math.max(0, p - indent.length);
  }
  return {
    available,
    shown: true,
    correct,
    wrong,
    exactLine: line.trim() !== '' && clean === line,
    exactBlock: target.trimEnd().trim() !== '' && clean === target.trimEnd(),
    accepted,
  };
}

export interface Totals {
  points: number;
  shown: number;
  available: number;
  correct: number;
  wrong: number;
  accepted: number;
  exactLine: number;
  exactBlock: number;
  /** wait points whose truth is only whitespace (nothing should be shown) and how many showed something */
  blankPoints: number;
  blankShown: number;
}

export function total(scores: readonly PointScore[]): Totals {
  const t: Totals = { points: scores.length, shown: 0, available: 0, correct: 0, wrong: 0, accepted: 0, exactLine: 0, exactBlock: 0, blankPoints: 0, blankShown: 0 };
  for (const s of scores) {
    t.shown += s.shown ? 1 : 0;
    t.available += s.available;
    t.correct += s.correct;
    t.wrong += s.wrong;
    t.accepted += s.accepted;
    t.exactLine += s.exactLine ? 1 : 0;
    t.exactBlock += s.exactBlock ? 1 : 0;
    if (s.available === 0) {
      t.blankPoints++;
      t.blankShown += s.shown ? 1 : 0;
    }
  }
  return t;
}

/** The headline ratios of a total (fidelity = correct shown ÷ correct available). */
export function ratios(t: Totals): { fidelity: number; wrongPerAvailable: number; acceptedShare: number; exactLineShare: number; exactBlockShare: number } {
  const r = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : 0);
  const withText = t.points - t.blankPoints;
  return {
    fidelity: r(t.correct, t.available),
    wrongPerAvailable: r(t.wrong, t.available),
    acceptedShare: r(t.accepted, t.available),
    exactLineShare: r(t.exactLine, withText),
    exactBlockShare: r(t.exactBlock, withText),
  };
}
