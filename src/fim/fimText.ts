/**
 * FIM prompts as TEXT, for OpenAI-compatible `/v1/completions` servers (vLLM, llama-server,
 * Ollama…), which take a prompt string and tokenize it themselves: the pieces of fimLayout.ts
 * written out, control tokens as their text.
 *
 * Text mode cannot keep user text from being read as control tokens: a file that contains
 * `<|fim_prefix|>` reaches the server as that text. llama-server's `/infill` tokenizes the pieces
 * itself and has no such gap. Nor can text ask a SentencePiece server for "no dummy space" where
 * it adds one itself (after a special token): Codestral's suffix gets one there.
 */
import { fimFamilyOfTemplate, fimStopTexts, type FimFamilySpec, type FimTemplate } from './fimFamilies';
import { fimLayout, type FimPiece, type FimPromptParts } from './fimLayout';

/** Strings that end a completion, besides the server's end-of-generation tokens. */
export function fimStops(template: FimTemplate): readonly string[] {
  return fimStopTexts(fimFamilyOfTemplate(template));
}

export function fimPromptText(template: FimTemplate, parts: FimPromptParts): string {
  const spec = fimFamilyOfTemplate(template);
  return fimPiecesText(spec, fimLayout(spec, parts));
}

/**
 * `spaced` families (CodeLlama): control tokens are written as SentencePiece prints them
 * (` <SUF>`) and a lead text carries its dummy space (`<PRE> {pre}`), because the server meets
 * them as plain text; the dummy space at the very start it adds itself. Other families' special
 * tokens are parsed by the server, which adds any dummy space after them itself.
 */
function fimPiecesText(spec: FimFamilySpec, pieces: readonly FimPiece[]): string {
  const tokens = spec.tokens;
  if (!tokens) throw new Error(`${spec.family} has no text form`);
  let out = '';
  for (const p of pieces) {
    if (p.kind === 'bos') continue; // the server adds its own
    if (p.kind === 'control') {
      const t = tokens[p.control];
      if (t === undefined) throw new Error(`${spec.family} has no ${p.control} token`);
      out += spec.spaced ? ` ${t}` : t;
    } else {
      out += spec.spaced && p.lead && p.text !== '' ? ` ${p.text}` : p.text;
    }
  }
  return spec.spaced ? out.replace(/^ /, '') : out;
}
