/**
 * Binary content never reaches a prompt: a NUL character marks it, the rule git uses. VS Code
 * already refuses to open a file with a NUL in its first 512 bytes as text, but a file with
 * text up front, or one opened with "Open Anyway", still arrives here.
 */
export function looksBinary(text: string): boolean {
  return text.includes('\0');
}

/** Characters of a document's start that are checked (git checks its first 8,000 bytes). */
export const binarySniffChars = 8000;
