import * as assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { binarySniffChars } from '../../../src/common/contentPolicy';
import type { SovereignApi } from '../../../src/extension';
import type { CompletionParams } from '../../../src/runtime/protocol';
import { recordCompletionRequests } from './recordCompletionRequests';

/**
 * Every caller of the content policy, against the same fixtures: secret files (by name and by a
 * pattern of ours), a `files.exclude` folder, a binary file, and an allowed file that proves the
 * path carries text at all. Each caller has its own copy of each fixture with its own canary, so
 * a red row names the caller whose copy of the rules drifted.
 */

interface Fixture {
  name: string;
  rel: string;
  content(canary: string): string;
  /** Refused by every caller that reads content (the allowed file is the positive control). */
  refused: boolean;
}

/** The canary on line 0, filler lines, a NUL at the policy's last sniffed character, more text: it opens as text. */
function binaryContent(canary: string): string {
  const head = `VALUE = "${canary}"\n`;
  let body = head;
  while (body.length + 6 <= binarySniffChars - 1) body += 'x = 1\n';
  body = body.padEnd(binarySniffChars - 1, '#');
  return `${body}\0\n${'y = 2\n'.repeat(50)}`;
}

const fixtures: Fixture[] = [
  { name: 'a secret by name (.env*)', rel: '.env', content: (c) => `API_TOKEN=${c}\n\nOTHER=1\n`, refused: true },
  { name: 'a folder in sovereign.context.exclude', rel: 'secrets/token.py', content: (c) => `TOKEN = "${c}"\n\n\ndef token():\n    return TOKEN\n`, refused: true },
  { name: 'a folder in files.exclude', rel: 'hidden/notes.py', content: (c) => `NOTE = "${c}"\n\n\ndef note():\n    return NOTE\n`, refused: true },
  { name: `a binary file (NUL at character ${binarySniffChars - 1})`, rel: 'binary.py', content: binaryContent, refused: true },
  { name: 'an allowed file (positive control)', rel: 'allowed.py', content: (c) => `VALUE = "${c}"\n\n\ndef value():\n    return VALUE\n`, refused: false },
];

/** What one caller did with one fixture: whether its canary reached a model, and the reason shown if any. */
interface Outcome {
  reached: boolean;
  /** The refusal the user sees (a chat chip's note), where the caller shows one. */
  note?: string;
}

