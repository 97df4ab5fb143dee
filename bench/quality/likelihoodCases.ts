/**
 * Wait points of the replay (bench/replay.ts) as likelihood cases: where the simulated user stops
 * and waits for a suggestion, the whole document around the cursor and what the user types next.
 * Pure: no model, no I/O.
 */
import { extname } from 'node:path';
import { SimDocument, type Replay } from '../replay';

/** One wait point. `prefix + suffix` is the document; the cursor sits between them. */
export interface LikelihoodCase {
  /** workspace-relative path of the file */
  file: string;
  language: string;
  /** the document before the cursor */
  prefix: string;
  /** the document after the cursor */
  suffix: string;
  /** what the user types next: the rest of the region being typed back in */
  truth: string;
}

const languages: Record<string, string> = {
  '.js': 'javascript', '.cjs': 'javascript', '.mjs': 'javascript', '.jsx': 'javascriptreact',
  '.ts': 'typescript', '.mts': 'typescript', '.cts': 'typescript', '.tsx': 'typescriptreact',
  '.py': 'python', '.rs': 'rust', '.go': 'go', '.java': 'java', '.c': 'c', '.h': 'c', '.cpp': 'cpp',
  '.cc': 'cpp', '.hpp': 'cpp', '.cs': 'csharp', '.rb': 'ruby', '.php': 'php', '.sh': 'shellscript',
};

export function languageOf(path: string): string {
  const p = path.toLowerCase();
  return languages[p.endsWith('.d.ts') ? '.ts' : extname(p)] ?? 'plaintext';
}

/** Every wait point of `replay`, in replay order (a wait point after a region's last key has no truth and is skipped). */
export function likelihoodCases(replay: Replay): LikelihoodCase[] {
  const cases: LikelihoodCase[] = [];
  for (const session of replay.sessions) {
    const doc = new SimDocument(session.initial, session.anchors);
    const typed = session.regions.map(() => 0);
    let region = -1;
    for (const step of session.steps) {
      if (step.action.kind === 'jump') {
        region = step.action.region;
        doc.jump(region);
        continue;
      }
      doc.insert(step.action.text);
      typed[region] += step.action.text.length;
      if (!step.wait) continue;
      const truth = session.regions[region].text.slice(typed[region]);
      if (!truth.trim()) continue;
      cases.push({
        file: session.file.rel,
        language: languageOf(session.file.rel),
        prefix: doc.text.slice(0, doc.cursor),
        suffix: doc.text.slice(doc.cursor),
        truth,
      });
    }
  }
  return cases;
}

/** At most `max` cases, spread evenly over the list (so every file keeps some), in order. */
export function spreadCases<T>(cases: readonly T[], max: number): T[] {
  if (max <= 0 || cases.length <= max) return [...cases];
  return Array.from({ length: max }, (_, i) => cases[Math.floor((i * cases.length) / max)]);
}
