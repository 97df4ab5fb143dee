import * as vscode from 'vscode';
import type { Config } from '../config/config';
import type { RuntimeClient, RuntimeState } from '../runtime/client';
import { Commands } from '../commands';

/** One item that shows the runtime's health; a click opens the log. */
export function registerStatusBar(client: RuntimeClient, config: Config): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('sovereign.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Sovereign';
  item.command = Commands.showLog;
  const render = (state: RuntimeState) => {
    const view = describe(state, config);
    item.text = view.text;
    item.tooltip = view.tooltip;
    item.backgroundColor = view.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    item.accessibilityInformation = { label: `Sovereign: ${view.tooltip}` };
  };
  render(client.currentState);
  item.show();
  const sub = client.onDidChangeState(render);
  const configSub = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('sovereign')) render(client.currentState);
  });
  return vscode.Disposable.from(item, { dispose: () => sub.dispose() }, configSub);
}

function describe(state: RuntimeState, config: Config): { text: string; tooltip: string; error?: boolean } {
  switch (state.kind) {
    case 'idle':
      return config.modelPath('completion')
        ? { text: '$(circle-outline) Sovereign', tooltip: 'Idle: the model loads on first use. Click to open the log.' }
        : { text: '$(warning) Sovereign: no model', tooltip: 'No completion model is configured. Run "Sovereign: Choose Completion Model…".' };
    case 'loading':
      return { text: '$(loading~spin) Sovereign', tooltip: `Loading ${state.path}…` };
    case 'ready': {
      const names = state.models.map((m) => `${m.role}: ${m.name} (${m.gpu}, ${m.threads} threads)`).join('\n');
      const last = state.last
        ? `\nLast completion: ${state.last.totalMs} ms, ${state.last.reusedTokens} tokens reused, ${state.last.evaluatedTokens} evaluated, ${state.last.generatedTokens} generated`
        : '';
      return { text: '$(check) Sovereign', tooltip: `Ready\n${names}${last}` };
    }
    case 'error':
      return { text: '$(error) Sovereign', tooltip: state.error.message, error: true };
  }
}
