import * as assert from 'node:assert/strict';
import {
  balanceClosers,
  capLines,
  dropEmpty,
  firstLineOnly,
  fixIndentation,
  normalizeLineEndings,
  postprocess,
  repeatsNextLine,
  trimOverlapWithLinesBelow,
  trimSuffixOverlap,
  trimTrailingWhitespace,
} from '../../src/completion/postprocess';

const ctx = (over: Partial<Parameters<typeof postprocess>[1]> = {}) => ({ linePrefix: '', lineSuffix: '', linesBelow: [], maxLines: 16, ...over });

describe('postprocess rules', () => {
  it('drops empty and whitespace-only suggestions', () => {
    assert.equal(dropEmpty(''), undefined);
    assert.equal(dropEmpty(' \n\t'), undefined);
    assert.equal(dropEmpty('x'), 'x');
    assert.equal(postprocess('   \n  ', ctx()), undefined);
  });

  it('normalises CRLF and CR line endings', () => {
    assert.equal(normalizeLineEndings('a\r\nb\rc'), 'a\nb\nc');
  });

  it('keeps only the first line when text sits right of the cursor', () => {
    assert.equal(firstLineOnly('a)\nb'), 'a)');
    assert.equal(postprocess('x + 1\ny = 2', ctx({ lineSuffix: ';' })), 'x + 1');
  });

  it('removes trailing whitespace and trailing blank lines', () => {
    assert.equal(trimTrailingWhitespace('a  \n b\t\n\n'), 'a\n b');
  });

  it('trims overlap with the text right of the cursor', () => {
    assert.equal(trimSuffixOverlap('name: str) -> None:', ') -> None:'), 'name: str');
    assert.equal(trimSuffixOverlap('a, b)', ')'), 'a, b');
    assert.equal(trimSuffixOverlap('value', ''), 'value');
    assert.equal(trimSuffixOverlap('abc', 'xyz'), 'abc');
    assert.equal(trimSuffixOverlap('a + b', 'b * 2'), 'a + b', 'one shared letter is no overlap');
  });

  it('balances closing brackets against the suffix', () => {
    assert.equal(balanceClosers('a, b)', ')'), 'a, b');
    assert.equal(balanceClosers('f(a))', '))'), 'f(a)');
    assert.equal(balanceClosers('g(x)', ')'), 'g(x)', 'its own closer stays');
    assert.equal(balanceClosers('[1, 2]', ''), '[1, 2]');
  });

  it('drops trailing lines that equal the lines below the cursor', () => {
    assert.equal(trimOverlapWithLinesBelow('x = 1\n    return x\n}', ['    return x', '}', '']), 'x = 1');
    assert.equal(trimOverlapWithLinesBelow('x = 1\ny = 2', ['z = 3']), 'x = 1\ny = 2');
  });

  it('drops a copy of the lines below that the token limit cut mid-line', () => {
    const below = ['    continue;', '  }', '  if (prev && prev.type === "paren") {'];
    assert.equal(trimOverlapWithLinesBelow('push(x);\n    continue;\n  }\n  if (prev && prev.ty', below), 'push(x);');
    assert.equal(trimOverlapWithLinesBelow('push(x);\n    cont', below), 'push(x);\n    cont', 'a part of one line alone is too weak a sign');
    assert.equal(trimOverlapWithLinesBelow('push(x);\n    continue;\n  } else', below), 'push(x);\n    continue;\n  } else', 'a line that differs is kept');
  });

  it('drops a suggestion that repeats the next non-empty line', () => {
    assert.ok(repeatsNextLine('turn a + b', '    re', ['', '    return a + b']));
    assert.ok(!repeatsNextLine('turn a - b', '    re', ['    return a + b']));
    assert.equal(postprocess('turn a + b', ctx({ linePrefix: '    re', linesBelow: ['    return a + b'] })), undefined);
  });

  it('caps the number of lines', () => {
    assert.equal(capLines('1\n2\n3\n4', 2), '1\n2');
    assert.equal(capLines('1', 2), '1');
  });

  it('on a whitespace-only line, removes the typed indentation or replaces it', () => {
    assert.deepEqual(fixIndentation('    return x', '    '), { text: 'return x', replaceIndent: false });
    assert.deepEqual(fixIndentation('  return x', '    '), { text: '  return x', replaceIndent: true });
    assert.deepEqual(fixIndentation('return x', ''), { text: 'return x', replaceIndent: false });
  });
});
