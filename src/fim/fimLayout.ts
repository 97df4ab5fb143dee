/**
 * The one description of a FIM prompt: the pieces of a family's layout in order, each a control
 * token, user text or the model's BOS. The worker turns pieces into tokens
 * (runtime/worker/fimFormat.ts: control tokens from the vocabulary, text tokenized without
 * special tokens, budgets), the team server into text (fimText.ts). Neither decides what goes
 * where: that is here and in the family table (fimFamilies.ts).
 *
 * What changes least while typing comes first: extra context chunks (oldest first), then the
 * current file's header, then the prefix. The KV cache is reused up to the first token that
 * differs, so a keystroke re-evaluates only the end of the prefix and what follows it. In a
 * prefix-suffix-middle layout that is the whole suffix, on every keystroke; so `typedMiddle`
 * families take the text typed since the hole opened (`middle`, src/fim/holeStart.ts) after the
 * middle token, where typing only appends: P<suf>S<mid>T.
 *
 * Layouts (E = extra chunks, H = file header, P = prefix, S = suffix):
 *   qwen2.5-coder:  <|repo_name|>name\n {<|file_sep|>path\ncontent\n} <|file_sep|>path\n <|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>T
 *   starcoder2:     <repo_name>name {<file_sep>path\ncontent} <file_sep><fim_prefix>path\n P<fim_suffix>S<fim_middle>T
 *   deepseek-coder: <｜fim▁begin｜>E H P<｜fim▁hole｜>S<｜fim▁end｜>T
 *   codellama:      BOS ▁<PRE> E H P ▁<SUF> S ▁<MID>       ("<PRE> {pre} <SUF>{suf} <MID>")
 *   codestral:      BOS [SUFFIX] S [PREFIX] E H P           (suffix first, no middle token)
 *   generic:        BOS PRE E H P SUF S MID                  (the model's infill tokens, llama.cpp's order)
 * (T = typed middle; the other families read P+T as their prefix.)
 * BOS only where the model wants one (the worker asks the vocabulary; a server adds its own).
 *
 * SentencePiece's dummy space: the first text of a span (the text after a control token) is
 * `lead` and gets it, as Meta's and Mistral's encoders give the prefix; the rest of the span
 * continues without one, and so does a `bareSuffix` family's suffix.
 */
import { fimSuffixFirst, fimTypedMiddle, type FimContextLayout, type FimControl, type FimFamilySpec } from './fimFamilies';
import { lineComment } from './lineComment';

/** Extra context: a piece of another file. */
export interface FimChunk {
  path: string;
  text: string;
}

export interface FimPromptParts {
  /** Workspace folder name (repo-level layouts). */
  repoName?: string;
  /** Extra context, oldest/most stable first. */
  extra: readonly FimChunk[];
  /** Workspace-relative path of the current file. */
  filePath?: string;
  /** Text before the hole (before the cursor, when there is no `middle`). */
  prefix: string;
  /**
   * Text typed since the hole opened, up to the cursor: after the middle token in `typedMiddle`
   * families (see the header), the end of the prefix in the others. Absent: empty.
   */
  middle?: string;
  /** Text after the cursor. */
  suffix: string;
}

/** What a piece belongs to: budgets apply per part (extra chunks, prefix, suffix). */
export type FimPart = 'frame' | 'repo' | 'extra' | 'header' | 'prefix' | 'suffix' | 'middle';

export type FimPiece =
  | { readonly kind: 'bos' }
  | { readonly kind: 'control'; readonly control: FimControl; readonly part: FimPart }
  | { readonly kind: 'text'; readonly text: string; readonly part: FimPart; readonly lead: boolean };

/** The repository tokens a vocabulary has (text prompts: all of them). */
export interface FimRepoTokens {
  fileSep: boolean;
  repoName: boolean;
}

export function fimLayout(spec: FimFamilySpec, parts: FimPromptParts, has: FimRepoTokens = { fileSep: true, repoName: true }): FimPiece[] {
  const context: FimContextLayout = spec.context !== 'comments' && has.fileSep ? spec.context : 'comments';
  const before: Draft[] = [];
  const inside: Draft[] = [];
  const control = (c: FimControl, part: FimPart = 'frame'): Draft => ({ kind: 'control', control: c, part });
  const text = (t: string, part: FimPart): Draft => ({ kind: 'text', text: t, part });

  if (context === 'comments') {
    for (const c of parts.extra) inside.push(text(`${lineComment(c.path)}\n${withoutFinalNewline(c.text)}\n\n`, 'extra'));
    if (parts.filePath !== undefined) inside.push(text(`${lineComment(parts.filePath)}\n`, 'header'));
  } else if (context === 'qwen') {
    if (parts.repoName !== undefined) before.push(control('repoName', 'repo'), text(`${parts.repoName}\n`, 'repo'));
    // `{file_content}\n<|file_sep|>` as the report writes it: a text that ends with its file's final
    // newline keeps it, so a blank line comes before the next file (examples/Qwen2.5-Coder-repolevel-fim.py).
    for (const c of parts.extra) before.push(control('fileSep', 'extra'), text(`${c.path}\n${c.text}\n`, 'extra'));
    if (parts.repoName !== undefined || parts.extra.length > 0 || parts.filePath !== undefined) {
      before.push(control('fileSep', 'header'), text(`${parts.filePath ?? 'untitled'}\n`, 'header'));
    }
  } else {
    if (parts.repoName !== undefined && has.repoName) before.push(control('repoName', 'repo'), text(parts.repoName, 'repo'));
    for (const c of parts.extra) before.push(control('fileSep', 'extra'), text(`${c.path}\n${c.text}`, 'extra'));
    before.push(control('fileSep'));
    if (parts.filePath !== undefined) inside.push(text(`${parts.filePath}\n`, 'header'));
  }

  const middle = parts.middle ?? '';
  const typed = fimTypedMiddle(spec);
  const prefixSpan = [control('prefix'), ...inside, text(typed ? parts.prefix : parts.prefix + middle, 'prefix')];
  const suffixSpan = [control('suffix'), text(parts.suffix, 'suffix')];
  const middleSpan = [control('middle'), ...(typed && middle !== '' ? [text(middle, 'middle')] : [])];
  const drafts: Draft[] = fimSuffixFirst(spec)
    ? [{ kind: 'bos' }, ...before, ...suffixSpan, ...prefixSpan]
    : [{ kind: 'bos' }, ...before, ...prefixSpan, ...suffixSpan, ...middleSpan];
  return withLeads(spec, drafts);
}

type Draft = { kind: 'bos' } | { kind: 'control'; control: FimControl; part: FimPart } | { kind: 'text'; text: string; part: FimPart };

/** Marks the first non-empty text after each control token as `lead` (see the header). */
function withLeads(spec: FimFamilySpec, drafts: readonly Draft[]): FimPiece[] {
  let spanHasText = false;
  return drafts.map((d) => {
    if (d.kind !== 'text') {
      spanHasText = false;
      return d;
    }
    const lead = !spanHasText && !(d.part === 'suffix' && spec.bareSuffix === true);
    if (d.text !== '') spanHasText = true;
    return { ...d, lead };
  });
}

function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}
