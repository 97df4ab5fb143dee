/**
 * What `activate()` returns: the one surface through which the integration and UI tests and
 * bench:runtime look inside the running extension. Each member is a narrow view of a product
 * object (no test-only members exist on those objects); harmless to other extensions, which get
 * nothing they could not do through commands and settings.
 */
import type * as vscode from 'vscode';
import type { ChatApi } from './chat/registerChat';
import type { RequestCounters } from './completion/completionPipeline';
import type { CodeIndexApi } from './index/workspaceIndexer';
import type { ModelsApi } from './models/registerModels';
import type { RuntimeClient } from './runtime/client';
import type { ServerState } from './server/serverBackend';

export interface SovereignApi {
  /** The worker as the extension drives it: its process id, state, and the calls features make. */
  readonly runtime: Pick<RuntimeClient, 'pid' | 'currentState' | 'onDidChangeState' | 'loadedModel' | 'load' | 'complete' | 'chat'>;
  /** The registered inline completion provider, so a test can ask it as VS Code does. */
  readonly completionProvider: vscode.InlineCompletionItemProvider;
  /** Completion's request counters (model calls, cache and type-through hits): the status bar shows them too. */
  readonly completionCounters: Readonly<RequestCounters>;
  /** Chat: what the view shows and what is attached. */
  readonly chat: ChatApi;
  /** Model pickers: the items each shows, and the models folder. */
  readonly models: ModelsApi;
  /** The team server backend's state: what the server answered, or why nothing was sent. */
  readonly server: { readonly currentState: ServerState };
  /** The codebase index: search, what it holds, and its storage file. */
  readonly codeIndex: CodeIndexApi;
  /** Evaluating the bundle plus activate() itself, by phase: read by bench:runtime. */
  readonly activation: { ms: number; hostWaitMs: number; rssBeforeBytes: number; rssAfterBytes: number; phases: Record<string, number> };
}
