// The OpenAI Chat Completions dialect (`POST /v1/chat/completions`), which OpenCode speaks through a provider of
// `@ai-sdk/openai-compatible` pointed at the server. A request is read as a Messages conversation, so the scenario
// scripts written for Claude Code drive OpenCode unchanged, and their answers get OpenCode's tools:
//   request → conversation: system messages as the system prompt (its "Working directory:" line as Claude Code's
//   "Primary working directory:"), assistant tool_calls as tool_use (bash → Bash { command }, write → Write
//   { file_path }, read → Read), tool messages as tool_result (an error when OpenCode says the tool failed).
//   answer → OpenCode: Bash, Write and Read steps as bash { command, description }, write { filePath, content } and
//   read { filePath } calls.
// Usage follows docs/testing.md, as prompt_tokens / completion_tokens in the stream's last chunk.
import type { MessagesRequest, Reply, Responder } from './server.ts';
import type { ContentBlock, Usage } from './wire.ts';

export interface ChatRequest {
  model?: string;
  stream?: boolean;
  messages?: ChatMessage[];
  tools?: unknown[];
}

interface ChatMessage {
  role?: string;
  content?: unknown;
  tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[];
  tool_call_id?: string;
}

type Block = Exclude<MessagesRequest['messages'], undefined>[number];

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as { type?: string; text?: unknown }[])
    .map((p) => (typeof p?.text === 'string' ? p.text : ''))
    .filter(Boolean)
    .join('\n');
}

function parseArgs(s: string | undefined): Record<string, unknown> {
  try {
    const v = JSON.parse(s ?? '{}') as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** OpenCode's tool call as the script's (Claude Code's names and inputs). */
function toScript(name: string, args: Record<string, unknown>): { name: string; input: Record<string, unknown> } {
  if (name === 'bash') return { name: 'Bash', input: { command: args.command } };
  if (name === 'write') return { name: 'Write', input: { file_path: args.filePath, content: args.content } };
  if (name === 'read') return { name: 'Read', input: { file_path: args.filePath } };
  return { name, input: args };
}

/** A Chat Completions request as the Messages request a scenario script reads (see the header). */
export function messagesFromChat(body: ChatRequest): MessagesRequest {
  const system: string[] = [];
  const messages: Block[] = [];
  const push = (role: 'user' | 'assistant', block: Record<string, unknown>): void => {
    const last = messages.at(-1);
    if (last?.role === role) (last.content as unknown[]).push(block);
    else messages.push({ role, content: [block] });
  };
  for (const m of body.messages ?? []) {
    const t = text(m.content);
    if (m.role === 'system' || m.role === 'developer') system.push(t);
    else if (m.role === 'tool') {
      const failed = /^(Error|error):|\bTool execution (failed|aborted)\b/.test(t);
      push('user', {
        type: 'tool_result',
        tool_use_id: m.tool_call_id ?? '',
        content: t,
        ...(failed ? { is_error: true } : {}),
      });
    } else {
      const role = m.role === 'assistant' ? 'assistant' : 'user';
      if (t) push(role, { type: 'text', text: t });
      for (const c of m.tool_calls ?? []) {
        const { name, input } = toScript(c.function?.name ?? '', parseArgs(c.function?.arguments));
        push('assistant', { type: 'tool_use', id: c.id ?? '', name, input });
      }
    }
  }
  const cwd = /Working directory: (.+)/.exec(system.join('\n'))?.[1]?.trim();
  if (cwd) system.push(`Primary working directory: ${cwd}`);
  return { model: body.model, stream: body.stream, system: system.join('\n\n'), messages, tools: body.tools ?? [] };
}

/** A script's tool call (Claude Code's names) as OpenCode's; other calls pass through unchanged. */
export function openCodeToolCall(b: ContentBlock): ContentBlock {
  if (b.type !== 'tool_use') return b;
  if (b.name === 'Bash')
    return {
      ...b,
      name: 'bash',
      input: { command: b.input.command, description: String(b.input.description ?? 'run a command') },
    };
  if (b.name === 'Write')
    return { ...b, name: 'write', input: { filePath: b.input.file_path, content: b.input.content } };
  if (b.name === 'Read') return { ...b, name: 'read', input: { filePath: b.input.file_path } };
  return b;
}

/** The answer function for `/v1/chat/completions` (startModelServer's `respondChat`) from a Messages responder. */
export function openCodeResponder(respond: Responder): (req: ChatRequest, info: { index: number }) => Promise<Reply> {
  return async (req, info) => {
    const answer = await respond(messagesFromChat(req), info);
    if (typeof answer === 'string') return answer;
    return { ...answer, content: answer.content.map(openCodeToolCall) };
  };
}

function chatUsage(u: Usage): Record<string, unknown> {
  return {
    prompt_tokens: u.input_tokens,
    completion_tokens: u.output_tokens,
    total_tokens: u.input_tokens + u.output_tokens,
    prompt_tokens_details: { cached_tokens: u.cache_read_input_tokens },
  };
}

const finish = (content: readonly ContentBlock[]): string =>
  content.some((b) => b.type === 'tool_use') ? 'tool_calls' : 'stop';

/** A complete chat.completion (the non-streaming answer). */
export function chatCompletion(
  id: string,
  model: string,
  content: readonly ContentBlock[],
  usage: Usage,
): Record<string, unknown> {
  const calls = content.flatMap((b) =>
    b.type === 'tool_use'
      ? [{ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input) } }]
      : [],
  );
  const textOut = content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: textOut || null, ...(calls.length ? { tool_calls: calls } : {}) },
        finish_reason: finish(content),
      },
    ],
    usage: chatUsage(usage),
  };
}

/** The same answer as chat.completion.chunk events: text deltas, tool call deltas, the finish, the usage, [DONE]. */
export function chatEvents(id: string, model: string, content: readonly ContentBlock[], usage: Usage): string[] {
  const chunk = (choice: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices: choice ? [choice] : [], ...extra })}\n\n`;
  const out = [chunk({ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null })];
  let call = 0;
  for (const b of content) {
    if (b.type === 'text') {
      for (const w of b.text.match(/\S+\s*|\s+/g) ?? [])
        out.push(chunk({ index: 0, delta: { content: w }, finish_reason: null }));
    } else {
      out.push(
        chunk({
          index: 0,
          delta: {
            tool_calls: [
              {
                index: call++,
                id: b.id,
                type: 'function',
                function: { name: b.name, arguments: JSON.stringify(b.input) },
              },
            ],
          },
          finish_reason: null,
        }),
      );
    }
  }
  out.push(chunk({ index: 0, delta: {}, finish_reason: finish(content) }));
  out.push(chunk(undefined, { usage: chatUsage(usage) }));
  out.push('data: [DONE]\n\n');
  return out;
}
