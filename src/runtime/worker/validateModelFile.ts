import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { SovereignError, isModelProblem, type ModelProblem } from '../../common/errors';

const ggufMagic = Buffer.from('GGUF', 'ascii');

/**
 * Cheap checks before llama.cpp sees the file, so each failure names the file and the problem
 * instead of a generic "failed to load model".
 */
export async function validateModelFile(path: string): Promise<{ bytes: number }> {
  const name = basename(path);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new SovereignError('modelNotFound', `Model file not found: ${path}`);
  }
  if (!info.isFile()) {
    throw new SovereignError('notGguf', `${name} is not a file. Choose a .gguf model file.`);
  }
  const header = Buffer.alloc(4);
  const fh = await open(path, 'r');
  try {
    await fh.read(header, 0, 4, 0);
  } finally {
    await fh.close();
  }
  if (!header.equals(ggufMagic)) {
    throw new SovereignError('notGguf', `${name} is not a GGUF model file. Choose a .gguf model file (llama.cpp format).`);
  }
  return { bytes: info.size };
}

export function unsupportedArchitectureError(fileName: string, architecture: string): SovereignError {
  return new SovereignError(
    'unsupportedArchitecture',
    `${fileName} uses the "${architecture}" architecture, which this version of llama.cpp cannot run. Choose a model of a supported family (Qwen2.5-Coder, DeepSeek-Coder, StarCoder2).`,
  );
}

export function noFimTokensError(fileName: string): SovereignError {
  return new SovereignError(
    'noFimTokens',
    `${fileName} has no fill-in-the-middle tokens, so it cannot complete code. Choose a coder base model (for example Qwen2.5-Coder-1.5B base), not a chat or instruct model.`,
  );
}

export function noChatTemplateError(fileName: string): SovereignError {
  return new SovereignError(
    'noChatTemplate',
    `${fileName} has no chat template, so it cannot hold a conversation. Choose an instruct model for chat (for example Qwen2.5-Coder-1.5B-Instruct).`,
  );
}

/** The problem a failed check names; anything else is a bug and stays an exception. */
export function problemOf(e: unknown): { kind: ModelProblem; message: string } {
  if (e instanceof SovereignError && isModelProblem(e.kind)) return { kind: e.kind, message: e.message };
  throw e;
}
