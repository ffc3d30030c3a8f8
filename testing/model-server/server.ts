// A loopback stand-in for the Anthropic Messages API, enough for the real Claude Code CLI to run against it:
// streaming and plain `POST /v1/messages` (text and tool_use answers, from a reply function or a scenario script),
// token counting, and harmless answers for the rest of its start-up calls. Every request is recorded, with the
// usage the server reported for it (docs/testing.md).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { geminiEvents, geminiResponse, type GeminiRequest } from './gemini.ts';
import { chatCompletion, chatEvents, type ChatRequest } from './openai-chat.ts';
import { responseObject, responsesEvents } from './responses.ts';
import { assistantMessage, sseEvents, usageFor, type ContentBlock, type Usage } from './wire.ts';

/** One request the server received. `body` is the parsed JSON body (undefined when there was none or it was not JSON). */
export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  at: number;
  /** Size of the body as received, in bytes. */
  bytes: number;
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

/** An answer: plain text, or content blocks (text and tool_use), optionally held back for `delayMs` first. */
export type Reply = string | { content: ContentBlock[]; delayMs?: number };

/** Computes the answer to one `/v1/messages` request; `index` is its position in `server.requests`. */
export type Responder = (req: MessagesRequest, info: { index: number }) => Reply | Promise<Reply>;

export interface ModelServerOptions {
  /** The assistant's text for one `/v1/messages` request (default: "OK."). Ignored when `respond` is given. */
  reply?: (req: MessagesRequest) => string;
  /** The full answer (text and tool calls), e.g. a scenario script's `respond`. */
  respond?: Responder;
  /** The answer to an OpenAI Responses request (`POST /v1/responses`, what Codex sends; default "OK."). */
  respondResponses?: (
    req: { model?: string; stream?: boolean; input?: unknown },
    info: { index: number },
  ) => Reply | Promise<Reply>;
  /** The answer to a Gemini API request (`POST /v1beta/models/<model>:generateContent`, what the Gemini CLI sends; default "OK."). */
  respondGemini?: (req: GeminiRequest, info: { index: number; model: string }) => Reply | Promise<Reply>;
  /** The answer to an OpenAI Chat Completions request (`POST /v1/chat/completions`, what OpenCode's openai-compatible provider sends; default "OK."). */
  respondChat?: (req: ChatRequest, info: { index: number }) => Reply | Promise<Reply>;
  /** Port to listen on (default: any free port). */
  port?: number;
  /** Called with every request path the server has no answer for (it answers 404). */
  onUnknown?: (method: string, path: string) => void;
}

export interface UsageRow {
  /** Position of the request in `server.requests`. */
  index: number;
  at: number;
  model: string;
  usage: Usage;
}

export interface UsageReport {
  total: Usage;
  requests: UsageRow[];
}

export interface ModelServer {
  /** Base URL for ANTHROPIC_BASE_URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Every request so far, oldest first. */
  requests: RecordedRequest[];
  /** The `/v1/messages` requests among them. */
  messages(): (RecordedRequest & { body: MessagesRequest })[];
  /** The usage reported on every answer of every dialect (Messages, Responses, Gemini), per request and summed (answers never sent are left out). */
  usage(): UsageReport;
  close(): Promise<void>;
}

