/**
 * Fill-in-the-middle prompts in tokens, one layout per model family. The family is detected from
 * the GGUF vocabulary (control tokens by their text), never from the file name.
 *
 * Rules shared by every layout:
 * - Control tokens come from the vocabulary; user text (prefix, suffix, paths, chunks, repo name)
 *   is tokenized without special tokens, so a file that contains `<|fim_prefix|>` cannot inject
 *   a control token. BOS first when the model wants one.
 * - What changes least while typing comes first: extra context chunks (oldest first), then the
 *   current file's header, then the prefix. The KV cache is reused up to the first token that
 *   differs, so a keystroke re-evaluates only the end of the prefix and what follows it.
 * - Budgets: extra chunks are dropped oldest first, the prefix is cut from its start in blocks
 *   of lines (fitPrefix.ts explains why), the suffix is cut from its end.
 *
 * Layouts (E = extra chunks, H = file header, P = prefix, S = suffix; T(x) = tokenized text):
 * - qwen2.5-coder (repo-level, Qwen2.5-Coder tech report):
 *   <|repo_name|>T(name\n) {<|file_sep|>T(path\ncontent\n)} <|file_sep|>T(path\n)
 *   <|fim_prefix|>T(P)<|fim_suffix|>T(S)<|fim_middle|>
 *   The repo and file lines appear only when there is a repo name, a chunk or a file path.
 * - starcoder2 (repo-level FIM of the StarCoder2 paper, §5: no newline after the repo name or
 *   after a file's content; the FIM file's path sits inside the prefix span):
 *   <repo_name>T(name) {<file_sep>T(path\ncontent)} <file_sep><fim_prefix>T(path\n)T(P)
 *   <fim_suffix>T(S)<fim_middle>. StarCoder(1)-style vocabularies without <file_sep> use comments.
 * - Families without repository tokens (deepseek-coder, codellama, codestral, generic) get the
 *   extra context inside the prefix span, as files that start with a path comment
 *   (`// src/a.ts`, `# a.py`): DeepSeek-Coder was trained on repository-level documents built
 *   exactly that way and applied FIM to the whole document, and for the others it is at least
 *   code the way they saw it. Putting it before the FIM begin token instead (llama.cpp's
 *   "--- snippet ---" fallback) shows the model a layout it never saw in training.
 *   deepseek-coder: <｜fim▁begin｜>T(E H P)<｜fim▁hole｜>T(S)<｜fim▁end｜>
 *   codellama:      BOS ▁<PRE> T(E H P) ▁<SUF> T'(S) ▁<MID>   ("<PRE> {pre} <SUF>{suf} <MID>")
 *   codestral:      BOS [SUFFIX] T'(S) [PREFIX] T(E H P)      (suffix first, no middle token)
 *   generic:        the model's infill prefix/suffix/middle tokens in that order, as llama.cpp does.
 *   T(E H P) is each piece tokenized alone; the first piece gets the SentencePiece dummy space,
 *   as Meta's and Mistral's encoders give the prefix; T'(S) has no dummy space, as their
 *   encoders give the suffix ("☺" trick). llama.cpp's /infill tokenizes the suffix with the
 *   dummy space (tools/server/server-common.cpp format_prompt_infill), which CodeLlama's
 *   reference (`<SUF>{suf}`) does not.
 */
import { fitPrefix } from './fitPrefix';
import { FimVocabulary } from './fimVocabulary';
import { lineComment } from './lineComment';
import type { LlamaModel, Token } from './nodeLlamaCpp';

export type FimFamily = 'qwen2.5-coder' | 'deepseek-coder' | 'starcoder2' | 'codellama' | 'codestral' | 'generic';

/** Extra context: a piece of another file. */
export interface FimChunk {
  path: string;
  text: string;
}

export interface FimPromptParts {
  /** Workspace folder name (repo-level formats). */
  repoName?: string;
  /** Extra context, oldest/most stable first. */
  extra: FimChunk[];
  /** Workspace-relative path of the current file. */
  filePath?: string;
  /** Text before the cursor (already bounded by lines by the caller). */
  prefix: string;
  /** Text after the cursor. */
  suffix: string;
}

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
  extraTokens: number;
}

export interface FimFormat {
  readonly family: FimFamily;
  /** Token ids that end a completion besides the model's end-of-generation tokens (e.g. <|file_sep|>, <|fim_pad|>, <EOT>). */
  readonly stopTokens: ReadonlySet<Token>;
  readonly suffixFirst: boolean;
  build(parts: FimPromptParts, budget: FimBudget): FimPrompt;
}

