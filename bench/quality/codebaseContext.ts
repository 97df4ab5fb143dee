/**
 * bench:quality's measure of "relevant code from other files" (issue 15 point 4). The oracle
 * model answers with the truth whatever the prompt holds, so it cannot tell whether extra context
 * helps; this asks what a real model needs instead: when the user is about to type a line that
 * calls a helper declared in ANOTHER file of the same real npm package, does the prompt's extra
 * context hold that helper's declaration?
 *
 * Cases, derived mechanically: every line of a package's source files that calls a name declared
 * (top level, chunkCode's symbols) in another file of the package and not in its own (at most
 * `perFile` a file, each name once a file). The line is removed (the user is about to type it),
 * the cursor sits on it. Sides, all with the ring's real bounds (ContextRing, 2,048 tokens):
 *   - ring only, nothing opened: what the replay's user has (no other file was opened);
 *   - ring only, every other file of the package opened once (the feeder's 64-line chunk of each);
 *   - each of those plus the codebase look-up (codebaseLookup.ts, the extension's own code) over
 *     a CodeIndex of the package (the file being typed indexed as it is, without the line), with
 *     a definition provider simulated by name (a declared name resolves to its declaring chunk,
 *     as a language server resolves an imported helper) and, apart, the index search alone.
 * Hit: the ring, after the extras entered, holds the declaration line of the called helper.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { estimateTokens } from '../../src/common/charsPerToken';
import type { ChunkRef } from '../../src/completion/codebaseExtras';
import { defaultCodebaseLimits, lookUpCodebase, type CodebaseLimits, type CodebaseSources } from '../../src/completion/codebaseLookup';
import { identifiersNear } from '../../src/completion/codebaseQuery';
import { chunkLines } from '../../src/completion/contextFeedScheduler';
import { chunkAround, ContextRing } from '../../src/completion/contextRing';
import { chunkCode } from '../../src/index/chunkCode';
import { CodeIndex } from '../../src/index/codeIndex';

const sourceExtensions = new Set(['.js', '.cjs', '.mjs', '.ts', '.mts', '.cts', '.h', '.hpp', '.cc', '.cpp', '.c', '.py', '.go', '.rs']);
const maxFiles = 60;
const maxFileBytes = 1024 * 1024;
const perFile = 12;
const call = /(?:^|[^\w$])([A-Za-z_$][\w$]*)\s*\(/g;

export interface PackageFile {
  file: string;
  rel: string;
  lines: string[];
}

export interface CodebaseCase {
  file: string;
  line: number;
  helper: string;
  /** Where the helper is declared: another file of the package, its declaring chunk. */
  declaredIn: string;
  declarationLine: string;
}

export interface SideFigures {
  hits: number;
  cases: number;
  hit_rate: number;
  /** Estimated tokens the ring holds at the request (the prompt's extra context, before the worker's own bound). */
  mean_ring_tokens: number;
}

export interface CodebaseFigures {
  packages: { dir: string; files: number; cases: number }[];
  limits: CodebaseLimits;
  sides: Record<string, SideFigures>;
  /** Time of one look-up in this process (search, simulated definitions, cuts): off the request path. */
  lookup_ms: { p50: number; p95: number };
}

/** Source files under `dir` (recursively, sorted, no tests or minified files), at most maxFiles. */
export function packageFiles(dir: string): PackageFile[] {
  const out: PackageFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (out.length >= maxFiles) return;
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) {
        if (!/^(node_modules|test|tests|__tests__|dist|tools)$/.test(name)) walk(p);
      } else if (sourceExtensions.has(extname(name)) && !/\.(min|d)\.[a-z]+$/.test(name) && s.size <= maxFileBytes) {
        out.push({ file: p, rel: relative(dir, p), lines: readFileSync(p, 'utf8').split('\n') });
      }
    }
  };
  walk(dir);
  return out;
}

