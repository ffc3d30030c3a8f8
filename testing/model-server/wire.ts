// The Messages API's answer shapes: an assistant message of text and tool_use blocks, as plain JSON or as the
// server-sent events of a stream, with `usage` from the fixed rule of docs/testing.md.

export type ContentBlock =
  { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

/**
 * The accounting contract (docs/testing.md): input = ceil(request body bytes / 4); output = ceil(bytes of every
 * text block's text and every tool_use block's JSON input, in block order / 4); no cache tokens.
 */
export function usageFor(requestBytes: number, content: readonly ContentBlock[]): Usage {
  const out = content.map((b) => (b.type === 'text' ? b.text : JSON.stringify(b.input))).join('');
  return {
    input_tokens: Math.ceil(requestBytes / 4),
    output_tokens: Math.ceil(Buffer.byteLength(out, 'utf8') / 4),
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
  };
}

export function stopReason(content: readonly ContentBlock[]): 'tool_use' | 'end_turn' {
  return content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
}

/** A complete assistant message (the non-streaming answer). */
export function assistantMessage(
  id: string,
  model: string,
  content: readonly ContentBlock[],
  usage: Usage,
): Record<string, unknown> {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason(content),
    stop_sequence: null,
    usage,
  };
}

/**
 * The same message as a stream: message_start, per block content_block_start / deltas (text_delta word by word,
 * input_json_delta in a few slices of the JSON) / content_block_stop, message_delta (stop reason), message_stop.
 * Both message_start and message_delta carry the full usage, so a client keeping either one sees the same numbers.
 */
export function sseEvents(id: string, model: string, content: readonly ContentBlock[], usage: Usage): string[] {
  const start = {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage,
  };
  const out = [event('message_start', { type: 'message_start', message: start })];
  content.forEach((b, index) => {
    if (b.type === 'text') {
      out.push(
        event('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }),
      );
      if (index === 0) out.push(event('ping', { type: 'ping' }));
      for (const piece of words(b.text))
        out.push(
          event('content_block_delta', {
            type: 'content_block_delta',
            index,
            delta: { type: 'text_delta', text: piece },
          }),
        );
    } else {
      out.push(
        event('content_block_start', {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} },
        }),
      );
      for (const piece of slices(JSON.stringify(b.input))) {
        out.push(
          event('content_block_delta', {
            type: 'content_block_delta',
            index,
            delta: { type: 'input_json_delta', partial_json: piece },
          }),
        );
      }
    }
    out.push(event('content_block_stop', { type: 'content_block_stop', index }));
  });
  out.push(
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason(content), stop_sequence: null },
      usage,
    }),
  );
  out.push(event('message_stop', { type: 'message_stop' }));
  return out;
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Text split into word-sized deltas, as a real stream would send it. */
function words(text: string): string[] {
  const w = text.match(/\S+\s*|\s+/g) ?? [];
  return w.length > 0 ? w : [''];
}

/** JSON split into up to four slices (the client must join partial JSON). */
function slices(json: string): string[] {
  const size = Math.max(1, Math.ceil(json.length / 4));
  const out: string[] = [];
  for (let i = 0; i < json.length; i += size) out.push(json.slice(i, i + size));
  return out.length > 0 ? out : [''];
}
