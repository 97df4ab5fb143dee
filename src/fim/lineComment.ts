const HASH = new Set([
  'py', 'pyi', 'pyw', 'sh', 'bash', 'zsh', 'fish', 'rb', 'pl', 'pm', 'r', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'conf',
  'ps1', 'psm1', 'nim', 'jl', 'ex', 'exs', 'coffee', 'cr', 'tcl', 'cmake', 'mk', 'tf', 'hcl', 'nix', 'gd', 'properties',
  'dockerfile', 'makefile', 'gitignore', 'env',
]);
const DASHES = new Set(['sql', 'lua', 'hs', 'lhs', 'elm', 'ada', 'adb', 'ads', 'purs', 'vhd', 'vhdl']);
const PERCENT = new Set(['tex', 'sty', 'cls', 'erl', 'hrl']);
const SEMICOLON = new Set(['lisp', 'cl', 'el', 'clj', 'cljs', 'cljc', 'edn', 'scm', 'ss', 'rkt', 'asm', 's']);
const QUOTE = new Set(['vb', 'vbs', 'bas']);
const MARKUP = new Set(['html', 'htm', 'xhtml', 'xml', 'svg', 'vue', 'svelte', 'md', 'markdown', 'xaml', 'csproj']);
const BLOCK = new Set(['css']);

/**
 * A one-line comment that names `path`, in the comment syntax its extension implies ("//" when
 * unknown). Models without repository tokens see other files the way they saw them in training
 * data: as code that starts with a path comment.
 */
export function lineComment(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? base.slice(dot + 1) : base;
  if (HASH.has(ext)) return `# ${path}`;
  if (DASHES.has(ext)) return `-- ${path}`;
  if (PERCENT.has(ext)) return `% ${path}`;
  if (SEMICOLON.has(ext)) return `; ${path}`;
  if (QUOTE.has(ext)) return `' ${path}`;
  if (MARKUP.has(ext)) return `<!-- ${path} -->`;
  if (BLOCK.has(ext)) return `/* ${path} */`;
  return `// ${path}`;
}
