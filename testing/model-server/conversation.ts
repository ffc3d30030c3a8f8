// Reading a Messages request as a conversation: the tool calls the assistant made, the results the client sent back
// for them, and where the client runs (pure functions of the request body).
import type { MessagesRequest } from './server.ts';
import { contentText } from './turns.ts';

/** One tool call of the conversation with its result, when the client has sent it. */
export interface ToolExchange {
  id: string;
  name: string;
  input: Record<string, unknown>;
  /** The tool_result's text; undefined while no result came back for this call. */
  result?: string;
  isError: boolean;
}

type Block = {
  type?: unknown;
  id?: unknown;
  name?: unknown;
  input?: unknown;
  tool_use_id?: unknown;
  content?: unknown;
  is_error?: unknown;
};

function blocks(content: unknown): Block[] {
  return Array.isArray(content) ? (content as Block[]) : [];
}

/** Every tool call of the conversation, oldest first, each with its result (matched by tool_use_id). */
export function toolExchanges(body: MessagesRequest): ToolExchange[] {
  const calls: ToolExchange[] = [];
  const results = new Map<string, { text: string; isError: boolean }>();
  for (const m of body.messages ?? []) {
    for (const b of blocks(m.content)) {
      if (m.role === 'assistant' && b.type === 'tool_use' && typeof b.id === 'string') {
        calls.push({
          id: b.id,
          name: String(b.name),
          input: (b.input ?? {}) as Record<string, unknown>,
          isError: false,
        });
      }
      if (m.role === 'user' && b.type === 'tool_result' && typeof b.tool_use_id === 'string') {
        results.set(b.tool_use_id, {
          text: typeof b.content === 'string' ? b.content : contentText(b.content),
          isError: b.is_error === true,
        });
      }
    }
  }
  return calls.map((c) => {
    const r = results.get(c.id);
    return r ? { ...c, result: r.text, isError: r.isError } : c;
  });
}

/** The client's working directory, from the environment section Claude Code puts in its prompt. */
export function workingDirectory(text: string): string | undefined {
  return /Primary working directory: (.+)/.exec(text)?.[1]?.trim();
}
