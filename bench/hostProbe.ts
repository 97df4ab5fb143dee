/**
 * Runs inside the real extension host (loaded as an extension-tests module by bench/runtime.ts):
 * reads Sovereign's activation figures and the host's memory after a real completion.
 */
import * as vscode from 'vscode';
import type { SovereignApi } from '../src/extension';

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<SovereignApi>('sovereign.sovereign');
  if (!ext) throw new Error('Sovereign is not loaded');
  const api = await ext.activate();
  const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'def add(a, b):\n    return \n' });
  const source = new vscode.CancellationTokenSource();
  const started = performance.now();
  await api.completionProvider.provideInlineCompletionItems(doc, new vscode.Position(1, 11), { triggerKind: 0 } as unknown as vscode.InlineCompletionContext, source.token);
  const firstCompletionMs = performance.now() - started;
  (globalThis as { gc?: () => void }).gc?.();
  const result = {
    activation_ms: api.activation.ms,
    activation_phases_ms: api.activation.phases,
    host_wait_before_activate_ms: api.activation.hostWaitMs,
    rss_before_load_bytes: api.activation.rssBeforeBytes,
    rss_after_activation_bytes: api.activation.rssAfterBytes,
    rss_after_completion_bytes: process.memoryUsage.rss(),
    first_completion_ms: firstCompletionMs,
  };
  console.log(`BENCH_JSON ${JSON.stringify(result)}`);
}
