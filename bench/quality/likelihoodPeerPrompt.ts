/**
 * The peer's prompt in tokens: what llama.vscode sends to llama-server's /infill at a cursor, and
 * the token sequence llama-server builds from it.
 *
 * - The request: llama.vscode's getCompletionItems (src/completion.ts, modelled in
 *   bench/llamaVscodeDriver.ts): `n_prefix` lines above the cursor's line + "\n" as input_prefix,
 *   the rest of the cursor's line + "\n" + `n_suffix` lines below + "\n" as input_suffix, the
 *   cursor's line left of the cursor as `prompt` ("" when it is only whitespace).
 * - The tokens: llama.cpp tools/server/server-common.cpp format_prompt_infill (the llama.cpp this
 *   bench builds, ~/.cache/sovereign-dev/llama.cpp): input_prefix and input_suffix tokenized
 *   without special tokens, `prompt` with special tokens parsed (server-context.cpp); the
 *   repo-level header `[FIM_REP]myproject\n … [FIM_SEP]filename\n` when the vocabulary has those
 *   tokens (literally "myproject" and "filename"); the prefix cut to its last 3·(n_batch/4)
 *   tokens, the suffix to its first n_batch/4 − 2 − |prompt| tokens; then
 *   [BOS] [FIM_PRE] prefix prompt [FIM_SUF] suffix [FIM_MID] (llama-server's default, not --spm-infill).
 */
import type { LlamaModel, Token } from '../../src/runtime/worker/nodeLlamaCpp';

/** What bounds the peer's prompt: llama.vscode's line windows and llama-server's batch. */
export interface PeerBounds {
  /** llama.vscode n_prefix / n_suffix (lines) */
  nPrefixLines: number;
  nSuffixLines: number;
  /** llama-server -b (the completion bench's default is 1024; llama-server's own, 2048) */
  nBatch: number;
}

export interface PeerRequest {
  inputPrefix: string;
  inputSuffix: string;
  prompt: string;
}

export interface PeerPrompt {
  tokens: Token[];
  prefixTokens: number;
  suffixTokens: number;
  promptTokens: number;
}

/** llama.vscode's /infill fields for the cursor at `prefix.length` of `prefix + suffix`. */
export function peerRequest(prefix: string, suffix: string, bounds: PeerBounds): PeerRequest {
  const lines = (prefix + suffix).split('\n');
  const line = prefix.split('\n').length - 1;
  const character = prefix.length - (prefix.lastIndexOf('\n') + 1);
  const startLine = Math.max(0, line - bounds.nPrefixLines);
  const endLine = Math.min(lines.length - 1, line + bounds.nSuffixLines);
  const linePrefix = lines[line].slice(0, character);
  const lineSuffix = lines[line].slice(character);
  return {
    inputPrefix: lines.slice(startLine, line).join('\n') + '\n',
    inputSuffix: lineSuffix + '\n' + lines.slice(line + 1, endLine + 1).join('\n') + '\n',
    prompt: /^[ \t]*$/.test(linePrefix) ? '' : linePrefix,
  };
}

/** llama-server's FIM_REP / FIM_SEP: found by these texts (src/llama-vocab.cpp). */
const fimRepTexts = ['<|fim_repo|>', '<|repo_name|>', '<fim-repo>', '<REPO>', '<reponame>'];
const fimSepTexts = ['<|file_sep|>'];

function controlToken(model: LlamaModel, texts: readonly string[]): Token | undefined {
  for (const text of texts) {
    const ids = model.tokenize(text, true);
    if (ids.length === 1 && model.getTokenAttributes(ids[0]).control) return ids[0];
  }
  return undefined;
}

/** format_prompt_infill with no extra chunks (llama.vscode's ring is not replayed here). */
export function peerPrompt(model: LlamaModel, request: PeerRequest, bounds: PeerBounds): PeerPrompt {
  const { prefix: pre, suffix: suf, middle: mid } = model.tokens.infill;
  if (pre == null || suf == null || mid == null) throw new Error('the model has no FIM tokens: llama-server /infill refuses it');
  const rep = controlToken(model, fimRepTexts);
  const sep = controlToken(model, fimSepTexts);
  const extra: Token[] = [];
  if (rep !== undefined) extra.push(rep, ...model.tokenize('myproject\n', false));
  if (sep !== undefined) extra.push(sep, ...model.tokenize('filename\n', false));

  const prompt = model.tokenize(request.prompt, true);
  const prefix = model.tokenize(request.inputPrefix, false);
  const suffix = model.tokenize(request.inputSuffix, false);
  const quarter = Math.floor(bounds.nBatch / 4);
  const prefixTake = Math.min(prefix.length, 3 * quarter);
  const suffixTake = Math.min(suffix.length, Math.max(0, quarter - (2 + prompt.length)));
  const bos = model.tokens.shouldPrependBosToken && model.tokens.bos != null ? [model.tokens.bos] : [];
  const tokens = [
    ...extra, // n_extra_take = min(n_ctx − n_batch − 2·n_predict, |extra|): the whole header at any usable context
    ...bos,
    pre,
    ...prefix.slice(prefix.length - prefixTake),
    ...prompt,
    suf,
    ...suffix.slice(0, suffixTake),
    mid,
  ];
  return { tokens, prefixTokens: prefixTake, suffixTokens: suffixTake, promptTokens: prompt.length };
}
