import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { windowLimits } from '../../../src/completion/completionWindow';
import { completionSettings } from '../../../src/config/completionSettings';
import { Config } from '../../../src/config/config';
import { maxChunkChars } from '../../../src/completion/contextRing';
import type { SovereignApi } from '../../../src/extension';
import type { CompletionParams, CompletionResult } from '../../../src/runtime/protocol';
import { feederCaughtUp } from './feederCaughtUp';

interface Call {
  params: CompletionParams;
  /** When the runtime was asked, after the provider was called (the host's own work). */
  askedAt: number;
  result?: CompletionResult;
}

/** Deterministic bytes with NULs, like an image or an object file. */
function binaryBytes(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = 12345;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    bytes[i] = i % 7 === 0 ? 0 : x >> 16;
  }
  return bytes;
}

/**
 * A 5 MB minified line, a 10,000-line file and binary files, inside the real extension host with
 * the real worker: the prompt the runtime receives stays bounded, an answer comes within
 * the test's own timeout, the host's part of it is smaller than the model's, and a binary file asks
 * nothing of the model. The times are printed.
 */
export function registerHugeFileTests(): void {
  describe('Huge, long and binary files: bounded prompt, no hang', () => {
    let api: SovereignApi;
    const calls: Call[] = [];
    let restore: (() => void) | undefined;
    let root: vscode.Uri;
    let maxPrefixChars = 0;
    let maxSuffixChars = 0;

    before(async function () {
      this.timeout(60_000);
      api = await vscode.extensions.getExtension<SovereignApi>('sovereign.sovereign')!.activate();
      await api.runtime.load('completion'); // the times below are completions, not a model load
      const original = api.runtime.complete.bind(api.runtime);
      api.runtime.complete = async (params, signal) => {
        const call: Call = { params, askedAt: performance.now() };
        calls.push(call);
        call.result = await original(params, signal);
        return call.result;
      };
      // No speculative request after each answer: each test then knows exactly what asked the
      // model, and the ring's quiet period (3 s after the last completion) is predictable.
      await vscode.workspace.getConfiguration('sovereign.completion').update('speculate', false, vscode.ConfigurationTarget.Global);
      restore = () => (api.runtime.complete = original);
      // The provider's own bounds, from the settings in effect.
      ({ prefixChars: maxPrefixChars, suffixChars: maxSuffixChars } = windowLimits(completionSettings(new Config())));

      root = vscode.workspace.workspaceFolders![0].uri;
      const unit = 'function a(b,c){return b+c}var d=a(1,2),e=[1,2,3].map(function(f){return f*d});';
      await writeFile(join(root.fsPath, 'huge.min.js'), unit.repeat(Math.ceil((5 * 1024 * 1024) / unit.length)));
      const lines = Array.from({ length: 10_000 }, (_, i) => `def step_${i}(value):\n    return value + ${i}\n`).join('').split('\n').slice(0, 10_000);
      await writeFile(join(root.fsPath, 'long.py'), lines.join('\n'));
      await writeFile(join(root.fsPath, 'image.png'), Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), binaryBytes(64 * 1024)]));
      // Text first (VS Code checks only the first 512 bytes for NULs), binary after: opens as text.
      await writeFile(join(root.fsPath, 'mixed.py'), Buffer.concat([Buffer.from('HEADER = 1\n'.repeat(100)), binaryBytes(64 * 1024)]));
    });

    after(async () => {
      restore?.();
      await vscode.workspace.getConfiguration('sovereign.completion').update('speculate', undefined, vscode.ConfigurationTarget.Global);
    });

    async function open(name: string, language?: string): Promise<{ doc: vscode.TextDocument; openMs: number }> {
      const start = performance.now();
      let doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, name));
      if (language && doc.languageId !== language) doc = await vscode.languages.setTextDocumentLanguage(doc, language);
      await vscode.window.showTextDocument(doc);
      return { doc, openMs: performance.now() - start };
    }

    async function complete(doc: vscode.TextDocument, position: vscode.Position): Promise<{ ms: number; hostMs?: number; asked: Call[]; items: unknown }> {
      const before = calls.length;
      const start = performance.now();
      const items = await api.completionProvider.provideInlineCompletionItems(
        doc,
        position,
        { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined } as unknown as vscode.InlineCompletionContext,
        new vscode.CancellationTokenSource().token,
      );
      const ms = performance.now() - start;
      const asked = calls.slice(before).filter((c) => c.params.maxTokens > 0);
      return { ms, hostMs: asked[0] ? asked[0].askedAt - start : undefined, asked, items };
    }

    /** The request the provider made: one, bounded in characters and in prompt tokens, answered. */
    function assertBounded(what: string, r: Awaited<ReturnType<typeof complete>>): void {
      assert.equal(r.asked.length, 1, `${what}: the model was asked once`);
      const { params, result } = r.asked[0];
      // "Did not hang" without a wall-clock bound a loaded machine misses: the answer came, and cutting
      // the window out of the huge file took the host less time than the model took for the prompt.
      assert.ok(result && r.hostMs !== undefined && r.hostMs < result.stats.totalMs, `${what}: the host took ${r.hostMs} ms before asking the model (the model: ${result?.stats.totalMs} ms)`);
      const extraChars = (params.extra ?? []).reduce((n, c) => n + c.text.length, 0);
      assert.ok(params.prefix.length <= maxPrefixChars, `${what}: prefix ${params.prefix.length} chars`);
      assert.ok(params.suffix.length <= maxSuffixChars, `${what}: suffix ${params.suffix.length} chars`);
      for (const chunk of params.extra ?? []) assert.ok(chunk.text.length <= maxChunkChars, `${what}: a ring chunk of ${chunk.text.length} chars`);
      assert.ok(result, `${what}: the runtime answered`);
      const promptTokens = result.stats.reusedTokens + result.stats.evaluatedTokens;
      const budget = params.maxPrefixTokens + params.maxSuffixTokens + (params.maxExtraTokens ?? 0) + 64; // + control tokens, paths
      assert.ok(promptTokens <= budget, `${what}: a prompt of ${promptTokens} tokens (budget ${budget})`);
      console.log(
        `      ${what}: answered in ${Math.round(r.ms)} ms (host side ${r.hostMs?.toFixed(1)} ms), sent prefix ${params.prefix.length} + suffix ${params.suffix.length} + extra ${extraChars} chars, prompt ${promptTokens} tokens (reused ${result.stats.reusedTokens}, evaluated ${result.stats.evaluatedTokens})`,
      );
    }

    it('a 5 MB one-line minified file: cursor in the middle and at the end', async function () {
      this.timeout(120_000);
      const { doc, openMs } = await open('huge.min.js');
      const length = doc.lineAt(0).text.length;
      console.log(`      huge.min.js: ${(length / 2 ** 20).toFixed(1)} MB on ${doc.lineCount} line, opened in ${Math.round(openMs)} ms`);
      assert.equal(doc.lineCount, 1);
      assert.ok(length >= 5 * 2 ** 20);
      assertBounded('5 MB line, cursor in the middle', await complete(doc, new vscode.Position(0, Math.floor(length / 2))));
      assertBounded('5 MB line, cursor at the end', await complete(doc, new vscode.Position(0, length)));
    });

    it('a 10,000-line file: cursor near the end', async function () {
      this.timeout(120_000);
      const { doc, openMs } = await open('long.py');
      console.log(`      long.py: ${doc.lineCount} lines, opened in ${Math.round(openMs)} ms`);
      assert.equal(doc.lineCount, 10_000);
      assertBounded('10,000 lines, cursor at line 9,990', await complete(doc, new vscode.Position(9_990, 4)));
    });

    it('a binary file: no completion and no model call', async function () {
      this.timeout(60_000);
      // VS Code itself refuses to open a file with a NUL in its first 512 bytes as text.
      const png = await open('image.png', 'python').then(
        (r) => r.doc,
        (e: unknown) => (console.log(`      image.png: VS Code does not open it as text (${e instanceof Error ? e.message : String(e)})`), undefined),
      );
      const targets: [vscode.TextDocument, vscode.Position][] = [];
      if (png) targets.push([png, new vscode.Position(png.lineCount - 1, 0)]);
      // One VS Code does open: text first, binary after.
      const { doc: mixed } = await open('mixed.py', 'python');
      assert.equal(mixed.languageId, 'python', 'a language completion is enabled for');
      assert.ok(mixed.getText().includes('\0'), 'the document holds the NULs');
      targets.push([mixed, new vscode.Position(50, 6)], [mixed, new vscode.Position(mixed.lineCount - 1, 0)]);
      for (const [doc, position] of targets) {
        const before = calls.length;
        const r = await complete(doc, position);
        console.log(`      ${doc.uri.path.split('/').pop()} at ${position.line}:${position.character}: no completion, decided in ${r.ms.toFixed(1)} ms`);
        assert.equal(r.items, undefined);
        assert.equal(calls.length, before, 'the model was not asked');
      }
    });

    it('binary files never enter the extra context; a 5 MB file enters it as one bounded chunk', async function () {
      this.timeout(60_000);
      // A document of its own: one completed before (main.py) may be answered from the cache.
      const probe = await vscode.workspace.openTextDocument({ language: 'python', content: 'def probe_after_huge_files(values):\n    return ' });
      await vscode.window.showTextDocument(probe);
      // Every file opened above has been taken into the ring or refused (was: a 4 s sleep).
      await feederCaughtUp(() => calls.map((c) => c.params));
      const r = await complete(probe, new vscode.Position(1, 11));
      assert.equal(r.asked.length, 1, 'the model was asked once');
      const extra = r.asked[0].params.extra ?? [];
      console.log(`      extra context after opening them: ${extra.map((c) => `${c.path} (${c.text.length} chars)`).join(', ')}`);
      assert.ok(!extra.some((c) => c.path.endsWith('mixed.py') || c.path.endsWith('image.png')), 'a binary file is in the ring');
      const sent = calls.map((c) => c.params);
      assert.ok(!JSON.stringify(sent).includes('HEADER = 1'), 'text of the binary file reached a prompt');
      assert.ok(!sent.some((p) => (p.extra ?? []).some((c) => c.text.includes('\0'))), 'a NUL reached the extra context');
      const huge = extra.filter((c) => c.path.endsWith('huge.min.js'));
      assert.ok(huge.length >= 1, 'the 5 MB file was offered to the ring (the path works)');
      for (const c of huge) assert.ok(c.text.length <= maxChunkChars);
    });
  });
}
