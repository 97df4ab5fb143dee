import * as assert from 'node:assert/strict';
import type { CompletionParams } from '../../src/runtime/protocol';
import { fimTemplates } from '../../src/fim/fimFamilies';
import { cutAtDedent } from '../../src/fim/indentStop';
import { fimPromptText, fimStops } from '../../src/fim/fimText';
import { HoleStart } from '../../src/fim/holeStart';
import { fitTextBudget } from '../../src/server/fitTextBudget';
import { infillBody, infillCollector, infillResult } from '../../src/server/infillRequest';
import { openAiCompletionBody, openAiCompletionCollector, openAiCompletionResult } from '../../src/server/openAiCompletionRequest';
import { endpointUrl } from '../../src/server/serverHttp';

const parts = { prefix: 'def f(x):\n    return ', suffix: '\n\nprint(f(1))\n', extra: [{ path: 'src/util.py', text: 'def g():\n    pass\n' }], filePath: 'src/main.py', repoName: 'demo' };
const bare = { prefix: 'a = ', suffix: '\n', extra: [] };
const params = (over: Partial<CompletionParams> = {}): CompletionParams => ({ prefix: 'a = ', suffix: '\n', maxTokens: 16, maxPrefixTokens: 100, maxSuffixTokens: 100, ...over });

describe('FIM text templates (/v1/completions)', () => {
  it('qwen: plain FIM without repo context, repo-level with it (Qwen2.5-Coder layout)', () => {
    assert.equal(fimPromptText('qwen', bare), '<|fim_prefix|>a = <|fim_suffix|>\n<|fim_middle|>');
    assert.equal(
      fimPromptText('qwen', parts),
      '<|repo_name|>demo\n<|file_sep|>src/util.py\ndef g():\n    pass\n\n<|file_sep|>src/main.py\n<|fim_prefix|>def f(x):\n    return <|fim_suffix|>\n\nprint(f(1))\n<|fim_middle|>',
    );
  });

  it('starcoder2: repo name, files, then the FIM file whose path is inside the prefix span', () => {
    assert.equal(
      fimPromptText('starcoder2', parts),
      '<repo_name>demo<file_sep>src/util.py\ndef g():\n    pass\n<file_sep><fim_prefix>src/main.py\ndef f(x):\n    return <fim_suffix>\n\nprint(f(1))\n<fim_middle>',
    );
  });

  it('deepseek, codellama, codestral: extra context as path-commented files inside the prefix', () => {
    const ctx = '# src/util.py\ndef g():\n    pass\n\n# src/main.py\ndef f(x):\n    return ';
    assert.equal(fimPromptText('deepseek', parts), `<｜fim▁begin｜>${ctx}<｜fim▁hole｜>\n\nprint(f(1))\n<｜fim▁end｜>`);
    assert.equal(fimPromptText('codellama', parts), `<PRE> ${ctx} <SUF>\n\nprint(f(1))\n <MID>`);
    assert.equal(fimPromptText('codestral', parts), `[SUFFIX]\n\nprint(f(1))\n[PREFIX]${ctx}`);
    assert.equal(fimPromptText('codellama', bare), '<PRE> a =  <SUF>\n <MID>');
  });

  it('every template has stop strings, and the request carries them (plus a line break for one-line requests)', () => {
    for (const t of fimTemplates) assert.ok(fimStops(t).length > 0, t);
    const body = openAiCompletionBody(params({ singleLine: true }), 'deepseek', 'deepseek-coder-6.7b-base');
    assert.equal(body.model, 'deepseek-coder-6.7b-base');
    assert.deepEqual(body.stop, [...fimStops('deepseek'), '\n']);
    assert.equal(body.max_tokens, 16);
    assert.equal(body.stream, true);
    assert.equal(openAiCompletionBody(params(), 'qwen', '').model, undefined, 'no model name: the server default');
  });
});

