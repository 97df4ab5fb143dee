/**
 * The names a line of code declares, by a cheap syntactic look at that one line (no parser per
 * language): `export async function loadUser(` → loadUser, `Router.prototype.route = function` →
 * Router, route, `def parse_args(` → parse_args, `public Foo bar(int x) {` → bar. It finds where
 * the chunker cuts and what the symbols boost of the ranking matches; a miss costs a coarser
 * chunk, never a wrong answer.
 */

const maxLineLength = 400;
const ident = '[A-Za-z_$][\\w$]*';

/** Modifiers in front of a declaration in the languages people index most. */
const modifiers = /^(?:(?:export|default|declare|pub(?:\([\w\s]+\))?|public|private|protected|internal|static|abstract|final|async|override|readonly|virtual|unsafe|inline|extern|sealed|open|suspend|const(?=\s+(?:fn|enum)\b))\s+)+/;

const keywordDeclaration = new RegExp(`^(?:function\\s*\\*?|def|fn|func|class|interface|type|enum|struct|trait|impl|mod|module|namespace|record|object|protocol|union)\\s+(?:\\([^)]*\\)\\s*)?(${ident})`);
const variable = new RegExp(`^(?:const|let|var|val)\\s+(${ident})\\s*(?::[^=]+)?=\\s*(.*)$`);
const assignment = new RegExp(`^(${ident}(?:\\.${ident})*)\\s*=\\s*(?:async\\s+)?(?:function\\b|class\\b|\\([^)]*\\)\\s*=>|${ident}\\s*=>)`);
const property = new RegExp(`^(${ident})\\s*:\\s*(?:async\\s+)?(?:function\\b|\\([^)]*\\)\\s*=>|${ident}\\s*=>)`);
/** `name(…) {`, `get name() {`, `*gen() {`: a method in a class or object literal. */
const method = new RegExp(`^(?:get\\s+|set\\s+|\\*\\s*)?(${ident})\\s*(?:<[^>]*>)?\\s*\\([^;]*\\{\\s*$`);
/** `void main(String[] args) {`, `std::string Foo::name() const {`: a typed C-family signature. */
const typedSignature = new RegExp(`^[\\w$<>\\[\\],.?:*&\\s]+?\\s[*&]*(?:${ident}::)?(${ident})\\s*\\([^;]*\\)\\s*(?:const\\s*)?(?:throws\\s+[\\w.,\\s]+)?\\{?\\s*$`);

/** Words a call, a control statement or an expression starts with: never a declared name. */
const notNames: ReadonlySet<string> = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'function', 'new', 'else', 'do', 'try', 'typeof', 'await', 'yield', 'super', 'this', 'throw', 'case', 'with', 'delete', 'in', 'of', 'instanceof', 'elif', 'except', 'sizeof', 'foreach', 'using', 'lock', 'fixed']);
const ignoredParts: ReadonlySet<string> = new Set(['prototype', 'exports', 'module', 'this', 'self', 'window', 'global', 'globalThis']);

/** A value that is code: what a local variable must hold to count as a declaration inside a body. */
const callableValue = new RegExp(`^(?:async\\s+)?(?:function\\b|class\\b|\\([^)]*\\)\\s*(?::[^=]+)?=>|${ident}\\s*=>)`);

/**
 * Names declared by `line` (empty when it declares nothing). `nested`: the line is inside a
 * declaration's body, where `const x = 1` is a local, not a member worth a chunk of its own.
 */
export function declaredNames(line: string, nested = false): string[] {
  // A minified line declares nothing worth a cut, and would cost the regular expressions time.
  if (line.length > maxLineLength) return [];
  const text = line.trim().replace(modifiers, '');
  if (text.length === 0 || /^(?:\/\/|\/\*|\*|#(?!\s*define)|--)/.test(text)) return [];
  let m = keywordDeclaration.exec(text);
  if (m) return [m[1]];
  m = variable.exec(text);
  if (m) return nested && !callableValue.test(m[2]) ? [] : [m[1]];
  m = assignment.exec(text);
  if (m) return m[1].split('.').filter((p) => !ignoredParts.has(p));
  m = property.exec(text);
  if (m) return [m[1]];
  m = method.exec(text);
  if (m && !notNames.has(m[1])) return [m[1]];
  const firstWord = /^\w+/.exec(text)?.[0];
  if (firstWord && notNames.has(firstWord)) return [];
  m = typedSignature.exec(text);
  if (m && !notNames.has(m[1])) return [m[1]];
  return [];
}
