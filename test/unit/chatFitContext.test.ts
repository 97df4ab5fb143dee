import * as assert from 'node:assert/strict';
import { attachmentNote, chipCount } from '../../src/chat/attachmentWording';
import { answerBudget, fitContext, minAttachmentTokens, questionAllowanceTokens, type FitInput } from '../../src/chat/fitContext';

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
    const fit = fitContext({ ...base, attachments: [{ label: 'a.ts', tokens: 200 }], history: turns(10, 40) });
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

describe('chat context: what the user asked for comes first', () => {
  // The defaults: a 4,096-token window, answers up to 1,024 tokens; a system prompt of about 60.
  const defaults: FitInput = { windowTokens: 4096, answerTokens: 1024, systemTokens: 60, questionTokens: 12, attachments: [], history: [] };
  const active = { label: 'big.ts', tokens: 6000, automatic: true };
  const added = { label: 'util.ts', tokens: 900 };

  it('a file the user added is sent whole while the automatic active file is trimmed, whatever their order', () => {
    for (const attachments of [[active, added], [added, active]]) {
      const fit = fitContext({ ...defaults, attachments });
      const fitOf = (a: object) => fit.attachments[attachments.indexOf(a as typeof active)];
      assert.deepEqual(fitOf(added), { state: 'whole', keepTokens: 900 });
      assert.equal(fitOf(active).state, 'trimmed');
      assert.ok(fitOf(active).keepTokens >= minAttachmentTokens);
    }
  });

  it('the automatic file is left out before a file the user added is', () => {
    const fit = fitContext({ ...defaults, attachments: [active, { label: 'huge.ts', tokens: 50_000 }] });
    assert.equal(fit.attachments[1].state, 'trimmed', 'the added file gets the room');
    assert.equal(fit.attachments[0].state, 'dropped');
  });

  it('a follow-up keeps the previous question and answer under the default window', () => {
    const history = [{ role: 'user' as const, tokens: 15 }, { role: 'assistant' as const, tokens: 400 }];
    const fit = fitContext({ ...defaults, attachments: [active, added], history });
    assert.equal(fit.firstHistoryIndex, 0, fit.notes.join('\n'));
    assert.deepEqual(fit.notes, []);
  });

  it("an attachment's share does not change as the conversation grows, so its number stays the same", () => {
    const first = fitContext({ ...defaults, attachments: [active, added] });
    const chip = fitContext({ ...defaults, questionTokens: 0, attachments: [active, added] });
    const followUp = fitContext({ ...defaults, attachments: [active, added], history: [{ role: 'user', tokens: 15 }, { role: 'assistant', tokens: 500 }] });
    assert.deepEqual(chip.attachments, first.attachments, 'the chip, before the question is typed');
    assert.deepEqual(followUp.attachments, first.attachments, 'the next message');
  });

  it('an answer longer than its room takes it from the active file, not from the added one, and is kept', () => {
    const history = [{ role: 'user' as const, tokens: 100 }, { role: 'assistant' as const, tokens: 1024 }];
    const before = fitContext({ ...defaults, attachments: [active, added] });
    const fit = fitContext({ ...defaults, attachments: [active, added], history });
    assert.equal(fit.firstHistoryIndex, 0);
    assert.ok(fit.attachments[0].keepTokens < before.attachments[0].keepTokens, 'the active file gave room');
    assert.deepEqual(fit.attachments[1], { state: 'whole', keepTokens: 900 });
    assert.ok(fit.promptTokens <= 4096 - 1024, `prompt ${fit.promptTokens} leaves room for the answer`);
  });

  it('older messages fill what is left, newest first', () => {
    const fit = fitContext({ ...defaults, attachments: [active], history: turns(20, 150) });
    assert.ok(fit.firstHistoryIndex > 0 && fit.firstHistoryIndex <= 38);
    assert.match(fit.notes.join('\n'), /earlier messages .* left out/);
  });

  it('a question longer than its allowance takes its room from the attachments', () => {
    const short = fitContext({ ...defaults, attachments: [active] });
    const long = fitContext({ ...defaults, questionTokens: questionAllowanceTokens + 300, attachments: [active] });
    assert.equal(short.attachments[0].keepTokens - long.attachments[0].keepTokens, 300);
  });
});

describe('chat attachment wording: one number on the chip, its tooltip and the note', () => {
  it('the chip and the note say the same numbers', () => {
    const trimmed = { label: 'big.ts', tokens: 2507, sentTokens: 1552, state: 'trimmed' as const };
    assert.equal(chipCount(trimmed), 'trimmed to 1,552 of 2,507 tokens');
    assert.equal(attachmentNote(trimmed), 'big.ts was trimmed to its first 1,552 of 2,507 tokens to fit the context window.');
    const dropped = { label: 'x.ts', tokens: 50, sentTokens: 0, state: 'dropped' as const };
    assert.match(chipCount(dropped), /left out \(50 tokens/);
    assert.match(attachmentNote(dropped) ?? '', /x\.ts \(50 tokens\) was left out/);
    assert.equal(attachmentNote({ ...trimmed, state: 'whole', sentTokens: 2507 }), undefined);
  });

  it('does not claim a total it never counted (a huge file cut before counting)', () => {
    const clipped = { label: 'big.log', tokens: 20_000, sentTokens: 1500, state: 'trimmed' as const, note: 'big.log is 5.0 MB: …' };
    assert.match(attachmentNote(clipped) ?? '', /big\.log was trimmed to its first 1,500 tokens to fit/);
    assert.doesNotMatch(attachmentNote(clipped) ?? '', /20,000/);
    assert.equal(chipCount(clipped, '≈'), 'trimmed to ≈1,500 tokens');
  });
});
