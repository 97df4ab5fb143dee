/** The likelihood bench's pure parts: its cases from the replay, the peer's request, the suggestion scores. */
import assert from 'node:assert/strict';
import { acceptedChars, suggestionScore } from '../../bench/quality/likelihood';
import { likelihoodCases, spreadCases } from '../../bench/quality/likelihoodCases';
import { peerRequest } from '../../bench/quality/likelihoodPeerPrompt';
import { buildReplay, type SourceFile } from '../../bench/replay';

function sourceFile(): SourceFile {
  const lines: string[] = ['// a module'];
  for (let i = 0; i < 30; i++) {
    lines.push(`export function step${i}(input: number): number {`, `  const doubled = input * ${i + 2};`, `  return doubled + ${i};`, '}', '');
  }
  return { path: '/w/src/steps.ts', rel: 'src/steps.ts', text: lines.join('\n') };
}

describe('likelihood bench: cases and scores', () => {
  it('each case is a wait point: the typed part of a region ends the prefix, the truth is the rest of it', async () => {
    const replay = buildReplay([sourceFile()], { seed: 7, quick: false });
    const cases = await likelihoodCases([sourceFile()], 7);
    assert.ok(cases.length >= 3, `${cases.length} cases`);
    const regions = replay.sessions[0].regions.map((r) => r.text);
    const whole = replay.sessions[0].file.text;
    for (const c of cases) {
      assert.equal(c.file, 'src/steps.ts');
      assert.equal(c.language, 'typescript');
      assert.ok(c.truth.trim() !== '');
      const region = regions.find((r) => r.endsWith(c.truth) && c.prefix.endsWith(r.slice(0, r.length - c.truth.length)));
      assert.ok(region !== undefined, `truth ${JSON.stringify(c.truth)} continues a region typed up to the cursor`);
      // After the cursor comes what followed the region in the file (regions are 8+ lines apart).
      const end = whole.indexOf(region) + region.length;
      assert.ok(c.suffix.startsWith(whole.slice(end, end + 60)), 'the suffix is the document after the region');
    }
  });

  it('spreads a limited number of cases over the whole list, in order', () => {
    assert.deepEqual(spreadCases([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3), [0, 3, 6]);
    assert.deepEqual(spreadCases([0, 1], 5), [0, 1]);
  });

  it("builds llama.vscode's request: whole lines above, the rest of the line and lines below, the line's text as prompt", () => {
    const r = peerRequest('a\nb\nc\n  foo(', 'x);\nd\ne\nf', { nPrefixLines: 2, nSuffixLines: 2, nBatch: 1024 });
    assert.deepEqual(r, { inputPrefix: 'b\nc\n', inputSuffix: 'x);\nd\ne\n', prompt: '  foo(' });
    assert.equal(peerRequest('a\n    ', '\nb', { nPrefixLines: 9, nSuffixLines: 9, nBatch: 1024 }).prompt, '', 'only indentation: no prompt');
  });

  it('accepts a whole correct suggestion, else its correct words, never a wrong character', () => {
    assert.equal(acceptedChars('return a;', 'return a;\n}'), 9);
    assert.equal(acceptedChars('foo(bar)', 'foo(baz)'), 4);
    assert.equal(acceptedChars('value + 1', 'value - 1'), 6);
    assert.equal(acceptedChars('x', 'y'), 0);
    assert.equal(acceptedChars('', 'y'), 0);
  });

  it('scores a suggestion that replaces the indentation against the indentation and the truth', () => {
    const truth = 'return x;\n}';
    const replaced = suggestionScore({ text: '  return x;', replaceIndent: true, source: 'model' }, truth, '    ', 'indent');
    assert.deepEqual(replaced, { shown: '  return x;', exactLine: false, exactLines: false, acceptedChars: 0, stop: 'indent' }, 'a wrong indentation keeps nothing');
    const dedent = suggestionScore({ text: '  return x;\n}', replaceIndent: true, source: 'model' }, 'return x;\n}', '  ', 'eog');
    assert.equal(dedent.acceptedChars, 'return x;\n}'.length, 'a correct one counts the truth, not the indentation already there');
    const kept = suggestionScore({ text: 'return x;', replaceIndent: false, source: 'model' }, truth, '  ', 'indent');
    assert.deepEqual(kept, { shown: 'return x;', exactLine: true, exactLines: true, acceptedChars: 9, stop: 'indent' });
    const block = suggestionScore({ text: 'return x;\n}', replaceIndent: false, source: 'model' }, truth, '  ', 'eog');
    assert.equal(block.exactLine, false);
    assert.equal(block.exactLines, true);
    assert.equal(suggestionScore(undefined, truth, '', 'none').acceptedChars, 0);
  });
});