/** Where extra context and the file header go. */
type ContextStyle =
  | { kind: 'qwen'; repoName: Token; fileSep: Token }
  | { kind: 'starcoder2'; repoName?: Token; fileSep: Token }
  | { kind: 'comments' };

interface FamilySpec {
  family: FimFamily;
  prefix: Token;
  suffix: Token;
  /** Absent for suffix-first Codestral: the prefix span runs into the middle. */
  middle?: Token;
  context: ContextStyle;
  /** The suffix is tokenized without the dummy space (CodeLlama, Codestral). */
  bareSuffix: boolean;
  stop: Token[];
}

/** The FIM layout of `model`, or undefined when it cannot fill in the middle. */
export function detectFimFormat(model: LlamaModel): FimFormat | undefined {
  const vocab = new FimVocabulary(model);
  const spec = detectFamily(vocab);
  return spec && new TokenFimFormat(vocab, spec);
}

function detectFamily(v: FimVocabulary): FamilySpec | undefined {
  const stops = (...texts: string[]): Token[] => texts.map((t) => v.token(t)).filter((t): t is Token => t !== undefined);
  const all = (ids: (Token | undefined)[]): ids is Token[] => ids.every((id) => id !== undefined);

  const qwen = ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|repo_name|>', '<|file_sep|>'].map((t) => v.control(t));
  if (all(qwen)) {
    const [prefix, suffix, middle, repoName, fileSep] = qwen;
    return {
      family: 'qwen2.5-coder', prefix, suffix, middle, bareSuffix: false,
      context: { kind: 'qwen', repoName, fileSep },
      stop: stops('<|endoftext|>', '<|fim_pad|>', '<|file_sep|>', '<|repo_name|>', '<|im_start|>', '<|im_end|>'),
    };
  }

  const deepseek = ['<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>'].map((t) => v.control(t));
  if (all(deepseek)) {
    const [prefix, suffix, middle] = deepseek;
    return {
      family: 'deepseek-coder', prefix, suffix, middle, bareSuffix: false,
      context: { kind: 'comments' },
      stop: stops('<｜end▁of▁sentence｜>'),
    };
  }

  const starcoder = ['<fim_prefix>', '<fim_suffix>', '<fim_middle>'].map((t) => v.control(t));
  if (all(starcoder)) {
    const [prefix, suffix, middle] = starcoder;
    const fileSep = v.control('<file_sep>');
    return {
      family: 'starcoder2', prefix, suffix, middle, bareSuffix: false,
      context: fileSep === undefined ? { kind: 'comments' } : { kind: 'starcoder2', fileSep, repoName: v.control('<repo_name>') },
      stop: stops('<|endoftext|>', '<file_sep>'),
    };
  }

  // CodeLlama's GGUFs spell them with a leading "▁" (llama.cpp's FIM token list has both).
  const codellama = [v.control('▁<PRE>', '<PRE>'), v.control('▁<SUF>', '<SUF>'), v.control('▁<MID>', '<MID>')];
  if (all(codellama)) {
    const [prefix, suffix, middle] = codellama;
    const eot = v.token('▁<EOT>') ?? v.token('<EOT>');
    return {
      family: 'codellama', prefix, suffix, middle, bareSuffix: true,
      context: { kind: 'comments' },
      stop: eot === undefined ? [] : [eot],
    };
  }

  // llama.cpp does not know Codestral's tokens, so node-llama-cpp reports no infill support.
  const codestral = [v.control('[PREFIX]'), v.control('[SUFFIX]')];
  if (all(codestral)) {
    const [prefix, suffix] = codestral;
    return { family: 'codestral', prefix, suffix, bareSuffix: true, context: { kind: 'comments' }, stop: [prefix, suffix] };
  }

  const infill = v.model.tokens.infill;
  if (infill.prefix != null && infill.suffix != null && infill.middle != null) {
    return {
      family: 'generic', prefix: infill.prefix, suffix: infill.suffix, middle: infill.middle, bareSuffix: false,
      context: { kind: 'comments' },
      stop: stops('<|fim_pad|>', '<|file_separator|>', '<|file_sep|>', '<fim_pad>', '<file_sep>', '<EOT>'),
    };
  }
  return undefined;
}

class TokenFimFormat implements FimFormat {
  readonly family: FimFamily;
  readonly stopTokens: ReadonlySet<Token>;
  readonly suffixFirst: boolean;
  private readonly bos: Token[];

