// A stand-in for `gt` in Claude Code hook tests: appends one JSON line {argv, stdin} to $FAKE_GT_LOG, and for
// `mail check --inject` prints a line the model server should then see in the user's turn.
import { appendFileSync, readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
let stdin = '';
try {
  stdin = readFileSync(0, 'utf8');
} catch {
  // no stdin
}
const log = process.env.FAKE_GT_LOG;
if (log) appendFileSync(log, `${JSON.stringify({ argv, stdin })}\n`);
if (argv.join(' ') === 'mail check --inject')
  process.stdout.write(`${process.env.FAKE_GT_MAIL ?? 'You have no new mail.'}\n`);
