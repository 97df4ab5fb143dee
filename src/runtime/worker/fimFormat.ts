/**
 * Fill-in-the-middle prompts in tokens. The family is detected from the GGUF vocabulary (its
 * control tokens by their text, src/fim/fimFamilies.ts), never from the file name; the layout
 * is the family's (src/fim/fimLayout.ts), the same one the team server writes as text.
 *
 * What this file adds to the layout:
 * - Control tokens come from the vocabulary; user text (prefix, suffix, paths, chunks, repo name)
 *   is tokenized without special tokens, so a file that contains `<|fim_prefix|>` cannot inject
 *   a control token. BOS first when the model wants one.
 * - Each text piece is tokenized alone (but the file's header, tokenized with the prefix after it,
 *   `afterHeader`): `lead` pieces with SentencePiece's dummy space, the others
 *   without (FimVocabulary.lead/bare). llama.cpp's /infill tokenizes the suffix with the dummy
 *   space (tools/server/server-common.cpp format_prompt_infill), which CodeLlama's reference
 *   (`<SUF>{suf}`) does not: `bareSuffix` families get none.
 * - Budgets: extra chunks are dropped oldest first, the prefix is cut from its start in blocks
 *   of lines (fitPrefix.ts explains why), the suffix is cut from its end. A typed middle
 *   (fimLayout.ts) is text before the cursor too: its tokens come out of the prefix budget.
 * - `stableLength`: the tokens before the first prefix or suffix text (less a header token the
 *   prefix merged into), which typing never changes.
 */
import { fimFamilies, fimStopTexts, fimSuffixFirst, fimTypedMiddle, vocabularySpellings, type FimControl, type FimFamily, type FimFamilySpec } from '../../fim/fimFamilies';
import { fimLayout, type FimPiece, type FimPromptParts, type FimRepoTokens } from '../../fim/fimLayout';
import { fitPrefix } from './fitPrefix';
import { FimVocabulary } from './fimVocabulary';
import type { LlamaModel, Token } from './nodeLlamaCpp';

export interface FimBudget {
  maxPrefixTokens: number;
  maxSuffixTokens: number;
  /** Tokens of the kept chunks, their separators and paths included. */
  maxExtraTokens: number;
}

export interface FimPrompt {
  tokens: Token[];
  /** tokens[0..stableLength) do not depend on prefix/suffix */
  stableLength: number;
  prefixTokens: number;
  suffixTokens: number;
  /** Tokens of the typed middle (after the middle token). */
  middleTokens: number;
  extraTokens: number;
  /** The prefix piece's text (the prefix, and the typed middle where the family joins them) and where its kept part starts. */
  prefixText: string;
  prefixStart: number;
}

export interface FimFormat {
  readonly family: FimFamily;
  /** Token ids that end a completion besides the model's end-of-generation tokens (e.g. <|file_sep|>, <|fim_pad|>, <EOT>). */
  readonly stopTokens: ReadonlySet<Token>;
  readonly suffixFirst: boolean;
  /** Typed text goes after the middle token (`FimPromptParts.middle`); else it ends the prefix. */
  readonly typedMiddle: boolean;
  /**
   * `prefixFloor`: an offset in the prefix piece's text (a line start) above which its cut may not
   * start (see TokenFimFormat.build).
   */
  build(parts: FimPromptParts, budget: FimBudget, prefixFloor?: number): FimPrompt;
}

/** What a token layout needs from a vocabulary (FimVocabulary for a loaded model). */
export interface FimTokenizer {
  /** BOS, when the model wants one first. */
  readonly bos: Token | undefined;
  /** The FIM tokens llama.cpp knows for the model (the `generic` family). */
  readonly infill: { readonly prefix?: Token | null; readonly suffix?: Token | null; readonly middle?: Token | null };
  /** The id of the first text that is exactly one control token. */
  control(...texts: string[]): Token | undefined;
  /** A token by its exact text, control or not. */
  token(text: string): Token | undefined;
  /** User text at the start of a span (dummy space included). */
  lead(text: string): readonly Token[];
  /** User text that continues a span (no dummy space). */
  bare(text: string): readonly Token[];
}

