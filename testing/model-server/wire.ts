// The Messages API's answer shapes: one text reply as a JSON message, or as the server-sent events of a stream.

/** A complete assistant message holding `text` (the non-streaming answer). */
export function textMessage(id: string, model: string, text: string, inputTokens: number): Record<string, unknown> {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: inputTokens, output_tokens: outputTokens(text) },
  };
}

/** The same reply as a stream: message_start, one text block in a few deltas, message_delta (end_turn), message_stop. */
export function sseEvents(id: string, model: string, text: string, inputTokens: number): string[] {
  const start = { ...textMessage(id, model, '', inputTokens), content: [], stop_reason: null, usage: { input_tokens: inputTokens, output_tokens: 1 } };
  const out = [event('message_start', { type: 'message_start', message: start })];
  out.push(event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
  out.push(event('ping', { type: 'ping' }));
  for (const piece of pieces(text)) {
    out.push(event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } }));
  }
  out.push(event('content_block_stop', { type: 'content_block_stop', index: 0 }));
  out.push(event('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: outputTokens(text) } }));
  out.push(event('message_stop', { type: 'message_stop' }));
  return out;
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Text split into word-sized deltas, as a real stream would send it. */
function pieces(text: string): string[] {
  const words = text.match(/\S+\s*|\s+/g) ?? [];
  return words.length > 0 ? words : [''];
}

function outputTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
