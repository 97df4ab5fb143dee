import { createHash } from 'node:crypto';

/** What identifies a chunk's text for its embedding: equal text, equal vector (vectorStore.ts). */
export function chunkHash(text: string): string {
  return createHash('sha1').update(text).digest('base64').slice(0, 20);
}