interface Caller {
  name: string;
  folder: string;
  /** False where the caller does not read content (the picker lists names; reading is decided when attached). */
  decidesBinary?: boolean;
  reach(uri: vscode.Uri, canary: string): Promise<Outcome>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function registerContentPolicyCallerTests(): void {
  describe('Content policy: every caller refuses the same files (canary strings)', () => {
    let api: SovereignApi;
    let root: vscode.Uri;
    const calls: CompletionParams[] = [];
    let restore: (() => void) | undefined;
    let probeLine = 0;
    let triggers = 0;
    const canaryOf = (caller: Caller, fixture: Fixture) => `CANARY_${caller.folder}_${fixtures.indexOf(fixture)}_c0ffee`;
    const uriOf = (caller: Caller, fixture: Fixture) => vscode.Uri.joinPath(root, 'callers', caller.folder, fixture.rel);

    async function show(uri: vscode.Uri, language?: string): Promise<vscode.TextEditor> {
      let doc = await vscode.workspace.openTextDocument(uri);
      if (language && doc.languageId !== language) doc = await vscode.languages.setTextDocumentLanguage(doc, language);
      return vscode.window.showTextDocument(doc);
    }

    function complete(doc: vscode.TextDocument, position: vscode.Position) {
      return api.completionProvider.provideInlineCompletionItems(
        doc,
        position,
        { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined } as unknown as vscode.InlineCompletionContext,
        new vscode.CancellationTokenSource().token,
      );
    }

    /**
     * Offers a fresh allowed file to the ring and waits until the ring holds it: the feeder handles
     * what it was offered in order, so everything offered before (and the warm-up that follows a
     * change) has been decided. A warm-up shows the ring; when none comes (the active file is
     * refused), a completion elsewhere does, once completion has been quiet long enough to feed.
     */
    async function afterRingTakes(folder: string): Promise<void> {
      const marker = `TRIGGER_${folder}_${++triggers}`;
      const trigger = vscode.Uri.joinPath(root, 'callers', folder, `trigger${triggers}.py`);
      await writeFile(trigger.fsPath, `def trigger_${triggers}():\n    return "${marker}"\n`);
      const from = calls.length;
      await vscode.workspace.openTextDocument(trigger);
      const holds = () => calls.slice(from).some((p) => (p.extra ?? []).some((c) => c.text.includes(marker)));
      const probe = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, 'callers', 'probe.py'));
      const end = Date.now() + 45_000;
      while (!holds()) {
        if (Date.now() > end) throw new Error(`the ring never took ${marker}`);
        await sleep(3500); // the feeder waits for 3 s without a completion
        if (!holds()) await complete(probe, new vscode.Position(probeLine++ % 200, 0));
      }
    }

    async function nextContext(label: string, expectListed: boolean) {
      const end = Date.now() + 15_000;
      for (;;) {
        const context = await api.chat.nextContext(8192);
        const listed = [...context.sent, ...context.refused].some((a) => a.label === label);
        if (listed || !expectListed) return context;
        if (Date.now() > end) throw new Error(`${label} never appeared in the chat context: ${JSON.stringify(context.refused)}`);
        await sleep(100);
      }
    }

    const outcomeIn = (context: Awaited<ReturnType<typeof nextContext>>, label: string, canary: string): Outcome => ({
      reached: context.sent.some((a) => a.text.includes(canary)),
      note: context.refused.find((r) => r.label === label)?.note,
    });

    const callers: Caller[] = [
      {
        name: 'completion provider (the file typed in)',
        folder: 'provider',
        async reach(uri, canary) {
          const editor = await show(uri, 'python');
          const from = calls.length;
          await complete(editor.document, new vscode.Position(1, 0));
          return { reached: JSON.stringify(calls.slice(from).map((p) => [p.prefix, p.suffix])).includes(canary) };
        },
      },
      {
        name: 'context feeder and ring (extra context)',
        folder: 'ring',
        async reach(uri, canary) {
          await show(vscode.Uri.joinPath(root, 'callers', 'probe.py')); // an allowed active file: its warm-up shows the ring
          const from = calls.length;
          await vscode.workspace.openTextDocument(uri); // opening a file offers it to the ring
          await afterRingTakes('ring');
          return { reached: JSON.stringify(calls.slice(from).map((p) => p.extra ?? [])).includes(canary) };
        },
      },
      {
        name: 'warm-up (the active file, when the ring changes)',
        folder: 'warmUp',
        async reach(uri, canary) {
          await show(uri);
          const from = calls.length;
          await afterRingTakes('warmUp');
          return { reached: JSON.stringify(calls.slice(from).filter((p) => p.maxTokens === 0).map((p) => [p.prefix, p.suffix])).includes(canary) };
        },
      },
      {
        name: 'chat: the active file',
        folder: 'chatActive',
        async reach(uri, canary) {
          await show(uri);
          const label = vscode.workspace.asRelativePath(uri, false);
          return outcomeIn(await nextContext(label, true), label, canary);
        },
      },
      {
        name: 'chat: an added file that is open',
        folder: 'chatAddedOpen',
        async reach(uri, canary) {
          await vscode.workspace.openTextDocument(uri);
          await vscode.commands.executeCommand('sovereign.chatAboutFile', uri);
          const label = vscode.workspace.asRelativePath(uri, false);
          return outcomeIn(await nextContext(label, false), label, canary);
        },
      },
      {
        name: 'chat: an added file read from disk',
        folder: 'chatAddedDisk',
        async reach(uri, canary) {
          assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()), 'the file is not open: it is read from disk');
          await vscode.commands.executeCommand('sovereign.chatAboutFile', uri);
          const label = vscode.workspace.asRelativePath(uri, false);
          return outcomeIn(await nextContext(label, false), label, canary);
        },
      },
      {
        name: 'chat: a selection',
        folder: 'chatSelection',
        async reach(uri, canary) {
          const editor = await show(uri);
          editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
          await vscode.commands.executeCommand('sovereign.askAboutSelection');
          const label = `${vscode.workspace.asRelativePath(uri, false)}:1-1`;
          return outcomeIn(await nextContext(label, false), label, canary);
        },
      },
      {
        name: 'chat: the "@" picker (Add File to Chat)',
        folder: 'picker',
        decidesBinary: false,
        async reach(uri) {
          return { reached: (await api.chat.pickableFiles()).includes(vscode.workspace.asRelativePath(uri, false)) };
        },
      },
    ];

    before(async function () {
      this.timeout(60_000);
      api = await vscode.extensions.getExtension<SovereignApi>('sovereign.sovereign')!.activate();
      root = vscode.workspace.workspaceFolders![0].uri;
      for (const caller of callers) {
        for (const fixture of fixtures) {
          const file = uriOf(caller, fixture).fsPath;
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, fixture.content(canaryOf(caller, fixture)));
        }
      }
      await writeFile(join(root.fsPath, 'callers', 'probe.py'), Array.from({ length: 200 }, (_, i) => `def probe_${i}(x):\n    return x + ${i}\n`).join(''));
      await api.runtime.load('completion');
      // No speculative request after each answer: only the callers under test ask the model.
      await vscode.workspace.getConfiguration('sovereign.completion').update('speculate', false, vscode.ConfigurationTarget.Global);
      restore = recordCompletionRequests(api, (params) => calls.push(params));
    });

    after(async () => {
      restore?.();
      await vscode.workspace.getConfiguration('sovereign.completion').update('speculate', undefined, vscode.ConfigurationTarget.Global);
    });

    for (const caller of callers) {
      for (const fixture of fixtures) {
        if (fixture.rel === 'binary.py' && caller.decidesBinary === false) continue;
        it(`content policy, ${caller.name}: ${fixture.name} ${fixture.refused ? 'never reaches a model' : 'does reach it'}`, async function () {
          this.timeout(90_000);
          const canary = canaryOf(caller, fixture);
          const outcome = await caller.reach(uriOf(caller, fixture), canary);
          assert.equal(outcome.reached, !fixture.refused, fixture.refused ? `${canary} got through ${caller.name}` : `the allowed file did not reach ${caller.name}: the path is broken`);
          if (outcome.note !== undefined) {
            assert.ok(fixture.refused, `refused: ${outcome.note}`);
            assert.match(outcome.note, fixture.rel === 'binary.py' ? /is a binary file: never sent$/ : /matches ".+" in (sovereign\.context\.exclude|files\.exclude): never sent$/);
          }
        });
      }
    }
  });
}