describe('server completion requests', () => {
  it('/infill carries the pieces, the extra chunks, the cache flag and the stops the worker applies', () => {
    const body = infillBody(params({ extra: [{ path: 'b.py', text: 'x = 1\n' }], maxExtraTokens: 100, timeBudgetMs: 500, indent: 4, singleLine: true }));
    assert.equal(body.input_prefix, 'a = ');
    assert.deepEqual(body.input_extra, [{ filename: 'b.py', text: 'x = 1\n' }]);
    assert.equal(body.cache_prompt, true);
    assert.equal(body.t_max_predict_ms, 500);
    assert.equal(body.n_indent, 4);
    assert.deepEqual(body.stop, ['\n']);
    assert.equal(body.stream, true);
  });

  it('folds streamed /infill events into text and maps timings to stats', () => {
    const c = infillCollector();
    c.add('{"content":"1 +","stop":false}');
    c.add('{"content":" 2","stop":false}');
    c.add('{"content":"","stop":true,"stop_type":"limit","timings":{"cache_n":30,"prompt_n":5,"prompt_ms":12.4,"predicted_n":2,"predicted_ms":8.6}}');
    const r = infillResult(c.answer(), params({ maxTokens: 2 }), 40.2);
    assert.equal(r.text, '1 + 2');
    assert.deepEqual(r.stats, { reusedTokens: 30, evaluatedTokens: 5, generatedTokens: 2, promptMs: 12, generateMs: 9, totalMs: 40, stop: 'maxTokens' });
    assert.equal(infillResult({ stop_type: 'limit', timings: { predicted_n: 3, predicted_ms: 700 } }, params({ timeBudgetMs: 500 }), 1).stats.stop, 'timeBudget');
    assert.equal(infillResult({ stop_type: 'limit', timings: { predicted_n: 3, predicted_ms: 10 } }, params({ indent: 4 }), 1).stats.stop, 'indent');
    assert.equal(infillResult({ stop_type: 'eos' }, params(), 1).stats.stop, 'eog');
    assert.equal(infillResult({ stop_type: 'word' }, params({ singleLine: true }), 1).stats.stop, 'singleLine');
    const warm = infillResult({ content: 'x', stop_type: 'limit', timings: { predicted_n: 1 } }, params({ maxTokens: 0 }), 1);
    assert.equal(warm.text, '');
    assert.equal(warm.stats.stop, 'warmup');
  });

  it('cuts the streamed text where a line is indented less than the cursor, as the worker does: that line and the break before it go', () => {
    assert.equal(cutAtDedent('x = 1\n    y = 2\n\n    z\nw = 3\n', 4), 'x = 1\n    y = 2\n\n    z');
    assert.equal(cutAtDedent('x\ny', 0), 'x\ny');
    assert.equal(cutAtDedent('only one line', 4), 'only one line');
    const openAi = openAiCompletionResult({ choices: [{ text: 'a\n    b\nc = 1\n', finish_reason: 'stop' }] }, params({ indent: 4 }), 1);
    assert.deepEqual([openAi.text, openAi.stats.stop], ['a\n    b', 'indent']);
    const infill = infillResult({ content: 'a\n    b\nc', stop_type: 'limit', timings: { predicted_n: 3 } }, params({ indent: 4 }), 1);
    assert.equal(infill.text, 'a\n    b');
  });

  it('folds streamed /v1/completions chunks, usage and llama-server timings', () => {
    const c = openAiCompletionCollector();
    c.add('{"choices":[{"text":"foo","finish_reason":null}]}');
    c.add('{"choices":[{"text":"(bar)","finish_reason":"length"}]}');
    c.add('{"choices":[],"usage":{"prompt_tokens":40,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":32}}}');
    const r = openAiCompletionResult(c.answer(), params({ maxTokens: 2 }), 12);
    assert.equal(r.text, 'foo(bar)');
    assert.equal(r.stats.reusedTokens, 32);
    assert.equal(r.stats.evaluatedTokens, 8);
    assert.equal(r.stats.generatedTokens, 2);
    assert.equal(r.stats.stop, 'maxTokens');
  });

  it('keeps the text within the token budgets (3 characters a token), cutting at line boundaries', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const fitted = fitTextBudget(params({ prefix: lines, suffix: lines, maxPrefixTokens: 10, maxSuffixTokens: 10, extra: [{ path: 'old.py', text: 'x'.repeat(60) }, { path: 'new.py', text: 'y'.repeat(20) }], maxExtraTokens: 10 }));
    assert.ok(fitted.prefix.length <= 30 && lines.endsWith(fitted.prefix) && lines.includes(`\n${fitted.prefix}`), JSON.stringify(fitted.prefix));
    assert.ok(fitted.suffix.length <= 30 && lines.startsWith(fitted.suffix) && fitted.suffix.endsWith('\n'), JSON.stringify(fitted.suffix));
    assert.deepEqual(fitted.extra.map((c) => c.path), ['new.py'], 'the oldest chunk goes first');
  });

  it('/v1/completions: typing only appends to the prompt (the typed middle after the middle token), as in the worker', () => {
    const hole = new HoleStart();
    const suffix = '\n    return total\n';
    const typed = ['    for x in x', '    for x in xs', '    for x in xs:'];
    const prompts = typed.map((line) => openAiCompletionBody(params({ prefix: `def f(xs):\n${line}`, suffix }), 'qwen', '', hole).prompt as string);
    assert.equal(prompts[0], '<|fim_prefix|>def f(xs):\n<|fim_suffix|>\n    return total\n<|fim_middle|>    for x in x');
    assert.ok(prompts[1].startsWith(prompts[0]) && prompts[2].startsWith(prompts[1]), prompts.join(' | '));
    // Without the backend's hole (or for a family that reads typed text as its prefix) the cursor ends the prefix.
    assert.equal(openAiCompletionBody(params({ prefix: 'def f(xs):\n    for', suffix }), 'qwen', '').prompt, '<|fim_prefix|>def f(xs):\n    for<|fim_suffix|>\n    return total\n<|fim_middle|>');
    assert.equal(openAiCompletionBody(params({ prefix: 'def f(xs):\n    for', suffix }), 'codellama', '', new HoleStart()).prompt, openAiCompletionBody(params({ prefix: 'def f(xs):\n    for', suffix }), 'codellama', '').prompt);
  });

  it('a request without an extra-context budget sends no extra context, as the worker does', () => {
    const fitted = fitTextBudget(params({ extra: [{ path: 'b.py', text: 'x = 1\n' }] }));
    assert.deepEqual(fitted.extra, []);
  });

  it('joins paths under the server URL, without a second /v1', () => {
    assert.equal(endpointUrl(new URL('http://h:8080'), '/infill').href, 'http://h:8080/infill');
    assert.equal(endpointUrl(new URL('http://h:8080/v1/'), '/v1/completions').href, 'http://h:8080/v1/completions');
    assert.equal(endpointUrl(new URL('https://h/llama'), '/v1/chat/completions').href, 'https://h/llama/v1/chat/completions');
  });
});
