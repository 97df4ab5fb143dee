/**
 * The fill-in-the-middle families: one entry per family, the only place that knows a family's
 * tokens, order, context layout and stops. The worker builds token prompts from it
 * (runtime/worker/fimFormat.ts, the family found in the GGUF vocabulary by these spellings), the
 * team server builds text prompts from it (fimText.ts, the family named by the
 * `sovereign.server.fimTemplate` setting). fimLayout.ts says where each piece goes and why.
 *
 * Adding a family: one entry here, its test model (scripts/models/testModels.ts) and its case in
 * test/engine/fimFormat.test.ts. When servers should offer it too: its `template` name in
 * `fimTemplates`, in the setting's enum (package.json, README) and its vocabulary spellings in
 * test/unit/fimContract.test.ts, which checks that the enum is `fimTemplates`.
 */

/** Values of `sovereign.server.fimTemplate` (package.json); each names one family below. */
export const fimTemplates = ['qwen', 'deepseek', 'starcoder2', 'codellama', 'codestral'] as const;
export type FimTemplate = (typeof fimTemplates)[number];

export type FimFamily = 'qwen2.5-coder' | 'deepseek-coder' | 'starcoder2' | 'codellama' | 'codestral' | 'generic';

/** Control tokens of a layout, by role. */
export type FimControl = 'prefix' | 'suffix' | 'middle' | 'repoName' | 'fileSep';

/**
 * Where extra context (other files) and the current file's path go:
 * - `qwen`: repo-level files before the FIM tokens (Qwen2.5-Coder tech report):
 *   <|repo_name|>name\n {<|file_sep|>path\ncontent\n} <|file_sep|>path\n <|fim_prefix|>…
 *   The repo and file lines appear only when there is a repo name, a chunk or a file path.
 * - `starcoder2`: repo-level FIM of the StarCoder2 paper (§5): no newline after the repo name or
 *   after a file's content, and the FIM file's path sits inside the prefix span:
 *   <repo_name>name {<file_sep>path\ncontent} <file_sep><fim_prefix>path\n prefix…
 * - `comments`: inside the prefix span, as files that start with a path comment (`// src/a.ts`):
 *   DeepSeek-Coder was trained on repository-level documents built exactly that way and applied
 *   FIM to the whole document; for the others it is at least code the way they saw it. Putting
 *   it before the FIM begin token instead (llama.cpp's "--- snippet ---" fallback) shows the
 *   model a layout it never saw in training.
 */
export type FimContextLayout = 'qwen' | 'starcoder2' | 'comments';

export interface FimFamilySpec {
  readonly family: FimFamily;
  /** The server setting value that selects this family for text prompts, if any. */
  readonly template?: FimTemplate;
  /**
   * Control tokens by their text. Absent for `generic`, which takes the model's own infill tokens.
   * No `middle`: suffix-first (Codestral), the prefix span runs into the generated middle.
   * `repoName`/`fileSep` only for the repo-level context layouts.
   */
  readonly tokens?: { readonly prefix: string; readonly suffix: string; readonly middle?: string; readonly repoName?: string; readonly fileSep?: string };
  readonly context: FimContextLayout;
  /**
   * Without its repo tokens in the vocabulary the family still applies, with `comments` context
   * (StarCoder(1) has the FIM tokens but no <file_sep>); otherwise the family does not match.
   */
  readonly repoTokensOptional?: boolean;
  /**
   * The vocabulary spells the control tokens with SentencePiece's "▁" (CodeLlama's `▁<PRE>`;
   * llama.cpp's FIM token list has both spellings, both are tried, "▁" first). In text they are
   * written with a space (` <SUF>`), and a server meets them as plain text, so the dummy space
   * of the text that follows is written too: `<PRE> {pre} <SUF>{suf} <MID>`.
   */
  readonly spaced?: boolean;
  /**
   * The suffix has no SentencePiece dummy space, as Meta's and Mistral's encoders give it ("☺"
   * trick). llama.cpp's /infill tokenizes the suffix with the dummy space
   * (tools/server/server-common.cpp format_prompt_infill), which CodeLlama's reference
   * (`<SUF>{suf}`) does not.
   */
  readonly bareSuffix?: boolean;
  /**
   * Text typed since the hole opened may follow the middle token (`…<fim_middle>typed`), as if the
   * model had written it: a training document is `<fim_prefix>P<fim_suffix>S<fim_middle>M`, and a
   * prompt that ends inside M is a prefix of one (llama.cpp's /infill puts its `prompt` there too).
   * Only byte-level BPE families: the text after the token needs no dummy-space decision.
   */
  readonly typedMiddle?: boolean;
  /**
   * Tokens that end a completion besides the model's end-of-generation tokens. Every control
   * token of the layout stops it too (fimStopTexts): a model that writes one starts a new document.
   */
  readonly ends: readonly string[];
}

