import type { DocState, Driver, ProviderOutcome } from '../driver';
import { rng, SimDocument, type FileSession } from '../replay';
import { sleep } from '../stats';

/** How long the simulated user waits at a wait point before counting a timeout. */
export const WAIT_TIMEOUT_MS = 15_000;

export interface WaitRecord {
  kind: 'wait' | 'accept';
  file: string;
  version: number;
  keyAt: number;
  /** text typed since the previous shown suggestion, one string per cursor position */
  typed: string[];
  outcome?: ProviderOutcome;
  shownMs?: number;
  timedOut: boolean;
  empty: boolean;
}

export interface KeyRecord {
  kind: 'type' | 'typethrough' | 'accept';
  version: number;
  keyAt: number;
}

export interface RunResult {
  waits: WaitRecord[];
  keys: KeyRecord[];
  outcomes: Map<number, ProviderOutcome>;
  wallMs: number;
}

/**
 * Plays the editor and the user for one side. Sessions (files) of the two sides are run
 * alternately, so slow drifts in the load of this shared machine hit both sides alike.
 */
export class Harness {
  readonly outcomes = new Map<number, ProviderOutcome>();
  readonly waits: WaitRecord[] = [];
  readonly keys: KeyRecord[] = [];
  wallMs = 0;
  private readonly waiters = new Map<number, (o: ProviderOutcome) => void>();
  private version = 0;
  private currentVersion = -1;
  private typed: string[] = [''];
  private previous: DocState | undefined;
  private readonly r: () => number;

  constructor(
    private readonly driver: Driver,
    seed: number,
    private readonly typethrough: boolean,
  ) {
    this.r = rng(seed ^ 0x7a11);
    driver.onOutcome = (o) => {
      if (this.outcomes.has(o.version)) return;
      this.outcomes.set(o.version, o);
      if (o.text && o.version === this.currentVersion) this.typed = [''];
      this.waiters.get(o.version)?.(o);
    };
  }

  private between(lo: number, hi: number): number {
    return Math.round(lo + this.r() * (hi - lo));
  }

  private waitFor(v: number, ms: number): Promise<ProviderOutcome | undefined> {
    return new Promise((res) => {
      const have = this.outcomes.get(v);
      if (have) return res(have);
      const timer = setTimeout(() => {
        this.waiters.delete(v);
        res(undefined);
      }, ms);
      this.waiters.set(v, (o) => {
        clearTimeout(timer);
        this.waiters.delete(v);
        res(o);
      });
    });
  }

  get run(): RunResult {
    return { waits: this.waits, keys: this.keys, outcomes: this.outcomes, wallMs: this.wallMs };
  }

  async session(session: FileSession): Promise<void> {
    const started = performance.now();
    const driver = this.driver;
    const doc = new SimDocument(session.initial, session.anchors);
    const state = (): DocState => {
      const { line, character } = doc.position();
      return { fileName: session.file.path, rel: session.file.rel, version: ++this.version, lines: doc.lines, line, character };
    };
    const type = (text: string, kind: KeyRecord['kind']) => {
      doc.insert(text);
      const s = state();
      this.currentVersion = s.version;
      this.keys.push({ kind, version: s.version, keyAt: performance.now() });
      this.typed[this.typed.length - 1] += text;
      driver.change(s);
      return s;
    };
    const waitPoint = async (kind: WaitRecord['kind'], s: DocState): Promise<WaitRecord> => {
      const keyAt = this.keys[this.keys.length - 1].keyAt;
      const snapshot = [...this.typed];
      const o = await this.waitFor(s.version, WAIT_TIMEOUT_MS);
      // Nothing to show: VS Code asks again only on the next edit, so the user waits it out.
      if (o && !o.text) await sleep(keyAt + WAIT_TIMEOUT_MS - performance.now());
      const rec: WaitRecord = {
        kind,
        file: session.file.rel,
        version: s.version,
        keyAt,
        typed: snapshot,
        outcome: o,
        shownMs: o?.text ? o.at - keyAt : undefined,
        timedOut: !o?.text,
        empty: !!o && !o.text,
      };
      this.waits.push(rec);
      return rec;
    };

    const opened = state();
    this.currentVersion = opened.version;
    driver.open(opened, this.previous);
    for (const step of session.steps) {
      await sleep(step.delayMs);
      if (step.action.kind === 'jump') {
        doc.jump(step.action.region);
        const s = state();
        this.currentVersion = s.version;
        this.typed.push('');
        driver.move(s);
        continue;
      }
      const s = type(step.action.text, 'type');
      if (!step.wait) continue;
      const rec = await waitPoint('wait', s);
      const shown = rec.outcome?.text;
      const line = s.lines[s.line].slice(0, s.character);
      if (this.typethrough && shown && shown.length >= 2 && !rec.outcome?.replaceIndent && line.trim() !== '') {
        // Type the first k characters of the suggestion, then accept the rest (Tab).
        const k = this.between(1, Math.min(8, shown.length - 1));
        for (let i = 0; i < k; i++) {
          await sleep(this.between(60, 180));
          type(shown[i], 'typethrough');
        }
        await sleep(this.between(150, 400));
        const accepted = type(shown.slice(k), 'accept');
        await waitPoint('accept', accepted);
      }
    }
    this.previous = state();
    this.wallMs += performance.now() - started;
  }
}
