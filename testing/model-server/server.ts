// A loopback stand-in for the Anthropic Messages API, enough for the real Claude Code CLI to run against it:
// streaming and plain `POST /v1/messages`, token counting, and harmless answers for the rest of its start-up calls.
// Every request is recorded so tests can see what the client sent.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sseEvents, textMessage } from './wire.ts';

/** One request the server received. `body` is the parsed JSON body (undefined when there was none or it was not JSON). */
export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  at: number;
}

/** The part of a Messages API request the reply function looks at. */
export interface MessagesRequest {
  model?: string;
  stream?: boolean;
  system?: unknown;
  messages?: { role: string; content: unknown }[];
  tools?: unknown[];
  max_tokens?: number;
}

export interface ModelServerOptions {
  /** The assistant's text for one `/v1/messages` request (default: "OK."). */
  reply?: (req: MessagesRequest) => string;
  /** Port to listen on (default: any free port). */
  port?: number;
  /** Called with every request path the server has no answer for (it answers 404). */
  onUnknown?: (method: string, path: string) => void;
}

export interface ModelServer {
  /** Base URL for ANTHROPIC_BASE_URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Every request so far, oldest first. */
  requests: RecordedRequest[];
  /** The `/v1/messages` requests among them. */
  messages(): (RecordedRequest & { body: MessagesRequest })[];
  close(): Promise<void>;
}

export async function startModelServer(opts: ModelServerOptions = {}): Promise<ModelServer> {
  const requests: RecordedRequest[] = [];
  const reply = opts.reply ?? (() => 'OK.');
  let counter = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const body = parseJson(raw);
    requests.push({ method, path, body, at: Date.now() });

    if (method === 'POST' && path === '/v1/messages') {
      const m = (body ?? {}) as MessagesRequest;
      const text = reply(m);
      const id = `msg_test_${++counter}`;
      const model = m.model ?? 'claude-test';
      const inputTokens = Math.max(1, Math.ceil(raw.length / 4));
      if (m.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'request-id': id });
        for (const chunk of sseEvents(id, model, text, inputTokens)) res.write(chunk);
        res.end();
      } else {
        sendJson(res, 200, textMessage(id, model, text, inputTokens));
      }
      return;
    }
    if (method === 'POST' && path === '/v1/messages/count_tokens') {
      sendJson(res, 200, { input_tokens: Math.max(1, Math.ceil(raw.length / 4)) });
      return;
    }
    if (method === 'HEAD' || path === '/' || path === '/v1/models') {
      sendJson(res, 200, path === '/v1/models' ? { data: [], has_more: false } : {});
      return;
    }
    opts.onUnknown?.(method, path);
    sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no such endpoint: ${method} ${path}` } });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { type: 'error', error: { type: 'api_error', message: String(e) } });
      else res.end();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    messages: () => requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages') as (RecordedRequest & { body: MessagesRequest })[],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const data = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}
