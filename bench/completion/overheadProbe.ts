import type { ProviderOutcome } from '../driver';
import { SimDocument, type FileSession } from '../replay';
import type { SovereignDriver } from '../sovereignDriver';
import { sleep } from '../stats';

/**
 * Sovereign's extension-side overhead at rest: a few completions through the driver with nothing
 * else in flight (each after the previous one's speculation finished), at the position where the
 * last session ended (its KV state is warm, so each costs one short re-evaluation). overhead =
 * provide() wall time after the debounce minus the worker's stats.totalMs. The probe's records
 * are removed from the driver afterwards so they do not count in the replay's figures.
 */
export async function overheadProbe(driver: SovereignDriver, session: FileSession, n: number): Promise<{ samples: number[]; raw: number[] }> {
  const doc = new SimDocument(session.initial, session.anchors);
  for (const step of session.steps) {
    if (step.action.kind === 'jump') doc.jump(step.action.region);
    else doc.insert(step.action.text);
  }
  const callsBefore = driver.calls.length;
  const providesBefore = driver.provides.length;
  const counters = { ...driver.pipeline.counters };
  const saved = driver.onOutcome;
  const samples: number[] = [];
  const raw: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      doc.insert(' abcdefghij'[i % 11]);
      const { line, character } = doc.position();
      const version = 1_000_000 + i;
      const shown = new Promise<ProviderOutcome | undefined>((res) => {
        const timer = setTimeout(() => res(undefined), 60_000);
        driver.onOutcome = (o) => {
          if (o.version !== version) return;
          clearTimeout(timer);
          res(o);
        };
      });
      driver.change({ fileName: session.file.path, rel: session.file.rel, version, lines: doc.lines, line, character });
      await shown;
      await driver.quiesce(60_000);
      await sleep(200);
    }
    for (const p of driver.provides.slice(providesBefore)) {
      const call = p.callId !== undefined ? driver.calls[p.callId] : undefined;
      if (p.result !== 'model' || !call?.stats || call.behindOther || p.callAt === undefined || p.endAt === undefined) continue;
      samples.push(p.endAt - p.callAt - call.stats.totalMs);
      raw.push(p.endAt - p.startAt - call.stats.totalMs);
    }
  } finally {
    driver.onOutcome = saved;
    driver.calls.splice(callsBefore);
    driver.provides.splice(providesBefore);
    Object.assign(driver.pipeline.counters, counters);
  }
  return { samples, raw };
}
