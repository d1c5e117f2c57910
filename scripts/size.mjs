// The size budget of the script tag, checked in `npm test`: dist/stint.js, gzipped at level 9.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export const BUDGET = 6000;

const bytes = gzipSync(readFileSync('dist/stint.js'), { level: 9 }).length;
const line = `dist/stint.js: ${bytes} bytes gzipped (budget ${BUDGET})`;
if (bytes > BUDGET) {
  console.error(`${line}: over budget by ${bytes - BUDGET} bytes`);
  process.exit(1);
}
console.log(line);
