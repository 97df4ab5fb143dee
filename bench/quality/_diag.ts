import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { repo } from '../completion/args';
import { parseQualityArgs } from './args';
import { runSovereign, runPeer } from './sides';
import { approximateTokenizer } from './tokenizer';
(async () => {
  const args = parseQualityArgs([]);
  const files = args.files.map((p) => ({ path: p, rel: relative(repo, p), text: readFileSync(p, 'utf8') }));
  const run = { variant: 'exact' as const, tokenizer: approximateTokenizer, msPerToken: 27, typing: false };
  const s = await runSovereign(files, args.seed, run);
  const p = await runPeer(files, args.seed, run);
  let n = 0;
  for (let i = 0; i < s.waits.length; i++) {
    const a = s.waits[i], b = p.waits[i];
    if (a.score.correct < b.score.correct && n++ < 14) {
      const lp = a.case.prefix.slice(a.case.prefix.lastIndexOf('\n') + 1);
      console.log('----', a.case.file, a.case.line, JSON.stringify(lp), 'suffix:', JSON.stringify(a.case.suffix.slice(0, 30)));
      console.log('truth', JSON.stringify(a.case.truth));
      console.log('sov  ', JSON.stringify(a.shown.text), a.shown.replaceIndent ?? '');
      console.log('peer ', JSON.stringify(b.shown.text));
    }
  }
  process.exit(0);
})();