/** The FIM layout of `model`, or undefined when it cannot fill in the middle. */
export function detectFimFormat(model: LlamaModel): FimFormat | undefined {
  return fimFormatOf(new FimVocabulary(model));
}

/** The first family of the table whose tokens `vocab` has. */
export function fimFormatOf(vocab: FimTokenizer): FimFormat | undefined {
  for (const spec of fimFamilies) {
    const found = findTokens(vocab, spec);
    if (found) return new TokenFimFormat(vocab, spec, found);
  }
  return undefined;
}

type TextPiece = FimPiece & { kind: 'text' };

interface FoundTokens {
  controls: Partial<Record<FimControl, Token>>;
  has: FimRepoTokens;
  stops: Token[];
}

function findTokens(v: FimTokenizer, spec: FimFamilySpec): FoundTokens | undefined {
  const byText = (text: string | undefined, find: (text: string) => Token | undefined) =>
    text === undefined ? undefined : vocabularySpellings(spec, text).map(find).find((id) => id !== undefined);
  let controls: Partial<Record<FimControl, Token>>;
  const t = spec.tokens;
  if (t === undefined) {
    const { prefix, suffix, middle } = v.infill;
    if (prefix == null || suffix == null || middle == null) return undefined;
    controls = { prefix, suffix, middle };
  } else {
    const control = (text: string | undefined) => byText(text, (x) => v.control(x));
    const prefix = control(t.prefix);
    const suffix = control(t.suffix);
    const middle = control(t.middle);
    if (prefix === undefined || suffix === undefined || (t.middle !== undefined && middle === undefined)) return undefined;
    const repoName = control(t.repoName);
    const fileSep = control(t.fileSep);
    const repoMissing = (t.repoName !== undefined && repoName === undefined) || (t.fileSep !== undefined && fileSep === undefined);
    if (repoMissing && !spec.repoTokensOptional) return undefined;
    controls = { prefix, suffix, middle, repoName, fileSep };
  }
  // Stop texts found in the vocabulary; the generic family's control tokens have no text here.
  const stops = [
    ...fimStopTexts(spec).map((text) => byText(text, (x) => v.token(x))),
    ...(t === undefined ? [controls.prefix, controls.suffix, controls.middle] : []),
  ];
  return {
    controls,
    has: { fileSep: controls.fileSep !== undefined, repoName: controls.repoName !== undefined },
    stops: stops.filter((id): id is Token => id !== undefined),
  };
}

class TokenFimFormat implements FimFormat {
  readonly family: FimFamily;
  readonly stopTokens: ReadonlySet<Token>;
  readonly suffixFirst: boolean;
  readonly typedMiddle: boolean;

  constructor(
    private readonly vocab: FimTokenizer,
    private readonly spec: FimFamilySpec,
    private readonly found: FoundTokens,
  ) {
    this.family = spec.family;
    this.stopTokens = new Set(found.stops);
    this.suffixFirst = fimSuffixFirst(spec);
    this.typedMiddle = fimTypedMiddle(spec);
  }

