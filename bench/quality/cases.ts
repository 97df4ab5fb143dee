/**
 * The wait points of a typing replay as cases: where the user stopped for a suggestion, and what
 * they really typed next. Pure (no I/O). bench:quality's oracle and the likelihood scorer
 * (`--model`) both read these.
 */
import { extname } from 'node:path';
import { buildReplay, SimDocument, type FileSession, type SourceFile } from '../replay';

/** One wait point: the document around the cursor and the user's real next text. */
export interface QualityCase {
  /** workspace-relative path of the file (its package and version are in the results) */
  file: string;
  /** VS Code language id, from the file name */
  language: string;
  /** the whole document before and after the cursor at the wait point */
  prefix: string;
  suffix: string;
  /**
   * What the user typed next at this cursor: the rest of the region being typed back in (it may be
   * empty or only whitespace, at a region's end). Correct text to show is a prefix of it.
   */
  truth: string;
  /** the cursor (0-based) */
  line: number;
  character: number;
}

/** One keystroke of the replay, with the document after it and, at a wait point, its case. */
export interface ReplayKey {
  session: FileSession;
  doc: SimDocument;
  /** the truth at the cursor after this keystroke (the rest of the region) */
  truth: string;
  waitCase?: QualityCase;
}

const languages: Record<string, string> = {
  '.js': 'javascript', '.cjs': 'javascript', '.mjs': 'javascript', '.jsx': 'javascriptreact',
  '.ts': 'typescript', '.mts': 'typescript', '.cts': 'typescript', '.tsx': 'typescriptreact',
  '.py': 'python', '.h': 'cpp', '.hpp': 'cpp', '.cc': 'cpp', '.cpp': 'cpp', '.c': 'c', '.go': 'go', '.rs': 'rust', '.java': 'java',
  '.cs': 'csharp', '.rb': 'ruby', '.php': 'php', '.sh': 'shellscript',
};

export function languageOf(path: string): string {
  return languages[extname(path).toLowerCase()] ?? 'plaintext';
}

/**
 * Walks every keystroke of a replay (bench/replay.ts: regions cut out of real files, typed back in
 * with jumps between them) and calls `onKey` after each one; wait points carry their case.
 */
export async function walkReplay(files: SourceFile[], seed: number, onKey: (key: ReplayKey) => void | Promise<void>): Promise<number> {
  const replay = buildReplay(files, { seed, quick: false });
  let waits = 0;
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
      const truth = session.regions[region].text.slice(typed[region]);
      let waitCase: QualityCase | undefined;
      if (step.wait) {
        const pos = doc.position();
        waits++;
        waitCase = {
          file: session.file.rel,
          language: languageOf(session.file.rel),
          prefix: doc.text.slice(0, doc.cursor),
          suffix: doc.text.slice(doc.cursor),
          truth,
          line: pos.line,
          character: pos.character,
        };
      }
      await onKey({ session, doc, truth, waitCase });
    }
  }
  return waits;
}

/** The wait points of the replay, in order. */
export async function qualityCases(files: SourceFile[], seed: number): Promise<QualityCase[]> {
  const cases: QualityCase[] = [];
  await walkReplay(files, seed, (k) => {
    if (k.waitCase) cases.push(k.waitCase);
  });
  return cases;
}

/**
 * The same wait points as an editor that closes brackets would have them: where the truth's first
 * line ends with closing brackets (`foo(a, b));`), those already sit right of the cursor (typing
 * `(` inserted `)`), and the user types only what comes before them. The replay cuts whole lines,
 * so without these no wait point has text right of the cursor and the single-line rule, suffix
 * de-duplication and bracket handling would never be scored.
 */
export function autoClosedCases(cases: readonly QualityCase[]): QualityCase[] {
  const out: QualityCase[] = [];
  for (const c of cases) {
    const firstBreak = c.truth.indexOf('\n');
    const first = firstBreak < 0 ? c.truth : c.truth.slice(0, firstBreak);
    const m = /^(.*[^\s)\]}])([)\]}]+;?)$/.exec(first);
    if (!m || m[2].length > 8) continue; // more text right of the cursor: no automatic suggestion
    out.push({ ...c, truth: m[1], suffix: m[2] + c.suffix });
  }
  return out;
}
