import type { Method, QualityRun } from './quality';
import type { ScaleRun } from './scale';

export interface RetrievalResults {
  command: string;
  date: string;
  machine: string;
  /** The 1, 5 and 15 minute load averages when the run started (other work on the machine). */
  load: string;
  versions: Record<string, string>;
  seconds: number;
  quality?: QualityRun & { packages: { spec: string; integrity: string; files: number; queries: number }[] };
  scale?: ScaleRun;
  notes: string[];
}

const names: Record<Method, string> = {
  grep: 'grep baseline (word counts)',
  lexical: 'lexical (BM25, identifier tokens)',
  lexical_symbols: 'lexical + symbols',
  lexical_symbols_pruned: 'lexical + symbols, common words dropped (past 2,000 chunks)',
  fused: 'fused: lexical + symbols + vectors (RRF) — TEST MODEL, random weights: plumbing only, quality meaningless',
};
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function retrievalMarkdown(r: RetrievalResults): string {
  const out = ['# bench:retrieval', '', `\`${r.command}\` — ${r.date}, ${r.seconds} s`, '', `Machine: ${r.machine}, load average ${r.load} at the start. Versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`, ''];
  const q = r.quality;
  if (q) {
    out.push('## Quality', '', `${q.queries} queries over ${q.files} files (${q.chunks} chunks) of ${q.packages.map((p) => p.spec).join(', ')}.`, '');
    out.push(`| ranking | recall@${q.k} | MRR | file recall@${q.k} | ms/query |`, '|---|---|---|---|---|');
    for (const m of Object.keys(names) as Method[]) {
      const s = q.methods[m];
      if (s) out.push(`| ${names[m]} | ${pct(s.recall_at_k)} | ${s.mrr.toFixed(3)} | ${pct(s.file_recall_at_k)} | ${q.query_ms_mean[m]!.toFixed(2)} |`);
      else if (m === 'fused') out.push(`| ${names[m].split(' — ')[0]} | not measured (--skip-fused, or no test model) | | | |`);
    }
    out.push('');
    if (q.embedding) out.push(`Fused: every chunk and query embedded by ${q.embedding.model} (${q.embedding.dimensions} dimensions, ${q.embedding.chunks} chunks in ${q.embedding.embed_s} s through the model worker). Its weights are random, so the vector ranking is noise and the fused figures say nothing of quality; they show the pipeline runs end to end. A real embedding model (the Qwen3-Embedding-0.6B preset) gives the real figures: \`--embedding-model <gguf>\`.`, '');
    out.push('| package | files | queries | integrity |', '|---|---|---|---|', ...q.packages.map((p) => `| ${p.spec} | ${p.files} | ${p.queries} | \`${p.integrity.slice(0, 24)}…\` |`), '');
  }
  const s = r.scale;
  if (s) {
    out.push('## Scale (synthetic workspace, indexed in the worker thread)', '', '| measure | value |', '|---|---|');
    out.push(
      `| files / size | ${s.files} / ${(s.bytes / 2 ** 20).toFixed(1)} MB, ${s.chunks} chunks${s.partial ? ' (partial)' : ''} |`,
      `| full index | ${s.full_index_s} s (${s.files_per_s} files/s) |`,
      `| host event-loop lag during the full index | p50 ${s.host_lag_ms.p50} ms, p99 ${s.host_lag_ms.p99} ms, max ${s.host_lag_ms.max} ms |`,
      `| the same with nothing indexing (this machine's load alone, 10 s) | p50 ${s.idle_lag_ms.p50} ms, p99 ${s.idle_lag_ms.p99} ms, max ${s.idle_lag_ms.max} ms |`,
      `| incremental update, one edited file | ${s.incremental_update_ms} ms |`,
      `| edit on disk → found by a search | ${s.edit_to_searchable_ms} ms |`,
      `| query (worker round trip) | p50 ${s.query_ms.p50} ms, p95 ${s.query_ms.p95} ms (${s.query_ms.n} queries) |`,
      `| RSS (whole process) | ${s.rss_mb.before} → ${s.rss_mb.after_index} MB (+${s.rss_mb.delta} MB) |`,
      `| on disk (serialized) | ${s.on_disk_mb} MB, written in ${s.save_ms} ms |`,
      `| reload from disk (window reload) | ${s.reload_ms} ms, same answers: ${s.reload_finds_same ? 'yes' : 'NO'} |`,
      '',
    );
  }
  out.push('## Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}
