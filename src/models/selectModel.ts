import * as vscode from 'vscode';
import { isCancelled, errorMessage } from '../common/errors';
import type { Log } from '../common/log';
import type { Config } from '../config/config';
import { cachedPlaces, modelContextSize, runtimeSettings } from '../config/runtimeSettings';
import type { RuntimeClient } from '../runtime/client';
import type { HardwareInfo, ModelRole } from '../runtime/protocol';
import { formatBytes } from './catalog';
import { chooseModelFile } from './chooseModelFile';
import { DownloadError } from './downloadError';
import { downloadModel } from './downloadModel';
import { buildModelItems, type ModelItem } from './modelItems';
import { judgeModel } from './modelVerdict';

export interface SelectModelDeps {
  client: RuntimeClient;
  config: Config;
  log: Log;
  modelsFolder(): string;
  /** Fired with the items each time the quick pick is shown (tests read them). */
  onShow(role: ModelRole, items: readonly ModelItem[]): void;
}

type PickItem = vscode.QuickPickItem & { item: ModelItem };

/** "Sovereign: Select Completion/Chat/Embedding Model…": presets, files in the models folder, or any file. */
export async function selectModel(role: ModelRole, deps: SelectModelDeps): Promise<string | undefined> {
  const { config } = deps;
  const { gpu, offline } = runtimeSettings(config);
  const hardware = await deps.client.hardware(gpu).catch((e: unknown) => {
    deps.log.warn(`hardware: ${errorMessage(e)}`);
    return undefined;
  });
  const items = await buildModelItems({ role, folder: deps.modelsFolder(), hardware, offline, currentPath: config.modelPath(role) });
  const picks: PickItem[] = items.map((item) =>
    item.kind === 'separator'
      ? { label: item.label, kind: vscode.QuickPickItemKind.Separator, item }
      : { label: item.label, description: item.description, detail: item.detail, item },
  );
  const shown = vscode.window.showQuickPick(picks, {
    title: { completion: 'Completion model (a coder base model)', chat: 'Chat model (an instruct model)', embedding: 'Embedding model for the codebase index (optional)' }[role],
    placeHolder: hardware ? `This machine: ${describeHardware(hardware)}` : 'Pick a model',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  deps.onShow(role, items);
  const picked = (await shown)?.item;
  if (!picked || picked.kind === 'separator') return undefined;
  if (picked.kind === 'browse') {
    const previous = config.modelPath(role);
    const path = await chooseModelFile(config, role, deps.modelsFolder());
    if (path && !(await useModel(role, path, deps, hardware, { set: false }))) await config.setModelPath(role, previous ?? '');
    return path;
  }
  if (picked.kind === 'local' || picked.downloaded) return (await useModel(role, picked.path, deps, hardware)) ? picked.path : undefined;
  if (offline) {
    void vscode.window.showInformationMessage('Downloads are off because "sovereign.offline" is on: Sovereign sends nothing over the network. Put a GGUF file in the models folder or choose one.', 'Choose a GGUF file…').then(
      (choice) => choice && selectModel(role, deps),
    );
    return undefined;
  }
  const path = await downloadWithProgress(picked.preset.label, picked.preset.fileName, picked.preset.uri, picked.preset.sha256, role, deps);
  return path && (await useModel(role, path, deps, hardware)) ? path : undefined;
}

/** Checks the file for the role (worker) and memory; sets it, or shows one message with its fix. */
async function useModel(role: ModelRole, path: string, deps: SelectModelDeps, hardware: HardwareInfo | undefined, opts = { set: true }): Promise<boolean> {
  const { client, config } = deps;
  const { gpu } = runtimeSettings(config);
  const contextSize = modelContextSize(config, role);
  const inspection = await client.inspectModel({ path, role, contextSize, gpu, cachedPlaces: cachedPlaces(config, role) });
  const hw = hardware ?? (await client.hardware(gpu));
  const verdict = judgeModel(inspection, role, hw);
  if (!verdict.ok) {
    deps.log.warn(verdict.message);
    void vscode.window.showErrorMessage(verdict.message, verdict.actionLabel).then((choice) => choice && selectModel(role, deps));
    return false;
  }
  deps.log.info(`${role} model: ${verdict.note}`);
  if (opts.set) await config.setModelPath(role, path);
  return true;
}

async function downloadWithProgress(label: string, fileName: string, uri: string, sha256: string | undefined, role: ModelRole, deps: SelectModelDeps): Promise<string | undefined> {
  const { gpu, offline } = runtimeSettings(deps.config);
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Downloading ${label}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        return downloadModel({
          uri,
          fileName,
          folder: deps.modelsFolder(),
          sha256,
          signal: controller.signal,
          offline,
          onProgress: ({ downloadedBytes, totalBytes }) => {
            const pct = totalBytes > 0 ? (downloadedBytes / totalBytes) * 100 : 0;
            progress.report({ increment: pct - reported, message: `${formatBytes(downloadedBytes)} of ${formatBytes(totalBytes)}` });
            reported = pct;
          },
          verify: async (path) => {
            const r = await deps.client.inspectModel({ path, role, contextSize: modelContextSize(deps.config, role), gpu });
            if (r.problem) throw new Error(r.problem.message);
          },
        });
      },
    );
  } catch (e) {
    if (isCancelled(e)) {
      void vscode.window.showInformationMessage(`Download of ${label} stopped. Starting it again resumes where it stopped.`);
      return undefined;
    }
    const message = e instanceof DownloadError ? e.message : `Downloading ${label} failed: ${errorMessage(e)}`;
    deps.log.error(message);
    void vscode.window.showErrorMessage(message, 'Choose a GGUF file…').then((choice) => choice && selectModel(role, deps));
    return undefined;
  }
}

function describeHardware(hw: HardwareInfo): string {
  const gpu = hw.gpu === 'cpu' ? 'no GPU' : `${hw.gpu}, ${formatBytes(hw.vramTotalBytes)} VRAM`;
  return `${gpu}, ${formatBytes(hw.ramTotalBytes)} RAM (${formatBytes(hw.ramFreeBytes)} free), ${hw.cpuCores} cores`;
}