  /**
   * `prefixFloor` keeps the prefix's cut from moving up, back to text an earlier prompt dropped:
   * the KV cache can move kept tokens down into place after a cut (planKvReuse.ts) but never make
   * room above them, so a cut that moved up costs the whole prompt after it, evaluated again. The
   * caller passes the previous cut while the prefix text only grew at its end (typing, a
   * speculative request with the shown suggestion typed), when a longer middle had pushed the cut
   * down a block and a shorter one would have brought it back; and wherever the text from that
   * cut on is still whole in the new prefix (fimCompleter.ts prefixFloor).
   */
  build(parts: FimPromptParts, budget: FimBudget, prefixFloor = 0): FimPrompt {
    const pieces = this.layoutWithin(parts, Math.max(0, Math.floor(budget.maxExtraTokens)));
    const tokens: Token[] = [];
    let stableLength: number | undefined;
    let prefixTokens = 0;
    let suffixTokens = 0;
    let extraTokens = 0;
    let prefixText = '';
    let prefixStart = 0;
    // The middle is the end of what was typed: it keeps its tokens, at most the prefix budget's
    // (from its end), and the prefix before it gets what is left.
    const maxPrefix = Math.max(0, Math.floor(budget.maxPrefixTokens));
    const middlePiece = pieces.find((p): p is TextPiece => p.kind === 'text' && p.part === 'middle');
    const typed = middlePiece ? this.encode(middlePiece, middlePiece.text) : [];
    const middle = typed.slice(Math.max(0, typed.length - maxPrefix));
    for (const [i, p] of pieces.entries()) {
      // The file's header is tokenized with the prefix it runs into (see `afterHeader`).
      const prev = pieces[i - 1];
      const next = pieces[i + 1];
      const header = prev?.kind === 'text' && prev.part === 'header' ? prev : undefined;
      if (p.kind === 'text' && p.part === 'header' && next?.kind === 'text' && next.part === 'prefix') continue;
      let piece: readonly Token[];
      if (p.kind === 'text' && p.part === 'prefix') {
        const encode = header ? (text: string) => this.afterHeader(header, text).prefix : (text: string) => this.encode(p, text);
        // The floor is a line start of an earlier cut: blocks counted from it keep their lines.
        const floor = prefixFloor > 0 && prefixFloor <= p.text.length ? prefixFloor : 0;
        const fitted = fitPrefix(p.text.slice(floor), maxPrefix - middle.length, encode);
        prefixText = p.text;
        prefixStart = floor + fitted.start;
        if (header) for (const t of this.afterHeader(header, p.text.slice(prefixStart)).header) tokens.push(t);
        stableLength ??= tokens.length;
        piece = fitted.tokens;
        prefixTokens = piece.length;
      } else if (p.kind === 'text' && p.part === 'suffix') {
        stableLength ??= tokens.length;
        piece = this.encode(p, p.text).slice(0, Math.max(0, Math.floor(budget.maxSuffixTokens)));
        suffixTokens = piece.length;
      } else if (p.kind === 'text' && p.part === 'middle') {
        piece = middle;
      } else {
        piece = this.tokensOf(p);
        if (p.kind !== 'bos' && p.part === 'extra') extraTokens += piece.length;
      }
      for (const t of piece) tokens.push(t);
    }
    return { tokens, stableLength: stableLength ?? tokens.length, prefixTokens, suffixTokens, middleTokens: middle.length, extraTokens, prefixText, prefixStart };
  }

  /** The layout with the oldest chunks dropped until the rest fits `maxExtraTokens`. */
  private layoutWithin(parts: FimPromptParts, maxExtraTokens: number): FimPiece[] {
    for (let start = 0; ; start++) {
      // Re-laid out for each start: a chunk's tokens depend on whether it opens its span.
      const pieces = fimLayout(this.spec, { ...parts, extra: parts.extra.slice(start) }, this.found.has);
      if (start >= parts.extra.length) return pieces;
      let extra = 0;
      for (const p of pieces) if (p.kind !== 'bos' && p.part === 'extra') extra += this.tokensOf(p).length;
      if (extra <= maxExtraTokens) return pieces;
    }
  }

  /**
   * The header and the prefix after it as the model's tokenizer reads the span: in one text. A
   * byte-level BPE merges across the seam ("main.ts\n" + "    const" gives "\n   " in StarCoder2's
   * vocabulary), so tokenizing them apart shows the model a split it never saw. The header keeps
   * the tokens it shares with its own tokenization; the rest, seam included, counts as prefix.
   */
  private afterHeader(header: TextPiece, text: string): { header: readonly Token[]; prefix: readonly Token[] } {
    const alone = this.encode(header, header.text);
    if (text === '') return { header: alone, prefix: [] };
    const joint = this.encode(header, header.text + text);
    let k = 0;
    while (k < alone.length && k < joint.length && alone[k] === joint[k]) k++;
    return { header: joint.slice(0, k), prefix: joint.slice(k) };
  }

  private tokensOf(p: FimPiece): readonly Token[] {
    if (p.kind === 'bos') return this.vocab.bos === undefined ? [] : [this.vocab.bos];
    if (p.kind === 'text') return this.encode(p, p.text);
    const id = this.found.controls[p.control];
    if (id === undefined) throw new Error(`${this.family} layout needs a ${p.control} token the vocabulary lacks`);
    return [id];
  }

  private encode(p: TextPiece, text: string): readonly Token[] {
    return p.lead ? this.vocab.lead(text) : this.vocab.bare(text);
  }
}