  constructor(
    private readonly vocab: FimVocabulary,
    private readonly spec: FamilySpec,
  ) {
    this.family = spec.family;
    this.stopTokens = new Set(spec.stop);
    this.suffixFirst = spec.middle === undefined;
    const t = vocab.model.tokens;
    this.bos = t.shouldPrependBosToken && t.bos != null ? [t.bos] : [];
  }

  build(parts: FimPromptParts, budget: FimBudget): FimPrompt {
    const { vocab, spec } = this;
    const { before, inside, extraTokens } = this.context(parts, budget.maxExtraTokens);
    const pre = fitPrefix(parts.prefix, budget.maxPrefixTokens, (t) => (inside.length === 0 ? vocab.lead(t) : vocab.bare(t)));
    const suffix = (spec.bareSuffix ? vocab.bare(parts.suffix) : vocab.lead(parts.suffix)).slice(0, Math.max(0, Math.floor(budget.maxSuffixTokens)));
    const head = [...this.bos, ...before];
    const counts = { prefixTokens: pre.tokens.length, suffixTokens: suffix.length, extraTokens };
    if (spec.middle === undefined) {
      const tokens = [...head, spec.suffix, ...suffix, spec.prefix, ...inside, ...pre.tokens];
      return { tokens, stableLength: head.length + 1, ...counts };
    }
    const stable = [...head, spec.prefix, ...inside];
    const tokens = [...stable, ...pre.tokens, spec.suffix, ...suffix, spec.middle];
    return { tokens, stableLength: stable.length, ...counts };
  }

  /**
   * Tokens before the FIM prefix token, and tokens inside the prefix span before the prefix
   * text. Chunks are dropped oldest first until the rest fits maxExtraTokens.
   */
  private context(parts: FimPromptParts, maxExtraTokens: number): { before: Token[]; inside: Token[]; extraTokens: number } {
    const { vocab } = this;
    const style = this.spec.context;
    const max = Math.max(0, Math.floor(maxExtraTokens));
    const chunks = parts.extra;

    if (style.kind === 'comments') {
      const piece = (c: FimChunk) => `${lineComment(c.path)}\n${withoutFinalNewline(c.text)}\n\n`;
      // The first piece of the prefix span carries the dummy space, so a chunk's tokens depend
      // on whether it is the first one kept.
      const lead = chunks.map((c) => vocab.lead(piece(c)));
      const bare = chunks.map((c) => vocab.bare(piece(c)));
      let rest = bare.reduce((n, b) => n + b.length, 0); // bare tokens of chunks[start + 1..]
      let start = 0;
      for (; start < chunks.length; start++) {
        rest -= bare[start].length;
        if (lead[start].length + rest <= max) break;
      }
      const kept = start < chunks.length ? concat([lead[start], ...bare.slice(start + 1)]) : [];
      const header = parts.filePath === undefined ? '' : `${lineComment(parts.filePath)}\n`;
      const headerTokens = kept.length === 0 ? vocab.lead(header) : vocab.bare(header);
      return { before: [], inside: [...kept, ...headerTokens], extraTokens: kept.length };
    }

    const texts = chunks.map((c) => (style.kind === 'qwen' ? `${c.path}\n${withoutFinalNewline(c.text)}\n` : `${c.path}\n${c.text}`));
    const encoded = texts.map((text) => vocab.lead(text));
    let total = encoded.reduce((n, e) => n + 1 + e.length, 0);
    let start = 0;
    while (start < encoded.length && total > max) total -= 1 + encoded[start++].length;
    const kept = concat(encoded.slice(start).flatMap((e) => [[style.fileSep], e]));

    if (style.kind === 'qwen') {
      const repo = parts.repoName === undefined ? [] : [style.repoName, ...vocab.lead(`${parts.repoName}\n`)];
      const repoLevel = parts.repoName !== undefined || kept.length > 0 || parts.filePath !== undefined;
      const header = repoLevel ? [style.fileSep, ...vocab.lead(`${parts.filePath ?? 'untitled'}\n`)] : [];
      return { before: [...repo, ...kept, ...header], inside: [], extraTokens: kept.length };
    }
    const repo = parts.repoName === undefined || style.repoName === undefined ? [] : [style.repoName, ...vocab.lead(parts.repoName)];
    const header = parts.filePath === undefined ? [] : vocab.lead(`${parts.filePath}\n`);
    return { before: [...repo, ...kept, style.fileSep], inside: [...header], extraTokens: kept.length };
  }
}

function concat(parts: readonly (readonly Token[])[]): Token[] {
  const out: Token[] = [];
  for (const part of parts) for (const t of part) out.push(t);
  return out;
}

function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}
