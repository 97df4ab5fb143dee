/**
 * The entries of "Select Model…": presets (marked downloaded / recommended / won't fit), the GGUF
 * files already in the models folder, and "Choose a GGUF file…". No `vscode` import: the shapes
 * are QuickPickItem-compatible, and the integration test reads them as they were shown.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { HardwareInfo, ModelRole } from '../runtime/protocol';
import { fits, formatBytes, presetsFor, recommend, type ModelPreset } from './catalog';

export type ModelItem =
  | { kind: 'preset'; label: string; description: string; detail: string; preset: ModelPreset; downloaded: boolean; recommended: boolean; fits: boolean | undefined; path: string }
  | { kind: 'local'; label: string; description: string; detail: string; path: string }
  | { kind: 'browse'; label: string; description: string; detail: string }
  | { kind: 'separator'; label: string };

export interface ModelItemsInput {
  role: ModelRole;
  folder: string;
  /** Undefined when the worker could not report it: no recommended / won't-fit marks then. */
  hardware?: HardwareInfo;
  offline: boolean;
  currentPath?: string;
}

export const marks = { downloaded: 'downloaded', recommended: 'recommended', wontFit: "won't fit", current: 'in use' } as const;

export async function buildModelItems(input: ModelItemsInput): Promise<ModelItem[]> {
  const { role, folder, hardware, offline, currentPath } = input;
  const recommended = hardware ? recommend(hardware)[role] : undefined;
  const present = await ggufFiles(folder);
  const presets = presetsFor(role);
  const items: ModelItem[] = [{ kind: 'separator', label: 'Presets' }];
  for (const preset of presets) {
    const path = join(folder, preset.fileName);
    const downloaded = present.has(preset.fileName);
    const fit = hardware ? fits(preset.memoryBytes, hardware) : undefined;
    const tags = [
      downloaded ? marks.downloaded : undefined,
      recommended?.id === preset.id ? marks.recommended : undefined,
      fit && !fit.fits ? marks.wontFit : undefined,
      currentPath === path ? marks.current : undefined,
    ].filter(Boolean);
    const action = downloaded ? '' : offline ? 'download disabled: offline · ' : `download ${formatBytes(preset.fileBytes)} · `;
    items.push({
      kind: 'preset',
      label: `${downloaded ? '$(check)' : '$(cloud-download)'} ${preset.label}`,
      description: tags.join(' · '),
      detail: `${action}${fit ? fit.message : `needs ~${formatBytes(preset.memoryBytes)}`}${recommended?.id === preset.id && hardware ? ` · ${recommend(hardware).reason}` : ''}`,
      preset,
      downloaded,
      recommended: recommended?.id === preset.id,
      fits: fit?.fits,
      path,
    });
  }
  const presetFiles = new Set(presets.map((p) => p.fileName));
  const others = [...present.entries()].filter(([name]) => !presetFiles.has(name));
  if (others.length) items.push({ kind: 'separator', label: 'In the models folder' });
  for (const [name, bytes] of others) {
    const path = join(folder, name);
    items.push({ kind: 'local', label: `$(file-binary) ${name}`, description: currentPath === path ? marks.current : '', detail: `${formatBytes(bytes)} · ${folder}`, path });
  }
  items.push({ kind: 'separator', label: '' });
  items.push({ kind: 'browse', label: '$(folder-opened) Choose a GGUF file…', description: '', detail: 'Any GGUF model file on this machine' });
  return items;
}

/** GGUF files directly in the folder (not `.partial/`), name → size. */
async function ggufFiles(folder: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return found;
  }
  for (const name of names.sort()) {
    if (!name.toLowerCase().endsWith('.gguf')) continue;
    try {
      const s = await stat(join(folder, name));
      if (s.isFile()) found.set(basename(name), s.size);
    } catch {
      // Vanished while listing.
    }
  }
  return found;
}
