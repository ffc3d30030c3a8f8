// Finding the user's own prompts among the requests Claude Code makes. What arrives (Claude Code 2.1): each typed
// prompt is one main-model request whose last user message holds `<system-reminder>` blocks plus the prompt's own
// text block; hook output (UserPromptSubmit stdout) is added to a `system`-role message instead. Side queries
// (titles, summaries, haiku calls) come without tools.
import type { MessagesRequest, RecordedRequest } from './server.ts';

export interface UserTurn {
  /** Index of the request in the server's list. */
  request: number;
  /** The prompt text blocks of the last user message, `<system-reminder>` blocks left out. */
  prompts: string[];
  /** Every text block of the last user message, joined by newlines. */
  text: string;
  at: number;
}

type Block = { type?: unknown; text?: unknown };

/** The text blocks of a message's content (a plain string is one block). */
export function textBlocks(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  return (content as Block[])
    .filter((b) => b?.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string);
}

export function contentText(content: unknown): string {
  return textBlocks(content).join('\n');
}

/** A request Claude Code makes on the side, not a turn of the conversation: it offers the model no tools. */
export function isSideQuery(body: MessagesRequest): boolean {
  return !Array.isArray(body.tools) || body.tools.length === 0;
}

/** The last user message of every main-model `/v1/messages` request, in order (side queries left out). */
export function userTurns(requests: readonly RecordedRequest[]): UserTurn[] {
  const out: UserTurn[] = [];
  requests.forEach((r, i) => {
    if (r.method !== 'POST' || r.path !== '/v1/messages') return;
    const body = (r.body ?? {}) as MessagesRequest;
    if (isSideQuery(body)) return;
    const last = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
    if (!last) return;
    const blocks = textBlocks(last.content);
    out.push({
      request: i,
      prompts: blocks.filter((b) => !b.trimStart().startsWith('<system-reminder>')),
      text: blocks.join('\n'),
      at: r.at,
    });
  });
  return out;
}

/** All text a request carries (system prompt and every message), to look for injected context. */
export function requestText(body: MessagesRequest): string {
  const system = typeof body.system === 'string' ? body.system : contentText(body.system);
  return [system, ...(body.messages ?? []).map((m) => contentText(m.content))].join('\n');
}
