import * as vscode from 'vscode';
import type { CompletionParams } from '../../../src/runtime/protocol';

let markers = 0;

/**
 * Resolves once the context feeder has dealt with every file offered to it so far: the positive
 * signal a "never reached a prompt" assertion waits for (a fixed sleep only guesses how long the
 * feeder's quiet period takes on this machine).
 *
 * The feeder takes what it is offered in order, in one batch once completion has been quiet, and a
 * ring that changed is evaluated at once by a warm-up of the active editor, which carries the
 * ring. So a marker opened now (an untitled document, never shown) that appears in a request's
 * extra context proves every earlier offer has been taken or refused.
 *
 * `sent` reads every CompletionParams the runtime was asked with so far (warm-ups included). The
 * active editor must be one completion may run in, or no warm-up is sent.
 */
export async function feederCaughtUp(sent: () => readonly CompletionParams[], timeoutMs = 60_000): Promise<void> {
  const marker = `FEEDER_CAUGHT_UP_${++markers}_${Date.now()}`;
  await vscode.workspace.openTextDocument({ language: 'python', content: `# ${marker}\n` });
  const deadline = Date.now() + timeoutMs;
  while (!sent().some((p) => (p.extra ?? []).some((c) => c.text.includes(marker)))) {
    if (Date.now() > deadline) throw new Error(`the context feeder did not take a document opened ${timeoutMs} ms ago into a request`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
