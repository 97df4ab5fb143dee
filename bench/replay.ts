/**
 * Realistic, seeded typing sessions over real source files (pure: no I/O, no clock).
 *
 * For each file a few regions of consecutive lines are cut out; the document the simulated user
 * starts from is the file with those regions removed (each leaves its first line's indentation and
 * the line break after it, so the cursor sits on an auto-indented empty line), and the session
 * types the regions back in, character by character, so the prefix and suffix around the cursor
 * are always real code. Typing has jitter (60–180 ms a key), slower line breaks (Enter also inserts
 * the next line's indentation, as auto-indent does), short pauses at word ends, and cursor jumps
 * between regions (a region may be typed in two parts, with another region typed in between).
 * Seeded wait points at word and line ends (about 1 keystroke in 15): the user stops and waits for
 * a suggestion before typing on.
 */

export interface SourceFile {
  /** absolute path (llama.vscode sends it as the chunk filename) */
  path: string;
  /** path relative to the workspace root (Sovereign's filePath) */
  rel: string;
  text: string;
}

export type StepAction = { kind: 'type'; text: string } | { kind: 'jump'; region: number };

export interface SessionStep {
  /** wait this long (ms) before the step (after a wait point: after the suggestion was shown) */
  delayMs: number;
  action: StepAction;
  /** after this keystroke the user waits until a suggestion is shown */
  wait: boolean;
}

export interface Region {
  startLine: number;
  endLine: number;
  /** what the user types back in */
  text: string;
}

export interface FileSession {
  file: SourceFile;
  /** the document when the file is opened: the file with the regions removed */
  initial: string;
  /** where each region's typing starts, as offsets in `initial` */
  anchors: number[];
  regions: Region[];
  steps: SessionStep[];
}

export interface Replay {
  seed: number;
  quick: boolean;
  sessions: FileSession[];
  keystrokes: number;
  waitPoints: number;
}

export interface ReplayOptions {
  seed: number;
  quick: boolean;
}

/** mulberry32: small, fast, good enough for jitter. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (r: () => number, lo: number, hi: number) => Math.round(lo + r() * (hi - lo));

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const indentOf = (line: string) => line.length - line.trimStart().length;
const isWordChar = (c: string) => /[A-Za-z0-9_$]/.test(c);

interface Shape {
  regionsPerFile: number;
  minLines: number;
  maxLines: number;
  maxChars: number;
}

/** Picks non-overlapping regions in the latter part of the file (so the prefix is long). */
function pickRegions(lines: string[], shape: Shape, r: () => number): { startLine: number; endLine: number }[] {
  const picked: { startLine: number; endLine: number }[] = [];
  const lo = Math.max(20, Math.floor(lines.length * 0.3));
  const hi = lines.length - 12;
  for (let attempt = 0; attempt < 2000 && picked.length < shape.regionsPerFile; attempt++) {
    const start = between(r, lo, hi);
    const len = between(r, shape.minLines, shape.maxLines);
    const end = Math.min(start + len, hi);
    const block = lines.slice(start, end);
    const code = block.filter((l) => l.trim().length > 0);
    // Real code, not mostly comments, not too long to type, first line not blank.
    if (code.length < Math.min(2, block.length) || !lines[start].trim()) continue;
    if (code.filter((l) => /^\s*(\/\/|\*|\/\*)/.test(l)).length > code.length / 2) continue;
    const chars = block.join('\n').length - indentOf(lines[start]);
    if (chars > shape.maxChars || chars < 20) continue;
    if (picked.some((p) => start < p.endLine + 8 && p.startLine < end + 8)) continue;
    picked.push({ startLine: start, endLine: end });
  }
  return picked.sort((a, b) => a.startLine - b.startLine);
}

/** Splits a region's text into keystrokes: one char each, Enter also inserts the next indentation. */
export function keystrokes(text: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') {
      let j = i + 1;
      while (j < text.length && (text[j] === ' ' || text[j] === '\t')) j++;
      keys.push(text.slice(i, j));
      i = j - 1;
    } else {
      keys.push(text[i]);
    }
  }
  return keys;
}

