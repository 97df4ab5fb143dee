import * as assert from 'node:assert/strict';
import { CancelledError } from '../../src/common/errors';
import { silentLog } from '../../src/common/log';
import { CompletionPipeline } from '../../src/completion/completionPipeline';
import { completionInputAt, type LineSource, type WindowSettings } from '../../src/completion/completionWindow';
import { extendItem, withItemInserted, type SelectedItem } from '../../src/completion/selectedItem';
import type { CompletionSettings } from '../../src/config/completionSettings';
import type { CompletionParams, CompletionResult } from '../../src/runtime/protocol';

const doc = (lines: string[]): LineSource => ({ lineCount: lines.length, lineAt: (i) => lines[i] });
const lines = (source: LineSource): string[] => Array.from({ length: source.lineCount }, (_, i) => source.lineAt(i));
const window: WindowSettings = { prefixLines: 256, suffixLines: 64, maxPrefixTokens: 1000, maxSuffixTokens: 1000 };
const item = (text: string, start: [number, number], end: [number, number] = start): SelectedItem => ({
  text,
  start: { line: start[0], character: start[1] },
  end: { line: end[0], character: end[1] },
});

/** The input the provider builds while the list has `selected` selected. */
function inputWith(source: LineSource, selected: SelectedItem) {
  const at = withItemInserted(source, selected);
  return completionInputAt(at.doc, at.line, at.character, window);
}

const cls = ['class Greeter {', '  name = "x";', '  greet() {', '    this.', '  }', '}'];

describe('withItemInserted (completing beside the suggestion list)', () => {
  it('the prefix ends with the selected item, the cursor right after it', () => {
    const at = withItemInserted(doc(cls), item('name', [3, 9]));
    assert.deepEqual([at.line, at.character], [3, 13]);
    assert.deepEqual(lines(at.doc), ['class Greeter {', '  name = "x";', '  greet() {', '    this.name', '  }', '}']);
    const input = completionInputAt(at.doc, at.line, at.character, window);
    assert.ok(input.prefix.endsWith('  greet() {\n    this.name'), input.prefix);
    assert.equal(input.linePrefix, '    this.name');
    assert.equal(input.suffix, '\n  }\n}');
  });

  it('the suffix starts after the item range, so the word the item replaces is not in the prompt twice', () => {
    // `this.na|mx` with an item replacing `namx` by `name`: the cursor sits inside the range.
    const source = doc(['    this.namx(1);']);
    const input = inputWith(source, item('name', [0, 9], [0, 13]));
    assert.equal(input.linePrefix, '    this.name');
    assert.equal(input.lineSuffix, '(1);');
  });

  it('an item of several lines, or a range over several lines, shifts the lines below', () => {
    const source = doc(['a', 'if (x) ', 'b', 'c']);
    const multiText = withItemInserted(source, item('{\n  y', [1, 7]));
    assert.deepEqual(lines(multiText.doc), ['a', 'if (x) {', '  y', 'b', 'c']);
    assert.deepEqual([multiText.line, multiText.character], [2, 3]);
    const multiRange = withItemInserted(source, item('Z', [1, 3], [2, 1]));
    assert.deepEqual(lines(multiRange.doc), ['a', 'if Z', 'c']);
    assert.deepEqual([multiRange.line, multiRange.character], [1, 4]);
  });

  it('the same list item gives the same input; another item gives another', () => {
    const source = doc(cls);
    assert.deepEqual(inputWith(source, item('name', [3, 9])), inputWith(source, item('name', [3, 9])));
    assert.notEqual(inputWith(source, item('greet', [3, 9])).prefix, inputWith(source, item('name', [3, 9])).prefix);
  });
});

describe('extendItem (what the provider returns beside the list)', () => {
  it('starts with the item text and keeps its range, as VS Code requires to show it', () => {
    const selected = item('na', [0, 9], [0, 11]);
    assert.deepEqual(extendItem(selected, { text: 'me = 1', replaceIndent: false }), { text: 'name = 1', start: selected.start, end: selected.end });
  });

  it('gives nothing for a continuation that would rewrite the indentation left of the item', () => {
    assert.equal(extendItem(item(' ', [0, 2]), { text: 'x', replaceIndent: true }), undefined);
    assert.equal(extendItem(item('a', [0, 2]), { text: '', replaceIndent: false }), undefined);
  });
});

class HeldRuntime {
  calls: { params: CompletionParams; signal?: AbortSignal }[] = [];
  release: (() => void) | undefined;
  async complete(params: CompletionParams, signal?: AbortSignal): Promise<CompletionResult> {
    this.calls.push({ params, signal });
    if (this.calls.length === 1) await new Promise<void>((r) => (this.release = r));
    if (signal?.aborted) throw new CancelledError();
    return { text: `(${this.calls.length})`, stats: { reusedTokens: 0, evaluatedTokens: 1, generatedTokens: 1, promptMs: 1, generateMs: 1, totalMs: 2, stop: 'maxTokens' } };
  }
}

const settings: CompletionSettings = {
  maxTokens: 16,
  maxLines: 8,
  timeBudgetMs: 0,
  maxPrefixTokens: 1000,
  maxSuffixTokens: 1000,
  maxExtraTokens: 0,
  debounceMinMs: 0,
  debounceMaxMs: 0,
  speculate: false,
};

describe('CompletionPipeline beside the suggestion list', () => {
  it('moving through the list cancels the stale request down to the model, and moving back asks the model no more', async () => {
    const rt = new HeldRuntime();
    const pipeline = new CompletionPipeline(rt, () => settings, undefined, silentLog);
    const source = doc(cls);
    const [name, greet] = [item('name', [3, 9]), item('greet', [3, 9])];

    // `name` is selected; the user moves to `greet` before the model answers: VS Code cancels the first request.
    const first = new AbortController();
    const stale = pipeline.provide(inputWith(source, name), first.signal);
    await until(() => rt.calls.length === 1);
    first.abort();
    rt.release?.();
    assert.equal(await stale, undefined);
    assert.equal(rt.calls[0].signal?.aborted, true, 'the model call of the stale item was aborted');
    assert.ok(rt.calls[0].params.prefix.endsWith('this.name'));

    const onGreet = await pipeline.provide(inputWith(source, greet), new AbortController().signal);
    assert.ok(rt.calls[1].params.prefix.endsWith('this.greet'));
    const onName = await pipeline.provide(inputWith(source, name), new AbortController().signal);
    assert.deepEqual([onGreet?.source, onName?.source, rt.calls.length], ['model', 'model', 3]);

    // Up and down again: each item's suggestion comes from the cache.
    const back = await pipeline.provide(inputWith(source, greet), new AbortController().signal);
    const again = await pipeline.provide(inputWith(source, name), new AbortController().signal);
    assert.deepEqual([back?.text, back?.source, again?.text, again?.source], [onGreet?.text, 'cache', onName?.text, 'cache']);
    assert.equal(rt.calls.length, 3);

    // Accepting the item puts the document where the list completion was computed: same suggestion, no model call.
    const accepted = doc(cls.map((l, i) => (i === 3 ? '    this.name' : l)));
    const afterAccept = await pipeline.provide(completionInputAt(accepted, 3, 13, window), new AbortController().signal);
    assert.deepEqual([afterAccept?.text, afterAccept?.source, rt.calls.length], [onName?.text, 'cache', 3]);
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r));
}
