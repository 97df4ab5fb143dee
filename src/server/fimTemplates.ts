/**
 * Fill-in-the-middle prompts as TEXT, for OpenAI-compatible `/v1/completions` servers (vLLM,
 * llama-server, Ollama…), which take a prompt string and tokenize it themselves. The layouts are
 * the ones the worker builds in tokens (src/runtime/worker/fimFormat.ts explains each choice):
 * repo-level for Qwen2.5-Coder and StarCoder2, extra context as path-commented files inside the
 * prefix span for the others.
 *
 * Text mode cannot keep user text from being read as control tokens: a file that contains
 * `<|fim_prefix|>` reaches the server as that text. llama-server's `/infill` (the `llama-server`
 * backend) tokenizes the pieces itself and has no such gap.
 */
import type { ContextChunk } from '../runtime/protocol';
import { lineComment } from '../runtime/worker/lineComment';

export const fimTemplates = ['qwen', 'deepseek', 'starcoder2', 'codellama', 'codestral'] as const;
export type FimTemplate = (typeof fimTemplates)[number];

export interface FimTextParts {
  prefix: string;
  suffix: string;
  /** Other files' pieces, most stable first. */
  extra: readonly ContextChunk[];
  filePath?: string;
  repoName?: string;
}

/** Strings that end a completion, besides the server's end-of-generation tokens. */
export const fimStops: Record<FimTemplate, readonly string[]> = {
  qwen: ['<|endoftext|>', '<|fim_pad|>', '<|file_sep|>', '<|repo_name|>', '<|im_start|>', '<|im_end|>', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>'],
  deepseek: ['<｜end▁of▁sentence｜>', '<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>'],
  starcoder2: ['<|endoftext|>', '<file_sep>', '<repo_name>', '<fim_prefix>', '<fim_suffix>', '<fim_middle>'],
  codellama: ['<EOT>', '<PRE>', '<SUF>', '<MID>'],
  codestral: ['[PREFIX]', '[SUFFIX]', '[MIDDLE]', '</s>'],
};

export function isFimTemplate(value: unknown): value is FimTemplate {
  return typeof value === 'string' && (fimTemplates as readonly string[]).includes(value);
}

export function fimPromptText(template: FimTemplate, p: FimTextParts): string {
  switch (template) {
    case 'qwen': {
      const repoLevel = p.repoName !== undefined || p.extra.length > 0 || p.filePath !== undefined;
      if (!repoLevel) return `<|fim_prefix|>${p.prefix}<|fim_suffix|>${p.suffix}<|fim_middle|>`;
      const repo = p.repoName !== undefined ? `<|repo_name|>${p.repoName}\n` : '';
      const files = p.extra.map((c) => `<|file_sep|>${c.path}\n${withoutFinalNewline(c.text)}\n`).join('');
      return `${repo}${files}<|file_sep|>${p.filePath ?? 'untitled'}\n<|fim_prefix|>${p.prefix}<|fim_suffix|>${p.suffix}<|fim_middle|>`;
    }
    case 'starcoder2': {
      // The FIM file's path sits inside the prefix span (StarCoder2 paper, section 5).
      const repo = p.repoName !== undefined ? `<repo_name>${p.repoName}` : '';
      const files = p.extra.map((c) => `<file_sep>${c.path}\n${c.text}`).join('');
      const header = p.filePath !== undefined ? `${p.filePath}\n` : '';
      return `${repo}${files}<file_sep><fim_prefix>${header}${p.prefix}<fim_suffix>${p.suffix}<fim_middle>`;
    }
    case 'deepseek':
      return `<｜fim▁begin｜>${commented(p)}<｜fim▁hole｜>${p.suffix}<｜fim▁end｜>`;
    case 'codellama':
      return `<PRE> ${commented(p)} <SUF>${p.suffix} <MID>`;
    case 'codestral':
      return `[SUFFIX]${p.suffix}[PREFIX]${commented(p)}`;
  }
}

/** Extra chunks and the file's own path as comments, then the prefix (families without repo tokens). */
function commented(p: FimTextParts): string {
  const chunks = p.extra.map((c) => `${lineComment(c.path)}\n${withoutFinalNewline(c.text)}\n\n`).join('');
  const header = p.filePath !== undefined ? `${lineComment(p.filePath)}\n` : '';
  return `${chunks}${header}${p.prefix}`;
}

function withoutFinalNewline(s: string): string {
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}