/** Top-level declared names → their declaring chunks, per file. */
export function declarations(files: readonly PackageFile[]): Map<string, { file: string; chunk: ChunkRef; line: string }[]> {
  const byName = new Map<string, { file: string; chunk: ChunkRef; line: string }[]>();
  for (const f of files) {
    for (const c of chunkCode(f.lines.join('\n'))) {
      for (const name of c.symbols) {
        const declLine = f.lines.slice(c.startLine - 1, c.endLine).find((l) => new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\b`).test(l)) ?? f.lines[c.startLine - 1];
        const list = byName.get(name) ?? [];
        list.push({ file: f.file, chunk: { file: f.file, startLine: c.startLine, endLine: c.endLine }, line: declLine });
        byName.set(name, list);
      }
    }
  }
  return byName;
}

export function codebaseCases(files: readonly PackageFile[]): CodebaseCase[] {
  const decl = declarations(files);
  const cases: CodebaseCase[] = [];
  for (const f of files) {
    const own = new Set([...decl].filter(([, list]) => list.some((d) => d.file === f.file)).map(([name]) => name));
    const seen = new Set<string>();
    let n = 0;
    f.lines.forEach((text, line) => {
      if (n >= perFile || text.length > 400) return;
      for (const m of text.matchAll(call)) {
        const name = m[1];
        if (own.has(name) || seen.has(name)) continue;
        const elsewhere = decl.get(name)?.find((d) => d.file !== f.file);
        if (!elsewhere) continue;
        seen.add(name);
        n++;
        cases.push({ file: f.file, line, helper: name, declaredIn: elsewhere.file, declarationLine: elsewhere.line.trim() });
        return;
      }
    });
  }
  return cases;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] * 10) / 10 : 0;
};

export type Mode = 'none' | 'search' | 'definitions' | 'both';

/**
 * The ring at case `c` (the file being typed is `lines`, without the line): the chunk of each
 * other file when `opened`, then what the codebase look-up adds in `mode`.
 */
export async function ringFor(o: { pkg: readonly PackageFile[]; decl: ReturnType<typeof declarations>; index: CodeIndex; c: CodebaseCase; lines: string[]; opened: boolean; mode: Mode; limits: CodebaseLimits }): Promise<ContextRing> {
  const { pkg, decl, c, lines, mode } = o;
  const typed = pkg.find((f) => f.file === c.file)!;
  const ring = new ContextRing();
  if (o.opened) for (const f of pkg) if (f.file !== c.file) ring.add({ path: f.rel, text: chunkAround({ lineCount: f.lines.length, lineAt: (i) => f.lines[i] }, 0, chunkLines) });
  if (mode === 'none') return ring;
  const sources: CodebaseSources = {
    search: async (query, limit) => (mode === 'definitions' ? [] : o.index.search(query, limit).map((h) => ({ file: h.path, startLine: h.startLine, endLine: h.endLine }))),
    definitions: async (_file, at) => {
      if (mode === 'search') return [];
      const found = decl.get(at.name) ?? [];
      const local = found.filter((d) => d.file === c.file);
      return (local.length ? local : found).map((d) => d.chunk);
    },
    read: async (file) => {
      const f = file === c.file ? { rel: typed.rel, lines } : pkg.find((p) => p.file === file);
      return f && { path: f.rel, doc: { lineCount: f.lines.length, lineAt: (i) => f.lines[i] } };
    },
  };
  const doc = { lineCount: lines.length, lineAt: (i: number) => lines[i] };
  // The prompt's own window at the defaults (prefixLines 256, suffixLines 64).
  const window = { file: c.file, startLine: Math.max(1, c.line + 1 - 256), endLine: c.line + 1 + 64 };
  const names = identifiersNear(doc, c.line, o.limits.radius, o.limits.maxNames);
  const extras = await lookUpCodebase({ file: c.file, doc, line: c.line, window }, names, () => ring.list(), sources, o.limits, new AbortController().signal);
  for (const e of extras) ring.add({ path: e.path, text: e.text });
  return ring;
}

/** The case's file as the user has it: the line removed, only its indentation left. */
export function typedLines(pkg: readonly PackageFile[], c: CodebaseCase): string[] {
  const typed = pkg.find((f) => f.file === c.file)!;
  const indent = /^\s*/.exec(typed.lines[c.line])![0];
  return [...typed.lines.slice(0, c.line), indent, ...typed.lines.slice(c.line + 1)];
}

/** The measure over the packages of `files` (each file's directory is its package's source). */
export async function measureCodebaseContext(files: readonly string[], repo: string, limits: CodebaseLimits = defaultCodebaseLimits): Promise<CodebaseFigures> {
  const dirs = [...new Set(files.map((f) => dirname(f)))];
  const sides: Record<string, { hits: number; cases: number; tokens: number }> = {};
  const lookupMs: number[] = [];
  const packages: CodebaseFigures['packages'] = [];
  for (const dir of dirs) {
    const pkg = packageFiles(dir);
    const cases = codebaseCases(pkg);
    packages.push({ dir: relative(repo, dir), files: pkg.length, cases: cases.length });
    if (cases.length === 0) continue;
    const decl = declarations(pkg);
    const base = new CodeIndex({ maxChars: 64 * 1024 * 1024 });
    for (const f of pkg) base.setFile(f.file, f.lines.join('\n'), 'v1');
    for (const c of cases) {
      const typed = pkg.find((f) => f.file === c.file)!;
      const lines = typedLines(pkg, c);
      // The index holds the file being typed as it is now: without the line.
      base.setFile(c.file, lines.join('\n'), `typing ${c.line}`);
      for (const opened of [false, true]) {
        for (const mode of ['none', 'search', 'definitions', 'both'] as Mode[]) {
          const started = performance.now();
          const ring = await ringFor({ pkg, decl, index: base, c, lines, opened, mode, limits });
          if (opened && mode === 'both') lookupMs.push(performance.now() - started);
          const side = `${opened ? 'other files opened' : 'nothing opened'}, ${mode === 'none' ? 'ring only' : mode === 'both' ? '+ codebase (definitions + index)' : mode === 'search' ? '+ index search only' : '+ definitions only'}`;
          const s = (sides[side] ??= { hits: 0, cases: 0, tokens: 0 });
          s.cases++;
          s.tokens += ring.list().reduce((t, ch) => t + estimateTokens(ch.text), 0);
          if (ring.list().some((ch) => ch.text.includes(c.declarationLine))) s.hits++;
        }
      }
      base.setFile(c.file, typed.lines.join('\n'), 'v1');
    }
  }
  return {
    packages,
    limits,
    sides: Object.fromEntries(Object.entries(sides).map(([k, s]) => [k, { hits: s.hits, cases: s.cases, hit_rate: Math.round((s.hits / s.cases) * 1000) / 1000, mean_ring_tokens: Math.round(s.tokens / s.cases) }])),
    lookup_ms: { p50: quantile(lookupMs, 0.5), p95: quantile(lookupMs, 0.95) },
  };
}
