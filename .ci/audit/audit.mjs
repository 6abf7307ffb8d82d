// Runs every graphql-http server audit against URL and fails when a MUST fails.
// Usage: node audit.mjs http://127.0.0.1:PORT/graphql
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

const results = await Promise.all(serverAudits({ url }).map(({ fn }) => fn()));
const tally = { MUST: [0, 0], SHOULD: [0, 0], MAY: [0, 0] };
for (const result of results) {
  const level = result.name.split(' ')[0];
  tally[level][1] += 1;
  if (result.status === 'ok') {
    tally[level][0] += 1;
  } else {
    console.log(`${result.status} ${result.id} ${result.name}: ${result.reason}`);
  }
}
for (const [level, [ok, all]] of Object.entries(tally)) {
  console.log(`audit ${level}: ${ok}/${all} pass`);
}
process.exit(tally.MUST[0] === tally.MUST[1] ? 0 : 1);
