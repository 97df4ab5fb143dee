/**
 * How an attachment's size is worded, for the chip, its tooltip (webview contextBar.ts) and the
 * note below the answer (prepareChat.ts): one wording over one report, so a file shows one number
 * everywhere. Imported by the webview bundle too: no `vscode`, no Node.
 */
import type { ContextChip } from './messages';

type Sized = Pick<ContextChip, 'label' | 'tokens' | 'sentTokens' | 'state' | 'note'>;

const number = (n: number) => Math.round(n).toLocaleString('en-US');

/** "1,552 of 2,507": what of an attachment is sent. A huge file cut before counting has no total to claim (its size is in its note). */
export function sentOf(a: Pick<Sized, 'tokens' | 'sentTokens' | 'note'>, approx = ''): string {
  return a.note ? `${approx}${number(a.sentTokens)}` : `${approx}${number(a.sentTokens)} of ${number(a.tokens)}`;
}

/** The chip's count. `approx` is "≈" while the counts are estimates. */
export function chipCount(a: Sized, approx = ''): string {
  switch (a.state) {
    case 'whole':
      return `${approx}${number(a.tokens)} tokens`;
    case 'trimmed':
      return `trimmed to ${sentOf(a, approx)} tokens`;
    case 'dropped':
      return `left out (${approx}${number(a.tokens)} tokens do not fit)`;
    case 'excluded':
      return 'not sent';
  }
}

/** The note shown with the answer (and in the chip's tooltip) for an attachment not sent whole; undefined when sent whole. */
export function attachmentNote(a: Sized, approx = ''): string | undefined {
  if (a.state === 'trimmed') return `${a.label} was trimmed to its first ${sentOf(a, approx)} tokens to fit the context window.`;
  if (a.state === 'dropped') return `${a.label} (${approx}${number(a.tokens)} tokens) was left out: the context window is full.`;
  return undefined;
}
