// Run the loopback model server by hand: prints its URL, then one line per request (and the bodies to --dump <dir>).
// Usage: node testing/model-server/main.ts [--port N] [--dump DIR]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startModelServer } from './server.ts';
import { userTurns } from './turns.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dump = flag('--dump');
if (dump) mkdirSync(dump, { recursive: true });

const server = await startModelServer({
  port: flag('--port') ? Number(flag('--port')) : undefined,
  reply: (req) => `OK. (${req.messages?.length ?? 0} messages)`,
  onUnknown: (method, path) => console.error(`unknown: ${method} ${path}`),
});
console.log(server.url);
let seen = 0;
setInterval(() => {
  for (; seen < server.requests.length; seen++) {
    const r = server.requests[seen]!;
    const turn = r.path === '/v1/messages' ? userTurns([r])[0] : undefined;
    console.error(`${r.method} ${r.path}${turn ? ` user: ${JSON.stringify(turn.prompts).slice(0, 120)}` : ''}`);
    if (dump) writeFileSync(join(dump, `${String(seen).padStart(4, '0')}.json`), JSON.stringify(r, null, 2));
  }
}, 200);
process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
