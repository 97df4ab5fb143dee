import * as assert from 'node:assert/strict';
import { parseEditReply, type ReplyTarget } from '../../src/edit/parseEditReply';

// A method inside a class: indented, with file text above and below it.
const before = ['import { log } from "./log";', '', 'export class Cart {', '  private items: number[] = [];', ''].join('\n');
const target = ['  total(): number {', '    let sum = 0;', '    for (const i of this.items) sum += i;', '    return sum;', '  }'].join('\n');
const after = ['', '  clear(): void {', '    this.items = [];', '  }', '}', ''].join('\n');
const where: ReplyTarget = { target, before, after };

// What the model meant, at the target's indentation.
const edited = ['  total(): number {', '    return this.items.reduce((a, b) => a + b, 0);', '  }'].join('\n');
const editedAt0 = edited.split('\n').map((l) => l.slice(2)).join('\n');

/** Real shapes of bad replies seen from small local models. */
const table: { name: string; reply: string; want: string | RegExp; target?: ReplyTarget }[] = [
  { name: 'bare code at the right indentation', reply: edited, want: edited },
  { name: 'fenced with a language tag', reply: '```typescript\n' + edited + '\n```', want: edited },
  { name: 'fenced with tildes and no tag', reply: '~~~\n' + edited + '\n~~~\n', want: edited },
  { name: 'prose first, then a fence, then prose', reply: "Sure! Here's the updated method:\n\n```ts\n" + edited + '\n```\n\nThis uses reduce to sum the items.', want: edited },
  { name: 'prose around unfenced code', reply: 'Here is the rewritten code:\n' + edited + '\nThis version is shorter and easier to read.', want: edited },
  { name: 'a thinking block before the answer', reply: '<think>The user wants reduce.</think>\n```ts\n' + edited + '\n```', want: edited },
  { name: 'two fences: the edit and a usage example', reply: '```ts\n' + edited + '\n```\nUsage:\n```ts\ncart.total()\n```', want: edited },
  { name: 'a fence never closed (answer cut by the token limit)', reply: '```ts\n' + edited, want: edited },
  { name: 'CRLF line ends', reply: ('```ts\n' + edited + '\n```').replace(/\n/g, '\r\n'), want: edited },
  { name: 'wrong indentation: everything at column 0', reply: '```ts\n' + editedAt0 + '\n```', want: edited },
  { name: 'wrong indentation: everything 4 deeper', reply: edited.split('\n').map((l) => '    ' + l).join('\n'), want: edited },
  { name: 'wrong indentation: only the first line at column 0', reply: 'total(): number {\n    return this.items.reduce((a, b) => a + b, 0);\n  }', want: edited },
  { name: 'whole-file echo', reply: '```ts\n' + before + '\n' + edited + '\n' + after + '\n```', want: edited },
  { name: 'whole-file echo without blank lines', reply: (before + '\n' + edited + '\n' + after).split('\n').filter((l) => l.trim()).join('\n'), want: edited },
  { name: 'the enclosing class echoed around the method', reply: '```ts\nexport class Cart {\n  private items: number[] = [];\n\n' + edited + '\n}\n```', want: edited },
  { name: 'the class header echoed, first line renamed', reply: 'export class Cart {\n  sum(): number {\n    return this.items.reduce((a, b) => a + b, 0);\n  }', want: '  sum(): number {\n    return this.items.reduce((a, b) => a + b, 0);\n  }' },
  { name: 'the next method echoed after the edit', reply: edited + '\n\n  clear(): void {\n    this.items = [];\n  }', want: edited },
  { name: 'empty reply', reply: '', want: /empty reply/ },
  { name: 'whitespace only', reply: '  \n\n ', want: /empty reply/ },
  { name: 'only prose', reply: 'I am sorry, but I cannot help with that request.', want: /no code/ },
  { name: 'only prose over several lines', reply: 'Sure! Here is how you could do it.\nYou would use the reduce method of arrays.\nIt sums the values.', want: /no code/ },
  { name: 'an empty fence', reply: 'Here you go:\n```ts\n```', want: /no code/ },
  { name: 'only the surrounding file repeated', reply: before, want: /only repeated/ },
];

describe('edit reply parser: real-world bad replies', () => {
  for (const row of table) {
    it(row.name, () => {
      const parsed = parseEditReply(row.reply, row.target ?? where);
      if (typeof row.want === 'string') {
        assert.ok(parsed.ok, `expected code, got error: ${!parsed.ok && parsed.error}`);
        assert.equal(parsed.code, row.want);
      } else {
        assert.equal(parsed.ok, false, `expected an error, got code:\n${parsed.ok && parsed.code}`);
        if (!parsed.ok) {
          assert.match(parsed.error, row.want);
          // The error carries the reply so the user sees what the model said.
          assert.equal(parsed.reply, row.reply);
        }
      }
    });
  }

  it('keeps closing brackets that belong to the target', () => {
    const fn = 'function f() {\n  if (x) {\n    y();\n  }\n}';
    const parsed = parseEditReply('```js\n' + fn.replace('y()', 'z()') + '\n```', { target: fn, before: '', after: '\n}\n' });
    assert.ok(parsed.ok);
    assert.equal(parsed.code, fn.replace('y()', 'z()'));
  });

  it('drops a closing bracket of the enclosing block echoed after the target', () => {
    const parsed = parseEditReply('  a() {\n    return 2;\n  }\n}', { target: '  a() {\n    return 1;\n  }', before: 'class A {', after: '}\n' });
    assert.ok(parsed.ok);
    assert.equal(parsed.code, '  a() {\n    return 2;\n  }');
  });

  it('keeps Python code whose lines look like words', () => {
    const py = '    for item in items:\n        total += item\n    return total';
    const parsed = parseEditReply(py, { target: py });
    assert.ok(parsed.ok);
    assert.equal(parsed.code, py);
  });

  it('generate here: code at the given indentation, no target to anchor on', () => {
    const parsed = parseEditReply('Here is the function:\n```python\ndef add(a, b):\n    return a + b\n```', { target: '', indent: '    ', before: 'class M:', after: '' });
    assert.ok(parsed.ok);
    assert.equal(parsed.code, '    def add(a, b):\n        return a + b');
  });

  it('while streaming, prose or an open fence is no error yet', () => {
    assert.deepEqual(parseEditReply('Sure! Here', where, { partial: true }), { ok: true, code: '' });
    assert.deepEqual(parseEditReply('```ts\n  total', where, { partial: true }), { ok: true, code: '  total' });
  });
});

describe('edit reply parser: prose files and code blocks', () => {
  it('in a Markdown file, sentences are the edit', () => {
    const parsed = parseEditReply('This project runs a local model.\nNothing leaves the machine.', { target: 'This project runs a model.', prose: true });
    assert.deepEqual(parsed, { ok: true, code: 'This project runs a local model.\nNothing leaves the machine.' });
  });

  it("chat's Apply as diff: a code block's text is taken whole, prose-like lines and inner fences included", () => {
    const block = 'Usage notes for the tool\n```sh\nrun it\n```';
    const parsed = parseEditReply(block, { target: 'old' }, { codeBlock: true });
    assert.deepEqual(parsed, { ok: true, code: block });
  });
});
