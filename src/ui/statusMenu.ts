/**
 * The entries of the status item's menu, from the same facts as its text. What to do comes first:
 * with no completion model, choosing one and the walkthrough lead. Pure, so it is unit-tested.
 */
import { Commands, type CommandId } from '../commands';
import type { StatusFacts } from './statusText';

export type MenuAction =
  | { kind: 'command'; command: CommandId }
  /** The Settings editor, filtered to Sovereign's settings. */
  | { kind: 'settings' }
  /** Writes `sovereign.completion.languages` at user scope. */
  | { kind: 'language'; languageId: string; on: boolean };

export interface MenuEntry {
  label: string;
  description?: string;
  action: MenuAction;
}

const command = (c: CommandId): MenuAction => ({ kind: 'command', command: c });

/** `languageId`: the active editor's language, when an editor is active. */
export function statusMenu(f: StatusFacts, languageId: string | undefined): MenuEntry[] {
  const local = f.backend.kind === 'local';
  const needsModel = local ? f.completion.model.kind === 'none' : !(f.backend.kind === 'server' && f.backend.url.trim());
  const first: MenuEntry[] = [];
  const rest: MenuEntry[] = [];
  if (needsModel && local) {
    first.push(
      { label: '$(file-binary) Select a completion model…', description: 'ghost text needs a local GGUF model', action: command(Commands.selectCompletionModel) },
      { label: '$(rocket) Get Started', description: 'the walkthrough: models, a first completion, the chat', action: command(Commands.getStarted) },
    );
  } else if (needsModel) {
    first.push({ label: '$(gear) Settings', description: 'set sovereign.server.url', action: { kind: 'settings' } });
  }
  if (f.runtimeError) first.push({ label: '$(debug-restart) Restart runtime', description: 'the model worker stopped', action: command(Commands.restartRuntime) });

  rest.push(
    f.completion.paused
      ? { label: '$(play) Resume completions', action: command(Commands.resumeCompletions) }
      : { label: '$(debug-pause) Pause completions', description: 'everywhere, until you resume', action: command(Commands.pauseCompletions) },
  );
  const off = f.completion.offHere;
  if (languageId && off?.kind !== 'disabled') {
    rest.push(
      off?.kind === 'language'
        ? { label: `$(check) Turn on completion for ${languageId}`, description: 'sovereign.completion.languages, for you', action: { kind: 'language', languageId, on: true } }
        : { label: `$(circle-slash) Turn off completion for ${languageId}`, description: 'sovereign.completion.languages, for you', action: { kind: 'language', languageId, on: false } },
    );
  }
  rest.push({ label: '$(comment-discussion) Open Chat', action: command(Commands.openChat) });
  if (!(needsModel && !local)) rest.push({ label: '$(gear) Settings', action: { kind: 'settings' } });
  rest.push({ label: '$(output) Show log', action: command(Commands.showLog) });
  if (!(needsModel && local)) rest.push({ label: '$(file-binary) Select completion model…', action: command(Commands.selectCompletionModel) });
  rest.push({ label: '$(comment-discussion) Select chat model…', action: command(Commands.selectChatModel) });
  if (!f.runtimeError && local) rest.push({ label: '$(debug-restart) Restart runtime', action: command(Commands.restartRuntime) });
  return [...first, ...rest];
}
