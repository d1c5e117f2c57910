// The size budget of the script tag, checked in `npm test`: dist/stint.js gzipped at level 9 must stay
// under its absolute budget and within 2% of its recorded baseline (scripts/size.json), as Snowplow's
// CI does: growth is a decision recorded in the commit that makes it.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const GROWTH = 0.02;
const limits = JSON.parse(readFileSync(new URL('./size.json', import.meta.url), 'utf8'));
let failed = false;
for (const [file, { budget, baseline }] of Object.entries(limits)) {
  const bytes = gzipSync(readFileSync(file), { level: 9 }).length;
  const ceiling = Math.min(budget, Math.floor(baseline * (1 + GROWTH)));
  const line = `${file}: ${bytes} B gzipped (baseline ${baseline} B, budget ${budget} B)`;
  if (bytes > ceiling) {
    failed = true;
    console.error(`${line}: over by ${bytes - ceiling} B${bytes <= budget ? ` (more than ${GROWTH * 100}% above the baseline)` : ''}`);
  } else console.log(line);
}
process.exit(failed ? 1 : 0);
