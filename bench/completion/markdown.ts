import type { SideFigures } from './figures';

function textBar(label: string, v: number, max: number): string {
  const n = Math.round((v / max) * 40);
  return `${label.padEnd(14)} ${'█'.repeat(Math.max(0, n))} ${Math.round(v)} ms`;
}

export function markdown(results: Record<string, unknown>): string {
  const sov = results.sovereign as SideFigures | undefined;
  const ls = results.llama_server as SideFigures | undefined;
  const t = results.targets as Record<string, { value: unknown; target: string; met: boolean | null }> | undefined;
  const lines: string[] = ['# Completion benchmark', ''];
  lines.push(`Command: \`${results.command}\`  `, `Run: ${results.date}, ${results.machine}  `, `Model: ${results.model}, ${results.threads} threads, ctx ${results.ctx}, ${results.tokens} generated tokens a completion (no time budget)`, '');
  if (sov && ls) {
    lines.push('![time to suggestion](completion.svg)', '');
    const max = Math.max(sov.p95_ms as number, ls.p95_ms as number, 1);
    lines.push('```', textBar('Sovereign p50', sov.p50_ms as number, max), textBar('Sovereign p95', sov.p95_ms as number, max), textBar('llama p50', ls.p50_ms as number, max), textBar('llama p95', ls.p95_ms as number, max), '```', '');
  }
  if (t) {
    lines.push('## Targets', '', '| target | value | goal | met |', '|---|---|---|---|');
    for (const [k, v] of Object.entries(t)) lines.push(`| ${k} | ${JSON.stringify(v.value)} | ${v.target} | ${v.met === null ? 'n/a' : v.met ? 'yes' : '**no**'} |`);
    lines.push('');
  }
  if (sov && ls) {
    const keys = [
      'wait_points', 'p50_ms', 'p95_ms', 'mean_ms', 'timeouts', 'timeouts_with_empty_answer', 'floor_ratio_p50', 'floor_ratio_p50_depth0', 'floor_ratio_at_request_speed_p50', 'floor_ms_p50',
      'evaluated_per_request', 'prompt_tokens_per_request', 'reused_per_request', 'evaluated_share_total', 'evaluated_share_all_requests', 'moved_share_total',
      'cache_hits', 'type_through_hits', 'cancelled_generations', 'overhead_p50_ms',
    ];
    const eq = results.sovereign_equal_context as SideFigures | undefined;
    lines.push('## Side by side', '', `| metric | Sovereign |${eq ? ' Sovereign, equal context |' : ''} llama-server |`, `|---|---|${eq ? '---|' : ''}---|`);
    for (const k of keys) lines.push(`| ${k} | ${JSON.stringify(sov[k])} |${eq ? ` ${JSON.stringify(eq[k])} |` : ''} ${JSON.stringify(ls[k])} |`);
    const sw = sov.at_wait_points as Record<string, unknown>;
    const lw = ls.at_wait_points as Record<string, unknown>;
    const ew = eq?.at_wait_points as Record<string, unknown> | undefined;
    const mid = (v: unknown) => (eq ? ` ${JSON.stringify(v)} |` : '');
    for (const k of Object.keys(sw)) lines.push(`| wait points: ${k} | ${JSON.stringify(sw[k])} |${mid(ew?.[k])} ${JSON.stringify(lw[k])} |`);
    lines.push(`| requests | ${JSON.stringify(sov.requests)} |${mid(eq?.requests)} ${JSON.stringify(ls.requests)} |`, '');
  }
  if (results.rates) lines.push('## Rates', '', '```json', JSON.stringify(results.rates, null, 2), '```', '');
  if (results.typethrough) lines.push('## Type-through replay (`--typethrough`)', '', '```json', JSON.stringify(results.typethrough, null, 2), '```', '');
  if (results.notes) lines.push('## Notes', '', ...(results.notes as string[]).map((n) => `- ${n}`), '', `llama-server: \`${results.llama_server_args}\`  `, `Load average (1/5/15 min): \`${JSON.stringify(results.load_average_1_5_15)}\``, '');
  return lines.join('\n');
}