export function buildReplay(files: SourceFile[], opts: ReplayOptions): Replay {
  const shape: Shape = opts.quick
    ? { regionsPerFile: 1, minLines: 2, maxLines: 3, maxChars: 90 }
    : { regionsPerFile: 3, minLines: 3, maxLines: 6, maxChars: 170 };
  const sessions: FileSession[] = [];
  let keystrokeCount = 0;
  let waitCount = 0;
  for (const file of opts.quick ? files.slice(0, 2) : files) {
    const r = rng(opts.seed ^ hashString(file.rel));
    const lines = file.text.split('\n');
    const spans = pickRegions(lines, shape, r);
    if (spans.length === 0) continue;
    // Offsets of line starts in the original text.
    const lineStart: number[] = [0];
    for (let i = 0; i < lines.length; i++) lineStart.push(lineStart[i] + lines[i].length + 1);
    const regions: Region[] = [];
    const cuts: { from: number; to: number }[] = [];
    for (const s of spans) {
      const from = lineStart[s.startLine] + indentOf(lines[s.startLine]);
      const to = lineStart[s.endLine] - 1; // keep the line break after the region
      cuts.push({ from, to });
      regions.push({ startLine: s.startLine, endLine: s.endLine, text: file.text.slice(from, to) });
    }
    let initial = '';
    let last = 0;
    const anchors: number[] = [];
    for (const c of cuts) {
      initial += file.text.slice(last, c.from);
      anchors.push(initial.length);
      last = c.to;
    }
    initial += file.text.slice(last);

    // Typing plan: each region in one or two parts (split at a line break), parts of different
    // regions interleaved, each region's parts in order.
    const parts: { region: number; keys: string[] }[][] = regions.map((reg, i) => {
      const keys = keystrokes(reg.text);
      const breaks = keys.map((k, j) => (k.startsWith('\n') ? j : -1)).filter((j) => j > 2 && j < keys.length - 3);
      if (breaks.length > 0 && r() < 0.6) {
        const at = breaks[between(r, 0, breaks.length - 1)];
        return [
          { region: i, keys: keys.slice(0, at) },
          { region: i, keys: keys.slice(at) },
        ];
      }
      return [{ region: i, keys }];
    });
    const order: { region: number; keys: string[] }[] = [];
    const queues = parts.map((p) => [...p]);
    while (queues.some((q) => q.length > 0)) {
      const open = queues.map((q, i) => (q.length > 0 ? i : -1)).filter((i) => i >= 0);
      // Mostly finish the region in hand, sometimes jump elsewhere.
      const prev = order.length ? order[order.length - 1].region : -1;
      const pick = open.includes(prev) && r() < 0.3 ? prev : open[between(r, 0, open.length - 1)];
      order.push(queues[pick].shift()!);
    }

    const steps: SessionStep[] = [];
    let sinceWait = 0;
    let first = true;
    let inRegion = -1;
    for (const part of order) {
      if (part.region !== inRegion) {
        steps.push({ delayMs: first ? between(r, 600, 1200) : between(r, 300, 900), action: { kind: 'jump', region: part.region }, wait: false });
      }
      inRegion = part.region;
      first = false;
      let prevKey = '';
      for (let k = 0; k < part.keys.length; k++) {
        const key = part.keys[k];
        let delay = between(r, 60, 180);
        if (k === 0) delay += between(r, 200, 600); // after the jump: find the spot
        if (prevKey.startsWith('\n')) delay += between(r, 80, 250);
        const boundary = key.startsWith('\n') || (!isWordChar(key) && isWordChar(prevKey.slice(-1)));
        if (boundary && r() < 0.05) delay += between(r, 400, 1500); // a short pause to think
        const wait = boundary && sinceWait >= 5 && r() < 0.55;
        steps.push({ delayMs: delay, action: { kind: 'type', text: key }, wait });
        keystrokeCount++;
        sinceWait = wait ? 0 : sinceWait + 1;
        if (wait) waitCount++;
        prevKey = key;
      }
    }
    sessions.push({ file, initial, anchors, regions, steps });
  }
  return { seed: opts.seed, quick: opts.quick, sessions, keystrokes: keystrokeCount, waitPoints: waitCount };
}

/**
 * The document being typed into: text, cursor, and where each region's typing continues.
 * Inserting text moves the anchors after the cursor.
 */
export class SimDocument {
  text: string;
  cursor: number;
  private anchors: number[];
  private current = -1;
  version = 0;
  private cachedLines: string[] | undefined;

  constructor(initial: string, anchors: number[]) {
    this.text = initial;
    this.anchors = [...anchors];
    this.cursor = anchors[0] ?? 0;
  }

  jump(region: number): void {
    if (this.current >= 0) this.anchors[this.current] = this.cursor;
    this.current = region;
    this.cursor = this.anchors[region];
    this.version++;
  }

  insert(s: string): void {
    const at = this.cursor;
    this.text = this.text.slice(0, at) + s + this.text.slice(at);
    for (let i = 0; i < this.anchors.length; i++) {
      if (i !== this.current && this.anchors[i] > at) this.anchors[i] += s.length;
    }
    this.cursor = at + s.length;
    if (this.current >= 0) this.anchors[this.current] = this.cursor;
    this.cachedLines = undefined;
    this.version++;
  }

  get lines(): string[] {
    return (this.cachedLines ??= this.text.split('\n'));
  }

  get lineCount(): number {
    return this.lines.length;
  }

  lineAt(i: number): string {
    return this.lines[i];
  }

  position(): { line: number; character: number } {
    const before = this.text.slice(0, this.cursor);
    const line = before.split('\n').length - 1;
    return { line, character: this.cursor - (before.lastIndexOf('\n') + 1) };
  }
}
