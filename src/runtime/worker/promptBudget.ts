/**
 * Prompt sizes from this machine's measured prompt speed.
 *
 * Two costs decide how long a suggestion takes on slow hardware: the whole prompt, evaluated after
 * the cursor jumps or another file opens, and (for prefix-suffix-middle formats without a typed
 * middle, fimLayout.ts) the suffix, evaluated again on every keystroke because it comes after the
 * prefix that the keystroke changed.
 * A fixed 1,536-token prefix that a GPU evaluates in 0.3 s takes 15 s on two laptop cores, so
 * the budgets here are in milliseconds and turned into tokens with the rate measured while
 * evaluating prompts.
 *
 * The sizes move in coarse tiers with hysteresis: a new size changes which text the prompt starts
 * with, which costs one full evaluation, so it must not flap with the noise of a shared machine.
 */

/** Whole-prompt sizes, in tokens: each about √2 from the next. */
const TIERS = [256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288, 16384];
/** The suffix re-evaluated on each keystroke gets this share of the whole-prompt budget's time. */
const SUFFIX_SHARE = 1 / 16;
const MIN_SUFFIX_TOKENS = 32;
const MIN_PREFIX_TOKENS = 128;
/** Of what the suffix leaves, the prefix (the code being written) takes this share. */
const PREFIX_SHARE = 0.75;
/** A measured step shorter than this says more about overhead than about speed. */
const MIN_STEP_TOKENS = 16;

export interface TokenCaps {
  maxPrefixTokens: number;
  maxSuffixTokens: number;
  maxExtraTokens: number;
}

/** The prompt-evaluation speed of this context, as an exponential moving average. */
export class PromptRate {
  private tokensPerMs: number | undefined;

  observe(tokens: number, ms: number): void {
    if (tokens < MIN_STEP_TOKENS || ms <= 0) return;
    const rate = tokens / ms;
    this.tokensPerMs = this.tokensPerMs === undefined ? rate : 0.7 * this.tokensPerMs + 0.3 * rate;
  }

  /** Tokens a second; undefined until something was measured. */
  get tokensPerSecond(): number | undefined {
    return this.tokensPerMs === undefined ? undefined : this.tokensPerMs * 1000;
  }
}

export class PromptBudget {
  private tier: number | undefined;

  constructor(private readonly rate: PromptRate) {}

  /**
   * The requested caps, lowered so that evaluating the whole prompt takes about `budgetMs` and
   * the suffix about `budgetMs / 16`. `suffixStays`: a keystroke does not evaluate the suffix
   * again (it sits before the prefix, Codestral, or before a typed middle), so it may take up to
   * a quarter of the whole prompt, as llama.vscode's default windows (256 lines before, 64 after). `budgetMs` 0 or no measurement yet:
   * the requested caps.
   */
  caps(requested: TokenCaps, budgetMs: number, suffixStays: boolean): TokenCaps {
    const perSecond = this.rate.tokensPerSecond;
    if (!budgetMs || budgetMs <= 0 || perSecond === undefined) return requested;
    const total = this.tierFor((perSecond * budgetMs) / 1000);
    const suffixTime = suffixStays ? total : roundDown16((perSecond * budgetMs * SUFFIX_SHARE) / 1000);
    const suffix = Math.min(requested.maxSuffixTokens, Math.max(MIN_SUFFIX_TOKENS, suffixTime), Math.floor(total / 4));
    const rest = Math.max(0, total - suffix);
    const prefix = Math.min(requested.maxPrefixTokens, Math.max(MIN_PREFIX_TOKENS, Math.round(rest * PREFIX_SHARE)));
    const extra = Math.min(requested.maxExtraTokens, Math.max(0, rest - prefix));
    return { maxPrefixTokens: prefix, maxSuffixTokens: suffix, maxExtraTokens: extra };
  }

  /** The tier for `tokens`, kept while `tokens` stays within 0.8× of it and 1.25× of the next. */
  private tierFor(tokens: number): number {
    const current = this.tier;
    if (current !== undefined) {
      const next = TIERS[TIERS.indexOf(current) + 1] ?? Infinity;
      if (tokens >= current * 0.8 && tokens < next * 1.25) return current;
    }
    let tier = TIERS[0];
    for (const t of TIERS) if (t <= tokens) tier = t;
    this.tier = tier;
    return tier;
  }
}

function roundDown16(n: number): number {
  return Math.floor(n / 16) * 16;
}