export async function startModelServer(opts: ModelServerOptions = {}): Promise<ModelServer> {
  const requests: RecordedRequest[] = [];
  const rows: UsageRow[] = [];
  const reply = opts.reply ?? (() => 'OK.');
  const respond: Responder = opts.respond ?? ((m) => reply(m));
  const respondResponses = opts.respondResponses ?? (() => 'OK.');
  const respondGemini = opts.respondGemini ?? (() => 'OK.');
  const respondChat = opts.respondChat ?? (() => 'OK.');
  const timers = new Set<NodeJS.Timeout>();
  let counter = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const body = parseJson(raw.toString('utf8'));
    const index = requests.push({ method, path, body, at: Date.now(), bytes: raw.length }) - 1;

    if (method === 'POST' && path === '/v1/messages') {
      const m = (body ?? {}) as MessagesRequest;
      const answer = await respond(m, { index });
      const content: ContentBlock[] = typeof answer === 'string' ? [{ type: 'text', text: answer }] : answer.content;
      const delayMs = typeof answer === 'string' ? 0 : (answer.delayMs ?? 0);
      if (delayMs > 0) await sleep(delayMs, timers);
      if (res.destroyed || req.socket.destroyed) return; // the client went away (killed) while we waited
      const id = `msg_test_${++counter}`;
      const model = m.model ?? 'claude-test';
      const usage = usageFor(raw.length, content);
      rows.push({ index, at: Date.now(), model, usage });
      if (m.stream) {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'request-id': id,
        });
        for (const chunk of sseEvents(id, model, content, usage)) res.write(chunk);
        res.end();
      } else {
        sendJson(res, 200, assistantMessage(id, model, content, usage));
      }
      return;
    }
    if (method === 'POST' && (path === '/v1/responses' || path === '/responses')) {
      const m = (body ?? {}) as { model?: string; stream?: boolean };
      const answer = await respondResponses(m, { index });
      const content: ContentBlock[] = typeof answer === 'string' ? [{ type: 'text', text: answer }] : answer.content;
      if (typeof answer !== 'string' && (answer.delayMs ?? 0) > 0) await sleep(answer.delayMs!, timers);
      if (res.destroyed || req.socket.destroyed) return;
      const id = `resp_test_${++counter}`;
      const model = m.model ?? 'gpt-test';
      const usage = usageFor(raw.length, content);
      rows.push({ index, at: Date.now(), model, usage });
      if (m.stream) {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
        });
        for (const chunk of responsesEvents(id, model, content, usage)) res.write(chunk);
        res.end();
      } else {
        sendJson(res, 200, responseObject(id, model, content, usage));
      }
      return;
    }
    if (method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) {
      const m = (body ?? {}) as ChatRequest;
      const answer = await respondChat(m, { index });
      const content: ContentBlock[] = typeof answer === 'string' ? [{ type: 'text', text: answer }] : answer.content;
      if (typeof answer !== 'string' && (answer.delayMs ?? 0) > 0) await sleep(answer.delayMs!, timers);
      if (res.destroyed || req.socket.destroyed) return;
      const id = `chatcmpl_test_${++counter}`;
      const model = m.model ?? 'test-model';
      const usage = usageFor(raw.length, content);
      rows.push({ index, at: Date.now(), model, usage });
      if (m.stream) {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
        });
        for (const chunk of chatEvents(id, model, content, usage)) res.write(chunk);
        res.end();
      } else {
        sendJson(res, 200, chatCompletion(id, model, content, usage));
      }
      return;
    }
    const gemini = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(
      path,
    );
    if (method === 'POST' && gemini) {
      const [, model, verb] = gemini as unknown as [string, string, string];
      if (verb === 'countTokens') {
        sendJson(res, 200, { totalTokens: Math.ceil(raw.length / 4) });
        return;
      }
      const answer = await respondGemini((body ?? {}) as GeminiRequest, { index, model });
      const content: ContentBlock[] = typeof answer === 'string' ? [{ type: 'text', text: answer }] : answer.content;
      if (typeof answer !== 'string' && (answer.delayMs ?? 0) > 0) await sleep(answer.delayMs!, timers);
      if (res.destroyed || req.socket.destroyed) return;
      const id = `gem_test_${++counter}`;
      const usage = usageFor(raw.length, content);
      rows.push({ index, at: Date.now(), model, usage });
      if (verb === 'streamGenerateContent') {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
        });
        for (const chunk of geminiEvents(id, model, content, usage)) res.write(chunk);
        res.end();
      } else {
        sendJson(res, 200, geminiResponse(id, model, content, usage));
      }
      return;
    }
    if (method === 'POST' && path === '/v1/messages/count_tokens') {
      sendJson(res, 200, { input_tokens: Math.ceil(raw.length / 4) });
      return;
    }
    if (method === 'HEAD' || path === '/' || path === '/v1/models') {
      sendJson(res, 200, path === '/v1/models' ? { data: [], has_more: false } : {});
      return;
    }
    opts.onUnknown?.(method, path);
    sendJson(res, 404, {
      type: 'error',
      error: { type: 'not_found_error', message: `no such endpoint: ${method} ${path}` },
    });
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
    messages: () =>
      requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages') as (RecordedRequest & {
        body: MessagesRequest;
      })[],
    usage: () => ({
      total: sumUsage(rows.map((r) => r.usage)),
      requests: rows.map((r) => ({ ...r, usage: { ...r.usage } })),
    }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sumUsage(list: readonly Usage[]): Usage {
  const total: Usage = {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
  };
  for (const u of list) {
    total.input_tokens += u.input_tokens;
    total.output_tokens += u.output_tokens;
    total.cache_read_input_tokens += u.cache_read_input_tokens;
    total.cache_creation_input_tokens += u.cache_creation_input_tokens;
  }
  return total;
}

function sleep(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      timers.delete(t);
      resolve();
    }, ms);
    t.unref();
    timers.add(t);
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
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
