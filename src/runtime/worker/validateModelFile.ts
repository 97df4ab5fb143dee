import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { SovereignError } from '../../common/errors';

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
