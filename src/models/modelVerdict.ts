/**
 * The one decision made before a model file is used: the worker's inspection plus the memory
 * check, turned into one message and the action that fixes it. Pure, no `vscode`.
 */
import { basename } from 'node:path';
import type { HardwareInfo, ModelInspection, ModelRole } from '../runtime/protocol';
import { fits, formatBytes, presetsFor } from './catalog';

export type FixAction = 'chooseAnother' | 'download' | 'chooseSmaller';

export type Verdict = { ok: true; note: string } | { ok: false; message: string; action: FixAction; actionLabel: string };

export function judgeModel(inspection: ModelInspection, role: ModelRole, hw: HardwareInfo): Verdict {
  const name = basename(inspection.path);
  const p = inspection.problem;
  if (p) {
    const download = p.kind === 'corruptModel' || p.kind === 'notGguf';
    return {
      ok: false,
      message: p.message,
      action: download ? 'download' : 'chooseAnother',
      actionLabel: download ? 'Download a model…' : `Choose a${role === 'embedding' ? 'n' : ''} ${role} model…`,
    };
  }
  const need = (inspection.memory?.ramBytes ?? inspection.fileBytes) + (inspection.memory?.vramBytes ?? 0);
  const fit = fits(need, hw);
  if (!fit.fits) {
    const smaller = presetsFor(role).filter((x) => !x.alternative && x.memoryBytes <= fit.availableBytes).pop();
    return {
      ok: false,
      message: `${name} does not fit in memory: it ${fit.message}.${smaller ? ` ${smaller.label} would fit.` : ' Close other programs or choose a smaller model.'}`,
      action: 'chooseSmaller',
      actionLabel: 'Choose a smaller model…',
    };
  }
  return { ok: true, note: `${name}: ${inspection.architecture ?? 'model'}, ${formatBytes(inspection.fileBytes)}, ${fit.message}` };
}
