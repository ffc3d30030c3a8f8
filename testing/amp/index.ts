// Test support for the real Amp CLI (`@ampcode/cli`, node_modules/.bin/amp). Amp's agent loop does not run in the
// CLI: a thread is an actor on Amp's server (`POST /api/thread-actors` with `executorType: "local-client"`, then a
// Rivet actor WebSocket at `/actors/gateway/threadActor/websocket/`, BARE-encoded), which calls the model itself and
// hands tool calls to the CLI. So no scripted model can drive it. What this stand-in answers is Amp's start-up: the
// JSON-RPC calls at `POST /api/internal?<method>` (`getUserInfo`, `listAgentModes`, `loadPlugins`, `loadSkills`,
// `notices`, `splashDispatch`, ...), enough for the TUI to reach its prompt; everything else is refused (404) and
// recorded (docs/formats/agent-presets.md has the evidence).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

export const AMP_BIN = resolve(import.meta.dirname, '../../node_modules/.bin/amp');

export interface AmpRequest {
  method: string;
  path: string;
  rpc?: string;
  body: string;
}

export interface FakeAmpApi {
  url: string;
  requests: AmpRequest[];
  close(): Promise<void>;
}

const USER = {
  id: 'user-polecat',
  email: 'polecat@example.com',
  emailVerified: true,
  username: 'polecat',
  features: [],
  team: null,
  siteAdmin: false,
};

/** The answer to one `POST /api/internal?<method>` call: `{ok: true, result}`, the shape Amp's client reads. */
function rpcResult(method: string): unknown {
  if (method === 'getUserInfo') return USER;
  if (method === 'listAgentModes') return [];
  if (method === 'loadPlugins') return { plugins: [] };
  if (method === 'loadSkills') return { skills: [] };
  return {};
}

/** A loopback stand-in for Amp's server, start-up calls only (see above). Point `AMP_URL` at `url`. */
export async function startFakeAmpApi(): Promise<FakeAmpApi> {
  const requests: AmpRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const rpc = url.pathname === '/api/internal' ? [...url.searchParams.keys()][0] : undefined;
      requests.push({ method: req.method ?? '', path: url.pathname, ...(rpc ? { rpc } : {}), body });
      if (rpc === undefined) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"error":"not served by the Gas Town test stand-in"}');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: true, result: rpcResult(rpc) }));
    });
  });
  // The thread actor's WebSocket (and any other upgrade) is refused: there is no agent loop here.
  server.on('upgrade', (req, socket) => {
    requests.push({ method: 'UPGRADE', path: req.url ?? '', body: '' });
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * A HOME for Amp: `~/.local/share/amp/session.json` with its first-run tour ("Welcome to Amp … Space to continue")
 * marked as seen when `welcomeSeen` (what Amp writes once a person went through it). Returns `home`.
 */
export function prepareAmpHome(home: string, opts: { welcomeSeen: boolean }): string {
  const data = join(home, '.local', 'share', 'amp');
  mkdirSync(data, { recursive: true, mode: 0o700 });
  if (opts.welcomeSeen)
    writeFileSync(
      join(data, 'session.json'),
      `${JSON.stringify({ agentMode: 'medium', neoWelcomeDismissed: true, shortcutsHintUsed: true }, null, 2)}\n`,
      { mode: 0o600 },
    );
  return home;
}

/** The environment of an Amp agent on the stand-in: its URL, a key (any: the stand-in does not check), no update check. */
export function ampTestEnv(url: string, home: string): Record<string, string> {
  return { AMP_URL: url, AMP_API_KEY: 'sk-amp-loopback', AMP_SKIP_UPDATE_CHECK: '1', HOME: home };
}
