import * as vscode from 'vscode';
import { Commands } from '../commands';
import type { Log } from '../common/log';
import type { Config } from '../config/config';
import { backendSetting } from '../config/serverSettings';

/** package.json's `contributes.walkthroughs` id. */
const walkthroughId = 'sovereign.firstRun';
/** In globalState (per profile, not synced): the first activation has happened. */
const firstRunKey = 'sovereign.firstRun.seen';

/** "Sovereign: Get Started" opens the walkthrough, any time. */
export function registerWalkthrough(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.commands.registerCommand(Commands.getStarted, () => openWalkthrough(context));
}

/**
 * On the first activation in a profile, with nothing configured, the walkthrough opens by itself:
 * the "needs a model" notification alone vanishes before a slow reader is done. Only once: a user
 * who closed it and still has no model is not shown it again (Get Started and the status bar are
 * there); one who had a model configured before is no new user and never sees it.
 */
export async function openWalkthroughOnFirstRun(context: vscode.ExtensionContext, config: Config, log: Log): Promise<void> {
  if (context.globalState.get<boolean>(firstRunKey)) return;
  // Marked before opening, so a failure to open never turns "once" into "every window".
  await context.globalState.update(firstRunKey, true);
  if (config.modelPath('completion') || config.modelPath('chat') || backendSetting(config) !== 'embedded') return;
  log.info('first start in this profile and no model configured: opening the walkthrough');
  await openWalkthrough(context);
}

function openWalkthrough(context: vscode.ExtensionContext): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${walkthroughId}`, false);
}
