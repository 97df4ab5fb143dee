/**
 * The likelihood table: per prompt variant, the truth's mean log-probability per character and
 * what Sovereign's suggestions were worth, as JSON figures and as Markdown.
 */
import { likelihoodVariants, type CaseScore, type LikelihoodVariant } from './likelihood';

export interface VariantSummary {
  cases: number;
  /** Σ log p ÷ Σ forced characters (nats a character; 0 is perfect) */
  log_prob_per_char: number;
  /** the same in bits, positive: −log₂ p a character */
  bits_per_char: number;
  /** forced tokens that were the model's first choice ÷ forced tokens */
  top_token_share: number;
  mean_prompt_tokens: number;
  mean_prefix_tokens: number;
  mean_suffix_tokens: number;
  mean_extra_tokens: number;
  /** Sovereign's variants: its greedy suggestion through the real pipeline */
  suggestions?: {
    shown_share: number;
    exact_line_share: number;
    exact_lines_share: number;
    /** Σ accepted characters ÷ Σ truth characters */
    accepted_char_share: number;
    accepted_chars: number;
    stops: Record<string, number>;
  };
}

const r = (x: number, digits = 4) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export function likelihoodSummary(scores: readonly CaseScore[]): Record<LikelihoodVariant, VariantSummary> {
  const out = {} as Record<LikelihoodVariant, VariantSummary>;
  for (const v of likelihoodVariants) {
    const ps = scores.map((s) => s.prompts[v]);
    const chars = scores.reduce((a, s) => a + s.forcedChars, 0);
    const logProb = ps.reduce((a, p) => a + p.logProb, 0);
    const tokens = ps.reduce((a, p) => a + p.truthTokens, 0);
    const summary: VariantSummary = {
      cases: scores.length,
      log_prob_per_char: r(logProb / chars),
      bits_per_char: r(-logProb / chars / Math.LN2),
      top_token_share: r(ps.reduce((a, p) => a + p.topTokens, 0) / tokens, 3),
      mean_prompt_tokens: r(mean(ps.map((p) => p.promptTokens)), 1),
      mean_prefix_tokens: r(mean(ps.map((p) => p.prefixTokens)), 1),
      mean_suffix_tokens: r(mean(ps.map((p) => p.suffixTokens)), 1),
      mean_extra_tokens: r(mean(ps.map((p) => p.extraTokens)), 1),
    };
    if (v !== 'llama_vscode') {
      const ss = scores.map((s) => s.suggestions[v]);
      const accepted = ss.reduce((a, s) => a + s.acceptedChars, 0);
      const stops: Record<string, number> = {};
      for (const s of ss) stops[s.stop] = (stops[s.stop] ?? 0) + 1;
      summary.suggestions = {
        shown_share: r(ss.filter((s) => s.shown !== '').length / ss.length, 3),
        exact_line_share: r(ss.filter((s) => s.exactLine).length / ss.length, 3),
        exact_lines_share: r(ss.filter((s) => s.exactLines).length / ss.length, 3),
        accepted_char_share: r(accepted / scores.reduce((a, s) => a + s.truthChars, 0), 3),
        accepted_chars: accepted,
        stops,
      };
    }
    out[v] = summary;
  }
  return out;
}

export interface LikelihoodResults {
  warning: string;
  random_weights: boolean;
  command: string;
  date: string;
  machine: Record<string, unknown>;
  versions: Record<string, string | undefined>;
  model: Record<string, unknown>;
  summary: Record<LikelihoodVariant, VariantSummary>;
  [key: string]: unknown;
}

const label: Record<LikelihoodVariant, string> = {
  llama_vscode: "llama.vscode's prompt (llama-server /infill)",
  sovereign_equal: "Sovereign's prompt, the peer's bounds",
  sovereign_defaults: "Sovereign's prompt, its defaults",
  sovereign_extra: "Sovereign's prompt, its defaults + extra context",
};

export function likelihoodMarkdown(res: LikelihoodResults): string {
  const s = res.summary;
  const row = (v: LikelihoodVariant) => {
    const x = s[v];
    const g = x.suggestions;
    const sug = g ? `${g.shown_share} | ${g.exact_line_share} | ${g.exact_lines_share} | ${g.accepted_char_share}` : '— | — | — | —';
    return `| ${label[v]} | ${x.log_prob_per_char} | ${x.bits_per_char} | ${x.top_token_share} | ${x.mean_prompt_tokens} (${x.mean_prefix_tokens} + ${x.mean_suffix_tokens} + ${x.mean_extra_tokens}) | ${sug} |`;
  };
  return [
    '# Likelihood of the truth',
    '',
    `> **${res.warning}**`,
    '',
    `\`${res.command}\` — ${res.date}`,
    '',
    `Model: ${String(res.model.file)} (${String(res.model.name ?? '?')}, FIM family ${String(res.model.fim)}); ${String(res.machine.description)}; ` +
      `node-llama-cpp ${res.versions['node-llama-cpp']}, node ${res.versions.node}. Cases: ${s.llama_vscode.cases} wait points.`,
    '',
    '| prompt | log p / char (nats) | bits / char | top-1 tokens | prompt tokens (prefix + suffix + extra) | shown | exact line | exact lines | accepted chars |',
    '|---|---|---|---|---|---|---|---|---|',
    ...likelihoodVariants.map(row),
    '',
    '- log p / char: Σ log-probability of the text typed next, teacher-forced token by token after the prompt, ÷ its characters (closer to 0 is better). Bits / char = −log₂ of the same.',
    '- top-1 tokens: share of the forced tokens that were the model\'s most probable next token.',
    '- shown … accepted chars: Sovereign\'s greedy suggestion through its real pipeline (worker FimCompleter stops + CompletionPipeline post-processing), scored against the truth; accepted = all of it when the truth starts with it, else the correct words before the first wrong character. Not measured for the peer (needs llama-server).',
    '- equal context: Sovereign\'s layout with the peer\'s line windows and token bounds, no prompt budget; defaults: the package.json defaults, the prompt budget lowering the bounds at this machine\'s measured prompt speed; + extra context: the ring holding a 64-line chunk from the top of each other file of the run (as opening them offers), within the same budget. Prompt tokens = the whole prompt; prefix, suffix and extra = the text of each that it kept.',
    '',
  ].join('\n');
}
