// Run the GitHub fake as its own process (so tests may call gt synchronously): prints {"url","port"} on one line,
// then serves until stdin closes or SIGTERM. Usage: node testing/github/main.ts <root> [tokens-json] [admins-json]
import { startFakeGitHub } from './server.ts';

const [root, tokens, admins] = process.argv.slice(2);
if (!root) {
  console.error('usage: main.ts <root> [tokens-json] [admins-json]');
  process.exit(2);
}
const gh = await startFakeGitHub({
  root,
  tokens: tokens ? (JSON.parse(tokens) as Record<string, string>) : {},
  admins: admins ? (JSON.parse(admins) as string[]) : [],
});
process.stdout.write(`${JSON.stringify({ url: gh.url, port: gh.port })}\n`);
const stop = (): void => void gh.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
