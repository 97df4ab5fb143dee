import { indentStopAt } from '../../fim/indentStop';

/**
 * Decides, from the text generated so far, whether a completion should end and what of it to
 * keep. Pure, so each rule is unit-tested without a model.
 */
export interface StopRules {
  /** Stop at the first line break. */
  singleLine: boolean;
  /** A completed line indented less than this (in characters) ends the block; 0 = off. */
  indent: number;
  /** Once generation has run this long, stop at the next line break; 0 = off. */
  timeBudgetMs: number;
}

export type StopReason = 'singleLine' | 'indent' | 'timeBudget';

export interface StopDecision {
  reason: StopReason;
  /** The text to keep. */
  text: string;
}

export function checkStop(text: string, rules: StopRules, elapsedMs: number): StopDecision | undefined {
  const firstBreak = text.indexOf('\n');
  if (firstBreak < 0) return undefined;
  if (rules.singleLine) return { reason: 'singleLine', text: text.slice(0, firstBreak) };
  const blockEnd = indentStopAt(text, rules.indent);
  if (blockEnd !== undefined) return { reason: 'indent', text: text.slice(0, blockEnd) };
  if (rules.timeBudgetMs > 0 && elapsedMs >= rules.timeBudgetMs) {
    return { reason: 'timeBudget', text: text.slice(0, text.lastIndexOf('\n')) };
  }
  return undefined;
}
