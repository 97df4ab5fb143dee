import { sum } from '../stats';
import type { SideFigures } from './figures';

/** The time to a suggestion of both sides, p50 and p95, with the mean breakdown of model answers. */
export function svgChart(sov: SideFigures, ls: SideFigures): string {
  const rows: { label: string; p50: number; p95: number; parts: [string, number, string][] }[] = [];
  for (const [label, f] of [
    ['Sovereign', sov],
    ['llama-server (llama.vscode client)', ls],
  ] as const) {
    const w = f.at_wait_points as Record<string, number>;
    rows.push({
      label,
      p50: f.p50_ms as number,
      p95: f.p95_ms as number,
      parts: [
        ['debounce', w.debounce_ms_p50 ?? 0, '#c9c9c9'],
        ['behind stale requests', w.behind_stale_ms_mean ?? 0, '#e07b5a'],
        ['own prompt', w.own_prompt_ms_mean ?? 0, '#5a8fe0'],
        ['own generation', w.own_generate_ms_mean ?? 0, '#61b86b'],
      ],
    });
  }
  const max = Math.max(...rows.map((r) => Math.max(r.p95 || 0, sum(r.parts.map((p) => p[1])))), 1);
  const W = 760;
  const left = 250;
  const scale = (W - left - 40) / max;
  const rowH = 70;
  let y = 40;
  let body = '';
  for (const r of rows) {
    body += `<text x="10" y="${y + 14}" font-size="13">${r.label}</text>`;
    body += `<rect x="${left}" y="${y}" width="${Math.max(1, r.p50 * scale)}" height="14" fill="#333"/><text x="${left + r.p50 * scale + 5}" y="${y + 12}" font-size="11">p50 ${Math.round(r.p50)} ms</text>`;
    body += `<rect x="${left}" y="${y + 17}" width="${Math.max(1, r.p95 * scale)}" height="8" fill="#888"/><text x="${left + r.p95 * scale + 5}" y="${y + 25}" font-size="11">p95 ${Math.round(r.p95)} ms</text>`;
    let x = left;
    for (const [, v, color] of r.parts) {
      body += `<rect x="${x}" y="${y + 30}" width="${Math.max(0, v * scale)}" height="14" fill="${color}"/>`;
      x += v * scale;
    }
    body += `<text x="${x + 5}" y="${y + 42}" font-size="11">mean breakdown of model answers</text>`;
    y += rowH;
  }
  let legend = '';
  let lx = left;
  for (const [name, , color] of rows[0].parts) {
    legend += `<rect x="${lx}" y="${y + 5}" width="10" height="10" fill="${color}"/><text x="${lx + 14}" y="${y + 14}" font-size="11">${name}</text>`;
    lx += 130;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y + 30}" font-family="sans-serif"><text x="10" y="20" font-size="14" font-weight="bold">Time to suggestion at wait points</text>${body}${legend}</svg>\n`;
}
