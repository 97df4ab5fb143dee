import * as assert from 'node:assert/strict';
import { postprocess } from '../../src/completion/postprocess';

describe('postprocess', () => {
  it('drops empty and whitespace-only suggestions', () => {
    assert.equal(postprocess('', ''), undefined);
    assert.equal(postprocess('  \n\t ', ''), undefined);
  });

  it('keeps a multi-line suggestion at the end of a line, without trailing whitespace', () => {
    assert.equal(postprocess('foo();\n  bar();\n\n', ''), 'foo();\n  bar();');
  });

  it('trims text that already stands right of the cursor', () => {
    assert.equal(postprocess('a, b)', ')'), 'a, b');
  });

  it('keeps one line when text sits right of the cursor', () => {
    assert.equal(postprocess('x + 1\ny = 2', ';'), 'x + 1');
  });

  it('normalises CRLF', () => {
    assert.equal(postprocess('a\r\nb', ''), 'a\nb');
  });
});
