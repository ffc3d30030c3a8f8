// The Codex CLI's side of the scripted model: an OpenAI Responses request (`POST /v1/responses`) read as a Messages
// conversation, so the scenario scripts written for Claude Code drive Codex unchanged, and their answers turned
// into Codex's tools. Codex 0.169 runs every command through `exec_command` (a PTY session; a command still running
// after `yield_time_ms`, at most 30 s, must be polled with `write_stdin`), and has no file-writing tool of its own.
//   request → conversation: exec_command calls appear as Bash { command }, their function_call_output as the
//   tool_result (an error when "Process exited with code N" is not 0; a running command's polls are folded into it),
//   `<cwd>` of its environment context as Claude Code's "Primary working directory:" line.
//   answer → Codex: Bash and Write steps become exec_command calls (login shell off: Codex's login shell can hang
//   for the whole yield); a command still running is polled (write_stdin) before the script is asked again.
import { dirname } from 'node:path';
import type { MessagesRequest, Reply, Responder } from './server.ts';
import type { ContentBlock } from './wire.ts';

/** The part of a Responses request the reader looks at. */
export interface ResponsesRequest {
  model?: string;
  stream?: boolean;
  instructions?: unknown;
  input?: unknown;
  tools?: unknown[];
}

type Item = {
  type?: unknown;
  role?: unknown;
  content?: unknown;
  call_id?: unknown;
  name?: unknown;
  arguments?: unknown;
  output?: unknown;
};
type Block = Exclude<MessagesRequest['messages'], undefined>[number];

const EXITED = /Process exited with code (-?\d+)/;
const RUNNING = /Process running with session ID (\d+)/;
/** How long one exec_command or poll waits for output: Codex's maximum. */
const YIELD_MS = 30_000;

/** The text of a message's content parts (input_text, output_text) or of a plain string. */
function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as { text?: unknown }[])
    .map((p) => (typeof p?.text === 'string' ? p.text : ''))
    .filter(Boolean)
    .join('\n');
}

function args(item: Item): Record<string, unknown> {
  try {
    const v = JSON.parse(String(item.arguments ?? '{}')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export interface ReadConversation {
  request: MessagesRequest;
  /** The session id of a command that has not finished yet (poll it before anything else). */
  running?: number;
}

/** A Responses request as the Messages request a scenario script reads (see the header for the mapping). */
export function messagesFromResponses(body: ResponsesRequest): ReadConversation {
  const items = (Array.isArray(body.input) ? body.input : []) as Item[];
  const system: string[] = typeof body.instructions === 'string' && body.instructions ? [body.instructions] : [];
  const messages: Block[] = [];
  const push = (role: 'user' | 'assistant', block: Record<string, unknown>): void => {
    const last = messages.at(-1);
    if (last?.role === role) (last.content as unknown[]).push(block);
    else messages.push({ role, content: [block] });
  };
  /** Running commands by session id: the exec call they answer and the output so far. */
  const running = new Map<number, { callId: string; output: string }>();
  const polls = new Map<string, number>();
  for (const item of items) {
    if (item.type === 'message') {
      const text = partsText(item.content);
      if (item.role === 'developer' || item.role === 'system') system.push(text);
      else if (text) push(item.role === 'assistant' ? 'assistant' : 'user', { type: 'text', text });
    } else if (item.type === 'function_call') {
      const a = args(item);
      const id = String(item.call_id);
      if (item.name === 'write_stdin' && typeof a.session_id === 'number') polls.set(id, a.session_id);
      else
        push('assistant', {
          type: 'tool_use',
          id,
          name: item.name === 'exec_command' ? 'Bash' : String(item.name),
          input: item.name === 'exec_command' ? { command: a.cmd } : a,
        });
    } else if (item.type === 'function_call_output') {
      const id = String(item.call_id);
      const text = typeof item.output === 'string' ? item.output : partsText(item.output);
      const session = polls.get(id);
      const pending = session !== undefined ? running.get(session) : undefined;
      const callId = pending?.callId ?? id;
      const output = `${pending?.output ?? ''}${text}`;
      if (session !== undefined && !pending) continue; // a poll of a command this reader never saw start
      if (session !== undefined) running.delete(session);
      const still = RUNNING.exec(text);
      if (!EXITED.test(text) && still) {
        running.set(Number(still[1]), { callId, output });
        continue;
      }
      const code = Number(EXITED.exec(text)?.[1] ?? 0);
      push('user', {
        type: 'tool_result',
        tool_use_id: callId,
        content: output,
        ...(code !== 0 ? { is_error: true } : {}),
      });
    }
  }
  const cwd = /<cwd>([^<]+)<\/cwd>/.exec(
    items.map((i) => (i.type === 'message' ? partsText(i.content) : '')).join('\n'),
  )?.[1];
  if (cwd) system.push(`Primary working directory: ${cwd}`);
  const request: MessagesRequest = {
    model: body.model,
    stream: body.stream,
    system: system.join('\n\n'),
    messages,
    tools: body.tools ?? [],
  };
  const first = [...running.keys()][0];
  return first !== undefined ? { request, running: first } : { request };
}

/** Single quotes for the shell. */
function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A script's tool call (Claude Code's names) as Codex's exec_command; other calls pass through unchanged. */
export function codexToolCall(b: ContentBlock): ContentBlock {
  if (b.type !== 'tool_use') return b;
  const exec = (cmd: string): ContentBlock => ({
    type: 'tool_use',
    id: b.id,
    name: 'exec_command',
    input: { cmd, login: false, tty: false, yield_time_ms: YIELD_MS },
  });
  if (b.name === 'Bash') return exec(String(b.input.command));
  if (b.name === 'Write') {
    const path = String(b.input.file_path);
    return exec(`mkdir -p ${shq(dirname(path))} && printf %s ${shq(String(b.input.content))} > ${shq(path)}`);
  }
  if (b.name === 'Read') return exec(`cat ${shq(String(b.input.file_path))}`);
  return b;
}

/**
 * The answer function for `/v1/responses` (startModelServer's `respondResponses`) from a Messages responder such
 * as `scriptedModel(...).respond`: a running command is polled first; otherwise the script answers the
 * conversation and its tool calls are given Codex's shape.
 */
export function codexResponder(respond: Responder): (req: ResponsesRequest, info: { index: number }) => Promise<Reply> {
  let polls = 0;
  return async (req, info) => {
    const { request, running } = messagesFromResponses(req);
    if (running !== undefined) {
      return {
        content: [
          {
            type: 'tool_use',
            id: `poll_${++polls}`,
            name: 'write_stdin',
            input: { session_id: running, chars: '', yield_time_ms: YIELD_MS },
          },
        ],
      };
    }
    const answer = await respond(request, info);
    if (typeof answer === 'string') return answer;
    return { ...answer, content: answer.content.map(codexToolCall) };
  };
}
