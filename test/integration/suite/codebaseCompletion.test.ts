import * as assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SovereignApi } from '../../../src/extension';
import type { CompletionParams } from '../../../src/runtime/protocol';
import { recordCompletionRequests } from './recordCompletionRequests';

const definitionMarker = 'DEFINITION_MARKER_4c1e';
/** In secrets/ (sovereign.context.exclude): TypeScript resolves the import there, the policy refuses it. */
const secretCanary = 'CANARY_CODEBASE_SECRET_8d2f';
/** The workspace's .env (scripts/vscode/integrationSettings.ts). */
const envCanary = 'CANARY_ENV_7f3a9c';

const files: Record<string, string> = {
  'codebase/format.ts': `export function formatInvoiceLine(item: string, cents: number): string {\n  return \`\${item}: \${cents / 100} ${definitionMarker}\`;\n}\n`,
  'secrets/vault.ts': `export function vaultTokenFor(user: string): string {\n  return user + '${secretCanary}';\n}\n`,
  'codebase/invoice.ts': [
    "import { formatInvoiceLine } from './format';",
    "import { vaultTokenFor } from '../secrets/vault';",
    '',
    'export function invoiceText(item: string, cents: number, user: string): string {',
    '  const token = vaultTokenFor(user);',
    '  const line = formatInvoiceLine(item, cents);',
    '  ',
    '}',
    '',
  ].join('\n'),
};

async function waitFor(what: string, ms: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Relevant code from other files in the real extension host: with the cursor in a file that
 * uses a helper of another (never opened) workspace file, the completion request's extra context
 * carries that helper's definition; a helper in an excluded folder (which TypeScript's definition
 * provider does resolve) and the .env never do.
 */
export function registerCodebaseCompletionTests(): void {
  describe('Completion: relevant code from other files', () => {
    let api: SovereignApi;
    const sent: CompletionParams[] = [];
    let restore: (() => void) | undefined;

    before(async () => {
      api = await vscode.extensions.getExtension<SovereignApi>('sovereign.sovereign')!.activate();
      restore = recordCompletionRequests(api, (params) => sent.push(params));
    });
    after(() => restore?.());

    it('a request carries the definition of a helper from another file, never an excluded file or .env', async function () {
      this.timeout(180_000);
      const root = vscode.workspace.workspaceFolders![0].uri;
      for (const [rel, text] of Object.entries(files)) {
        await mkdir(join(root.fsPath, rel, '..'), { recursive: true });
        await writeFile(join(root.fsPath, rel), text);
      }
      const invoice = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, 'codebase/invoice.ts'));
      const editor = await vscode.window.showTextDocument(invoice);
      // TypeScript's language server is up and resolves both imports: the excluded one could leak.
      const definitionOf = async (line: number, character: number) =>
        ((await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', invoice.uri, new vscode.Position(line, character))) ?? []).map((d) => ('targetUri' in d ? d.targetUri : d.uri).path);
      await waitFor('TypeScript to resolve the imported helpers', 120_000, async () => (await definitionOf(4, 18)).some((p) => p.endsWith('secrets/vault.ts')) && (await definitionOf(5, 18)).some((p) => p.endsWith('codebase/format.ts')));

      // The cursor rests on the empty line: the look-up runs, its extras enter the ring when
      // completion is quiet, and the warm-up that follows carries them.
      editor.selection = new vscode.Selection(6, 2, 6, 2);
      const carries = (p: CompletionParams) => (p.extra ?? []).some((c) => c.text.includes(definitionMarker));
      await waitFor('the helper\'s definition in a request\'s extra context', 60_000, () => sent.some(carries));

      const items = await api.completionProvider.provideInlineCompletionItems(
        invoice,
        new vscode.Position(6, 2),
        { triggerKind: vscode.InlineCompletionTriggerKind.Invoke } as unknown as vscode.InlineCompletionContext,
        new vscode.CancellationTokenSource().token,
      );
      assert.ok(items, 'a completion was produced');
      const request = sent.filter((p) => p.maxTokens > 0).at(-1);
      assert.ok(request && carries(request), 'the completion request itself carries codebase/format.ts\'s definition');
      assert.ok(request.extra?.some((c) => c.path === 'codebase/format.ts'), `extra context paths: ${request.extra?.map((c) => c.path).join(', ')}`);
      // The look-up that brought format.ts asked about vaultTokenFor in the same breath.
      const everything = JSON.stringify(sent);
      assert.ok(!everything.includes(secretCanary), 'the excluded secrets/vault.ts reached a prompt');
      assert.ok(!everything.includes(envCanary), '.env reached a prompt');
    });
  });
}
