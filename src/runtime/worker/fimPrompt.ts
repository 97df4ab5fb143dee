import { SovereignError } from '../../common/errors';
import { detectFimFormat } from './fimFormat';
import type { LlamaModel, Token } from './nodeLlamaCpp';

export interface FimPromptInput {
  prefix: string;
  suffix: string;
  maxPrefixTokens: number;
  maxSuffixTokens: number;
}

/**
 * @deprecated Use detectFimFormat(model).build(...) (fimFormat.ts): per-family layouts, extra
 * context, stable prefix cuts. This generic prefix-suffix-middle prompt is kept for old callers.
 *
 * The fill-in-the-middle prompt in tokens: control tokens from the model's vocabulary, user text
 * tokenized WITHOUT special tokens (a file containing `<|fim_prefix|>` cannot inject a control
 * token). Prefix first, so the part that changes least while typing keeps its KV state.
 */
export function buildFimPrompt(model: LlamaModel, input: FimPromptInput): Token[] {
  const { prefix: pre, suffix: suf, middle: mid } = model.tokens.infill;
  if (pre == null || suf == null || mid == null) throw new Error('buildFimPrompt needs a model with FIM tokens');
  const prefixTokens = model.tokenize(input.prefix, false).slice(-Math.max(0, input.maxPrefixTokens));
  const suffixTokens = model.tokenize(input.suffix, false).slice(0, Math.max(0, input.maxSuffixTokens));
  const bos = model.tokens.shouldPrependBosToken && model.tokens.bos != null ? [model.tokens.bos] : [];
  return [...bos, pre, ...prefixTokens, suf, ...suffixTokens, mid];
}

/** Whether the model can fill in the middle (Codestral's FIM tokens included, which llama.cpp does not report). */
export function hasFimTokens(model: LlamaModel): boolean {
  return detectFimFormat(model) !== undefined;
}

export function noFimTokensError(fileName: string): SovereignError {
  const name = fileName;
  return new SovereignError(
    'noFimTokens',
    `${name} has no fill-in-the-middle tokens, so it cannot complete code. Choose a coder base model (for example Qwen2.5-Coder-1.5B base), not a chat or instruct model.`,
  );
}