/** In detection order: the first family whose tokens the vocabulary has wins. */
export const fimFamilies: readonly FimFamilySpec[] = [
  {
    family: 'qwen2.5-coder',
    template: 'qwen',
    tokens: { prefix: '<|fim_prefix|>', suffix: '<|fim_suffix|>', middle: '<|fim_middle|>', repoName: '<|repo_name|>', fileSep: '<|file_sep|>' },
    context: 'qwen',
    typedMiddle: true,
    ends: ['<|endoftext|>', '<|fim_pad|>', '<|im_start|>', '<|im_end|>'],
  },
  {
    family: 'deepseek-coder',
    template: 'deepseek',
    tokens: { prefix: '<｜fim▁begin｜>', suffix: '<｜fim▁hole｜>', middle: '<｜fim▁end｜>' },
    context: 'comments',
    typedMiddle: true,
    ends: ['<｜end▁of▁sentence｜>'],
  },
  {
    family: 'starcoder2',
    template: 'starcoder2',
    tokens: { prefix: '<fim_prefix>', suffix: '<fim_suffix>', middle: '<fim_middle>', repoName: '<repo_name>', fileSep: '<file_sep>' },
    context: 'starcoder2',
    repoTokensOptional: true,
    typedMiddle: true,
    ends: ['<|endoftext|>'],
  },
  {
    family: 'codellama',
    template: 'codellama',
    tokens: { prefix: '<PRE>', suffix: '<SUF>', middle: '<MID>' },
    context: 'comments',
    spaced: true,
    bareSuffix: true,
    ends: ['<EOT>'],
  },
  {
    // llama.cpp does not know Codestral's tokens, so node-llama-cpp reports no infill support.
    // mistral-common's encode_fim: <s>[SUFFIX]suffix[PREFIX] prefix
    family: 'codestral',
    template: 'codestral',
    tokens: { prefix: '[PREFIX]', suffix: '[SUFFIX]' },
    context: 'comments',
    bareSuffix: true,
    ends: ['[MIDDLE]', '</s>'],
  },
  {
    // The model's infill prefix/suffix/middle tokens in that order, as llama.cpp does.
    family: 'generic',
    context: 'comments',
    ends: ['<|fim_pad|>', '<|file_separator|>', '<|file_sep|>', '<fim_pad>', '<file_sep>', '<EOT>'],
  },
];

export function isFimTemplate(value: unknown): value is FimTemplate {
  return typeof value === 'string' && (fimTemplates as readonly string[]).includes(value);
}

/** The family a server template setting names. */
export function fimFamilyOfTemplate(template: FimTemplate): FimFamilySpec {
  const spec = fimFamilies.find((f) => f.template === template);
  if (!spec) throw new Error(`No FIM family for template ${template}`);
  return spec;
}

/** Suffix first, no middle token (Codestral): the prefix span runs into the generated middle. */
export function fimSuffixFirst(spec: FimFamilySpec): boolean {
  return spec.tokens !== undefined && spec.tokens.middle === undefined;
}

/** Whether typed text goes after the middle token (see `typedMiddle`); else it ends the prefix. */
export function fimTypedMiddle(spec: FimFamilySpec): boolean {
  return spec.typedMiddle === true && !fimSuffixFirst(spec);
}

/**
 * Texts of the tokens that end a completion: the family's end tokens, then its control tokens
 * (unspaced: a server's text shows CodeLlama's `▁<EOT>` as ` <EOT>`, which `<EOT>` matches).
 */
export function fimStopTexts(spec: FimFamilySpec): string[] {
  const t = spec.tokens;
  const controls = t ? [t.prefix, t.suffix, t.middle, t.repoName, t.fileSep] : [];
  return [...new Set([...spec.ends, ...controls.filter((x): x is string => x !== undefined)])];
}

/** The spellings of a token in the vocabulary, in the order to try them. */
export function vocabularySpellings(spec: FimFamilySpec, text: string): string[] {
  return spec.spaced ? [`▁${text}`, text] : [text];
}
