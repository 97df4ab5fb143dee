/**
 * What the index refuses after reading a file, beyond the content policy's place rules: binary
 * content (the policy's own test) and minified or generated text, whose lines are no unit a
 * person asks about and whose tokens would crowd out real code. Size is checked before reading.
 */
import { looksBinary } from '../common/contentPolicy';
import type { SkipReason } from './indexProtocol';

/** Lines this long on average are minified or data (ordinary code averages 30–50 characters). */
const maxAverageLineLength = 300;

export function indexRefusal(text: string): SkipReason | undefined {
  // The whole text, not only its start: any chunk of it may be sent, and includes() is cheap.
  if (looksBinary(text)) return 'binary';
  if (text.length > 4 * maxAverageLineLength) {
    let lines = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    if (text.length / lines > maxAverageLineLength) return 'minified';
  }
  return undefined;
}
