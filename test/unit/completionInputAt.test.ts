import * as assert from 'node:assert/strict';
import { charsPerToken } from '../../src/common/charsPerToken';
import { completionInputAt, type LineSource, type WindowSettings } from '../../src/completion/completionWindow';

const doc = (lines: string[]): LineSource => ({ lineCount: lines.length, lineAt: (i) => lines[i] });
const settings: WindowSettings = { prefixLines: 256, suffixLines: 64, maxPrefixTokens: 16, maxSuffixTokens: 4 };

describe('completionInputAt (the input the extension and the benchmark build)', () => {
  it('bounds the prefix by maxPrefixTokens × charsPerToken.most on a long line', () => {
    const line = 'x'.repeat(10_000);
    const input = completionInputAt(doc([line]), 0, 1100, settings);
    assert.ok(input.prefix.length > 0 && input.prefix.length <= 16 * charsPerToken.most, `prefix ${input.prefix.length}`);
    assert.equal(completionInputAt(doc([line]), 0, 1100, { ...settings, maxPrefixTokens: 1000 }).prefix.length, 1100);
  });

  it('gives the suffix at least 256 characters whatever maxSuffixTokens says', () => {
    const line = 'y'.repeat(10_000);
    const input = completionInputAt(doc([line]), 0, 0, settings);
    assert.equal(input.suffix.length, 256);
    const wider = completionInputAt(doc([line]), 0, 0, { ...settings, maxSuffixTokens: 100 });
    assert.equal(wider.suffix.length, 100 * charsPerToken.most);
  });

  it('keeps the line bounds and carries the file path and repository name', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `l${i}`);
    const input = completionInputAt(doc(lines), 50, 1, { ...settings, maxPrefixTokens: 1000, maxSuffixTokens: 1000, suffixLines: 2 }, { filePath: 'src/a.ts', repoName: 'r' });
    assert.deepEqual(input.linesBelow, ['l51', 'l52']);
    assert.equal(input.linePrefix, 'l');
    assert.equal(input.filePath, 'src/a.ts');
    assert.equal(input.repoName, 'r');
  });
});
