/**
 * Finds network and telemetry APIs in TypeScript sources by walking the syntax tree (TypeScript's
 * own parser), so comments and prose never count and renamed imports still do.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import * as ts from 'typescript';

export interface ScanHit {
  /** Repository-relative, with `/`. */
  file: string;
  line: number;
  /** What was found: `fetch`, `import node:net`, `spawn curl`, `getLlama without build: 'never'`… */
  api: string;
}

export interface ScanRules {
  /** Identifiers that name a network (or telemetry) API wherever they appear. */
  identifiers: ReadonlySet<string>;
  /** Module names whose import means network (or telemetry) code; `node:` is ignored. */
  modules: (name: string) => boolean;
  /** String literals that name a network program (spawned curl, wget). */
  programs?: ReadonlySet<string>;
  /** Calls that can reach the network unless given a guard option: callee name → guard pattern. */
  guardedCalls?: ReadonlyMap<string, RegExp>;
}

export function listFiles(root: string, dir: string, extensions: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return; // A folder that does not exist (yet) has nothing in it.
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (extensions.some((x) => e.name.endsWith(x))) out.push(relative(root, p).split(sep).join('/'));
    }
  };
  walk(join(root, dir));
  return out.sort();
}

export function scanSource(file: string, text: string, rules: ScanRules): ScanHit[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const hits: ScanHit[] = [];
  const hit = (node: ts.Node, api: string) => hits.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, api });
  const moduleName = (spec: ts.Node | undefined): string | undefined => (spec && ts.isStringLiteralLike(spec) ? spec.text.replace(/^node:/, '') : undefined);
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && rules.identifiers.has(node.text)) hit(node, node.text);
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      const m = moduleName(node.moduleSpecifier);
      if (m && rules.modules(m)) hit(node, `import ${m}`);
    }
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const m = moduleName(node.moduleReference.expression);
      if (m && rules.modules(m)) hit(node, `import ${m}`);
    }
    if (ts.isCallExpression(node)) {
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      if (isRequire || isDynamicImport) {
        const m = moduleName(node.arguments[0]);
        if (m && rules.modules(m)) hit(node, `import ${m}`);
      }
      const callee = ts.isIdentifier(node.expression) ? node.expression.text : ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : undefined;
      const guard = callee ? rules.guardedCalls?.get(callee) : undefined;
      if (guard && !guard.test(node.getText(source))) hit(node, `${callee} without ${guard.source}`);
    }
    if (rules.programs && ts.isStringLiteralLike(node) && rules.programs.has(node.text)) hit(node, `spawn ${node.text}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return hits;
}

export function scanFiles(root: string, files: readonly string[], rules: ScanRules): ScanHit[] {
  return files.flatMap((f) => scanSource(f, readFileSync(join(root, f), 'utf8'), rules));
}

/** Identifiers, property names and string contents (not comments) that match `pattern`. */
export function tokensMatching(text: string, pattern: RegExp): { line: number; text: string }[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const out: { line: number; text: string }[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    const token = scanner.getTokenText();
    if (pattern.test(token)) out.push({ line: text.slice(0, scanner.getTokenStart()).split('\n').length, text: token });
  }
  return out;
}
