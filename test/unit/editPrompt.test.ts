import * as assert from 'node:assert/strict';
import { buildEditPrompt, editSystemPrompt } from '../../src/edit/editPrompt';
import { safetyTokens } from '../../src/chat/fitContext';

/** One token per word, like the chat tests. */
const words = (texts: string[]) => Promise.resolve(texts.map((t) => t.split(/\s+/).filter(Boolean).length));
const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix} line number ${i} of the file`).join('\n');

describe('edit prompt', () => {
  const base = { instruction: 'add type hints', fileName: 'src/shapes.py', language: 'python', target: 'def area(w, h):\n    return w * h', before: 'import math\n', after: '\nprint(area(2, 3))', windowTokens: 4096, maxAnswerTokens: 256, count: words };

  it('holds the instruction, the target, the language and the file around it', async () => {
    const p = await buildEditPrompt(base);
    assert.ok(p.ok);
    assert.equal(p.messages[0].content, editSystemPrompt);
    const user = p.messages[1].content;
    assert.match(user, /File: src\/shapes\.py \(python\)/);
    assert.match(user, /The code to edit:\n```python\ndef area\(w, h\):\n    return w \* h\n```/);
    assert.match(user, /import math/);
    assert.match(user, /print\(area\(2, 3\)\)/);
    assert.match(user, /Instruction: add type hints/);
    assert.ok(user.indexOf('import math') < user.indexOf('The code to edit') && user.indexOf('The code to edit') < user.indexOf('print('));
  });

  it('generate here: no target block, an insertion point instead', async () => {
    const p = await buildEditPrompt({ ...base, target: '' });
    assert.ok(p.ok);
    assert.doesNotMatch(p.messages[1].content, /The code to edit/);
    assert.match(p.messages[1].content, /insertion point/);
  });

  it('a big file is cut to the window, keeping the lines nearest the target', async () => {
    const before = lines('above', 2000);
    const after = lines('below', 2000);
    const p = await buildEditPrompt({ ...base, before, after, windowTokens: 2048 });
    assert.ok(p.ok);
    const [tokens] = await words([p.messages.map((m) => m.content).join('\n')]);
    assert.ok(tokens + p.maxTokens + safetyTokens(2048) <= 2048, `${tokens} + ${p.maxTokens} over the window`);
    const user = p.messages[1].content;
    assert.match(user, /above line number 1999 of/);
    assert.match(user, /below line number 0 of/);
    assert.doesNotMatch(user, /above line number 0 of/);
    assert.ok(p.contextLines.before > 10 && p.contextLines.after > 10);
  });

  it('the exact measure shrinks the context again when the template costs more than counted', async () => {
    const before = lines('above', 400);
    const measured: number[] = [];
    const p = await buildEditPrompt({ ...base, before, windowTokens: 2048, measure: async (m) => { const [n] = await words([m.map((x) => x.content).join(' ')]); measured.push(n + 300); return n + 300; } });
    assert.ok(p.ok);
    assert.ok(measured.length >= 2, 'measured again after shrinking');
    assert.ok(p.promptTokens + p.maxTokens <= 2048);
  });

  it('a target too long for the window is an error, nothing sent', async () => {
    const p = await buildEditPrompt({ ...base, target: lines('target', 400), windowTokens: 512 });
    assert.equal(p.ok, false);
    assert.match(!p.ok ? p.error : '', /too long for the chat model's context window/);
  });
});
