import * as vscode from 'vscode';
import type { CompletionPipeline, RequestCounters } from '../completion/completionPipeline';
import type { CompletionProvider } from '../completion/provider';
import type { Config } from '../config/config';
import { completionEnabledFor, completionSettings } from '../config/completionSettings';
import { SettingKeys } from '../config/settingKeys';
import type { WorkspaceContentPolicy } from '../config/workspaceContentPolicy';
import type { RuntimeClient } from '../runtime/client';
import type { ServerState } from '../server/serverBackend';
import { Commands } from '../commands';
import { RoleStates } from './roleStates';
import { statusMenu, type MenuAction } from './statusMenu';
import { plainStatus, statusView, type OffHere, type StatusFacts } from './statusText';

/** The team server's health, shown instead of the worker's while `sovereign.backend` names a server. */
export interface ServerStatus {
  useServer(): boolean;
  readonly backend: { readonly currentState: ServerState; onDidChangeState(listener: (s: ServerState) => void): { dispose(): void } };
  readonly onDidSwitch: vscode.Event<void>;
}

export interface StatusBarParts {
  client: RuntimeClient;
  config: Config;
  completion: CompletionProvider;
  requests: { readonly counters: RequestCounters; readonly onDidChangeCounters: CompletionPipeline['onDidChangeCounters'] };
  server: ServerStatus;
  policy: WorkspaceContentPolicy;
  /** Sovereign's own id: the Settings entry filters the Settings editor to it. */
  extensionId: string;
}

/**
 * One item that tells completion's state and chat's side by side (statusText.ts words them): its
 * text is completion's, in the active file too ("off here"); its colour the more urgent of the
 * two. A click opens a short menu that leads with what to do.
 */
export function registerStatusBar(parts: StatusBarParts): vscode.Disposable {
  const { client, config, completion, requests, server, policy } = parts;
  const roles = new RoleStates();
  roles.update(client.currentState);
  const item = vscode.window.createStatusBarItem('sovereign.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Sovereign';
  item.command = Commands.statusMenu;

  // Asked again only when the editor, its language or the rules change, not on every counter move.
  let offHere: OffHere | undefined;
  const checkActiveFile = (document = vscode.window.activeTextEditor?.document) => {
    offHere = offHereFor(document, config, policy);
  };

  const facts = (): StatusFacts => {
    const paused = completion.isPaused;
    const counters = requests.counters;
    if (server.useServer()) {
      const s = server.backend.currentState;
      const model = s.kind === 'ready' ? s.model : undefined;
      return {
        backend: { kind: 'server', url: s.url, state: s.kind, model, error: s.kind === 'error' ? s.error.message : undefined },
        completion: { paused, offHere, model: { kind: 'idle', name: 'the team server' }, last: s.kind === 'ready' ? s.last : undefined, counters },
        chat: { model: { kind: 'idle', name: 'the team server' } },
      };
    }
    return {
      backend: { kind: 'local' },
      runtimeError: roles.runtimeError,
      completion: { paused, offHere, model: roles.model('completion', client.loadedModel('completion'), config.modelPath('completion')), last: roles.last, counters },
      chat: { model: roles.model('chat', client.loadedModel('chat'), config.modelPath('chat')) },
    };
  };

  const render = () => {
    const view = statusView(facts());
    item.text = view.text;
    const tooltip = new vscode.MarkdownString();
    for (const s of view.sections) {
      tooltip.appendMarkdown(`**${s.title.replace(/[\\`*_[\]<>]/g, '\\$&')}**\n\n`);
      for (const line of s.lines) tooltip.appendText(line).appendMarkdown('\n\n');
    }
    item.tooltip = tooltip;
    item.backgroundColor = view.severity === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    item.accessibilityInformation = { label: `Sovereign: ${plainStatus(view)}` };
  };
  const recheck = (document?: vscode.TextDocument) => {
    checkActiveFile(document);
    render();
  };

  checkActiveFile();
  render();
  item.show();
  const subs = [
    client.onDidChangeState((state) => {
      roles.update(state);
      render();
    }),
    completion.onDidChangePaused(render),
    requests.onDidChangeCounters(render),
    server.backend.onDidChangeState(render),
    server.onDidSwitch(render),
  ];
  return vscode.Disposable.from(
    item,
    { dispose: () => subs.forEach((s) => s.dispose()) },
    vscode.window.onDidChangeActiveTextEditor((editor) => recheck(editor?.document)),
    // A language mode change reopens the document under the same URI.
    vscode.workspace.onDidOpenTextDocument((d) => {
      if (d.uri.toString() === vscode.window.activeTextEditor?.document.uri.toString()) recheck(d);
    }),
    // Registered before the redraw below, so it draws without the old file's failure.
    config.onDidChange([SettingKeys.completionModelPath], () => roles.forget('completion')),
    config.onDidChange([SettingKeys.chatModelPath], () => roles.forget('chat')),
    policy.onDidChange(() => recheck()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('sovereign')) recheck();
    }),
    vscode.commands.registerCommand(Commands.statusMenu, () => showMenu(facts(), config, parts.extensionId)),
  );
}

/** Why completion is off in `document`, as the provider decides it (its language, then the content policy). */
function offHereFor(document: vscode.TextDocument | undefined, config: Config, policy: WorkspaceContentPolicy): OffHere | undefined {
  if (!document) return undefined;
  const settings = completionSettings(config);
  if (!settings.enabled) return { kind: 'disabled' };
  if (!completionEnabledFor(settings, document.languageId)) return { kind: 'language', languageId: document.languageId };
  const verdict = policy.check('editing', document);
  if (verdict.allowed) return undefined;
  const file = vscode.workspace.asRelativePath(document.uri, false);
  return { kind: 'excluded', file, reason: verdict.reason };
}

async function showMenu(facts: StatusFacts, config: Config, extensionId: string): Promise<void> {
  const languageId = vscode.window.activeTextEditor?.document.languageId;
  const items = statusMenu(facts, languageId);
  const picked = await vscode.window.showQuickPick(items, { title: 'Sovereign' });
  if (picked) await run(picked.action, config, extensionId);
}

async function run(action: MenuAction, config: Config, extensionId: string): Promise<void> {
  switch (action.kind) {
    case 'command':
      await vscode.commands.executeCommand(action.command);
      return;
    case 'settings':
      await vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${extensionId}`);
      return;
    case 'language': {
      const stillOther = await config.setCompletionLanguage(action.languageId, action.on);
      if (stillOther) {
        void vscode.window.showWarningMessage(
          `Completion for ${action.languageId} stays ${action.on ? 'off' : 'on'}: this workspace's settings (sovereign.completion.languages) say so.`,
        );
      }
      return;
    }
  }
}
