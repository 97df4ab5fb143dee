import * as vscode from 'vscode';
import type { CompletionPipeline, RequestCounters } from '../completion/completionPipeline';
import type { CompletionProvider } from '../completion/provider';
import type { Config } from '../config/config';
import type { RuntimeClient, RuntimeState } from '../runtime/client';
import type { ServerState } from '../server/serverBackend';
import { Commands } from '../commands';

/**
 * One item that shows the runtime's health and the last completion's numbers. A click opens a
 * short menu: pause/resume, the log, the model, restart.
 */
/** The team server's health, shown instead of the worker's while `sovereign.backend` names a server. */
export interface ServerStatus {
  useServer(): boolean;
  readonly backend: { readonly currentState: ServerState; onDidChangeState(listener: (s: ServerState) => void): { dispose(): void } };
  readonly onDidSwitch: vscode.Event<void>;
}

export function registerStatusBar(
  client: RuntimeClient,
  config: Config,
  completion: CompletionProvider,
  requests: { readonly counters: RequestCounters; readonly onDidChangeCounters: CompletionPipeline['onDidChangeCounters'] },
  server: ServerStatus,
): vscode.Disposable {
  const counters = requests.counters;
  const item = vscode.window.createStatusBarItem('sovereign.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Sovereign';
  item.command = Commands.statusMenu;
  const render = () => {
    const view = server.useServer()
      ? describeServer(server.backend.currentState, completion.isPaused, counters)
      : describe(client.currentState, config, completion.isPaused, counters);
    item.text = view.text;
    item.tooltip = view.tooltip;
    item.backgroundColor = view.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    item.accessibilityInformation = { label: `Sovereign: ${view.tooltip}` };
  };
  render();
  item.show();
  const subs = [client.onDidChangeState(render), completion.onDidChangePaused(render), requests.onDidChangeCounters(render), server.backend.onDidChangeState(render), server.onDidSwitch(render)];
  return vscode.Disposable.from(
    item,
    { dispose: () => subs.forEach((s) => s.dispose()) },
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('sovereign')) render();
    }),
    vscode.commands.registerCommand(Commands.statusMenu, () => showMenu(completion)),
  );
}

async function showMenu(completion: CompletionProvider): Promise<void> {
  const items: (vscode.QuickPickItem & { command: string })[] = [
    completion.isPaused
      ? { label: '$(play) Resume completions', command: Commands.resumeCompletions }
      : { label: '$(debug-pause) Pause completions', command: Commands.pauseCompletions },
    { label: '$(output) Show log', command: Commands.showLog },
    { label: '$(file-binary) Select completion model…', command: Commands.selectCompletionModel },
    { label: '$(comment-discussion) Select chat model…', command: Commands.selectChatModel },
    { label: '$(debug-restart) Restart runtime', command: Commands.restartRuntime },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Sovereign' });
  if (picked) await vscode.commands.executeCommand(picked.command);
}

/** A server's errors name their fix (the guard names the setting to change); the item turns red. */
function describeServer(state: ServerState, paused: boolean, c: RequestCounters): { text: string; tooltip: string; error?: boolean } {
  const where = state.url ? `Team server ${state.url}` : 'Team server (sovereign.server.url is not set)';
  if (state.kind === 'error') return { text: '$(error) Sovereign', tooltip: `${where}\n${state.error.message}`, error: true };
  if (paused) return { text: '$(debug-pause) Sovereign', tooltip: 'Completions paused. Click to resume.' };
  if (state.kind === 'idle') return { text: '$(remote) Sovereign', tooltip: `${where}: not contacted yet.` };
  const s = state.last;
  const last = s ? `\nLast completion: ${s.totalMs} ms — ${s.reusedTokens} tokens reused, ${s.evaluatedTokens} evaluated, ${s.generatedTokens} generated` : '';
  const flow = `\nModel calls: ${c.modelCalls} · cache hits: ${c.cacheHits} · type-through: ${c.typeThroughHits} · speculative: ${c.speculativeCalls} · cancelled: ${c.cancelled}`;
  return { text: s ? `$(remote) Sovereign ${s.totalMs} ms` : '$(remote) Sovereign', tooltip: `${where}: ready${state.model ? ` (${state.model})` : ''}${last}${flow}` };
}

function describe(state: RuntimeState, config: Config, paused: boolean, counters: RequestCounters): { text: string; tooltip: string; error?: boolean } {
  if (paused && state.kind !== 'error') return { text: '$(debug-pause) Sovereign', tooltip: 'Completions paused. Click to resume.' };
  switch (state.kind) {
    case 'idle':
      return config.modelPath('completion')
        ? { text: '$(circle-outline) Sovereign', tooltip: 'Idle: the model loads on first use.' }
        : { text: '$(warning) Sovereign: no model', tooltip: 'No completion model is configured. Run "Sovereign: Select Completion Model…".' };
    case 'loading':
      return { text: '$(loading~spin) Sovereign', tooltip: `Loading ${state.path}…` };
    case 'ready': {
      const names = state.models.map((m) => `${m.role}: ${m.name} (${m.gpu}${m.gpuLayers ? `, ${m.gpuLayers} layers offloaded` : ''}, ${m.threads} threads)`).join('\n');
      const s = state.last;
      const last = s ? `\nLast completion: ${s.totalMs} ms — ${s.reusedTokens} tokens reused, ${s.evaluatedTokens} evaluated, ${s.generatedTokens} generated` : '';
      const c = counters;
      const flow = `\nModel calls: ${c.modelCalls} · cache hits: ${c.cacheHits} · type-through: ${c.typeThroughHits} · speculative: ${c.speculativeCalls} · cancelled: ${c.cancelled}`;
      return { text: s ? `$(check) Sovereign ${s.totalMs} ms` : '$(check) Sovereign', tooltip: `Ready\n${names}${last}${flow}` };
    }
    case 'error':
      return { text: '$(error) Sovereign', tooltip: state.error.message, error: true };
  }
}
