import type { Totals } from './score';
import { ratios } from './score';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function totalsRow(label: string, t: Totals): string {
  const r = ratios(t);
  return `| ${label} | ${t.points} | ${t.shown} | ${t.correct} / ${t.available} (${pct(r.fidelity)}) | ${t.wrong} | ${t.accepted} (${pct(r.acceptedShare)}) | ${pct(r.exactLineShare)} | ${pct(r.exactBlockShare)} | ${t.blankShown} / ${t.blankPoints} |`;
}

export const totalsHeader =
  '| | wait points | shown | correct chars shown / available | wrong chars shown | accepted chars | exact next line | exact next block | shown where nothing was typed |\n|---|---|---|---|---|---|---|---|---|';

export interface RuleRow {
  name: string;
  where: string;
  /** per variant: Δ correct, Δ wrong (without the rule − with it) */
  deltas: Record<string, { correct: number; wrong: number; accepted: number }>;
}

export function ruleTable(rows: readonly RuleRow[], variants: readonly string[]): string {
  const head = `| rule (turned off) | where | ${variants.map((v) => `${v}: Δcorrect / Δwrong / Δaccepted`).join(' | ')} |`;
  const sep = `|---|---|${variants.map(() => '---').join('|')}|`;
  const sign = (n: number) => (n > 0 ? `+${n}` : `${n}`);
  const body = rows.map((r) => `| ${r.name} | ${r.where} | ${variants.map((v) => `${sign(r.deltas[v].correct)} / ${sign(r.deltas[v].wrong)} / ${sign(r.deltas[v].accepted)}`).join(' | ')} |`);
  return [head, sep, ...body].join('\n');
}
