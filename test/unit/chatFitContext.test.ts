import * as assert from 'node:assert/strict';
import { answerBudget, fitContext, minAttachmentTokens, type FitInput } from '../../src/chat/fitContext';

const base: FitInput = { windowTokens: 1000, answerTokens: 200, systemTokens: 50, questionTokens: 20, attachments: [], history: [] };
const turns = (n: number, tokens: number) => Array.from({ length: n * 2 }, (_, i) => ({ role: i % 2 === 0 ? ('user' as const) : ('assistant' as const), tokens }));

describe('chat context trimming', () => {
  it('sends everything when it fits, with no note', () => {
    const fit = fitContext({ ...base, attachments: [{ label: 'a.ts', tokens: 100 }], history: turns(2, 30) });
    assert.equal(fit.ok, true);
    assert.deepEqual(fit.attachments, [{ state: 'whole', keepTokens: 100 }]);
    assert.equal(fit.firstHistoryIndex, 0);
    assert.deepEqual(fit.notes, []);
    assert.ok(fit.promptTokens + 200 <= 1000);
  });

  it('drops the oldest turns first and says how many, keeping system prompt and context', () => {
    const fit = fitContext({ ...base, attachments: [{ label: 'a.ts', tokens: 300 }], history: turns(10, 40) });
    assert.equal(fit.attachments[0].state, 'whole', 'attached context is kept before history');
    assert.ok(fit.firstHistoryIndex > 0 && fit.firstHistoryIndex < 20);
    assert.equal(fit.firstHistoryIndex % 2, 0, 'history starts at a question');
    assert.match(fit.notes.join('\n'), new RegExp(`${fit.firstHistoryIndex} earlier messages .* left out`));
    assert.ok(fit.promptTokens <= 1000 - 200, `prompt ${fit.promptTokens} leaves room for the answer`);
  });

  it('never starts the history with an answer', () => {
    // Room for exactly the last answer but not its question.
    const fit = fitContext({ ...base, windowTokens: 400, answerTokens: 100, history: [{ role: 'user', tokens: 150 }, { role: 'assistant', tokens: 100 }] });
    assert.equal(fit.firstHistoryIndex, 2);
  });

  it('trims an attachment too big for the window, and leaves out what no longer fits', () => {
    const fit = fitContext({ ...base, attachments: [{ label: 'big.log', tokens: 1_000_000 }, { label: 'small.ts', tokens: 50 }] });
    assert.equal(fit.attachments[0].state, 'trimmed');
    assert.ok(fit.attachments[0].keepTokens > minAttachmentTokens);
    assert.equal(fit.attachments[1].state, 'dropped');
    assert.match(fit.notes[0], /big\.log was trimmed to its first [\d,]+ of 1,000,000 tokens/);
    assert.match(fit.notes[1], /small\.ts \(50 tokens\) was left out/);
  });

  it('reports a question that cannot fit instead of sending a cut one', () => {
    const fit = fitContext({ ...base, questionTokens: 5000 });
    assert.equal(fit.ok, false);
    assert.match(fit.notes[0], /too long for the chat model's context window/);
  });

  it('the answer budget never runs past the window', () => {
    assert.equal(answerBudget(1000, 100, 50), 50);
    assert.ok(answerBudget(1000, 900, 500) < 100);
    assert.equal(answerBudget(1000, 5000, 500), 1);
  });
});

describe('chat context trimming of a huge file', () => {
  it('does not claim a total it never counted', () => {
    const fit = fitContext({ ...base, attachments: [{ label: 'big.log', tokens: 20_000, clipped: true }] });
    assert.match(fit.notes[0], /big\.log was trimmed to its first [\d,]+ tokens to fit/);
    assert.doesNotMatch(fit.notes[0], /20,000/);
  });
});
