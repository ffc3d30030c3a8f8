// The OpenAI Responses API dialect (`POST /v1/responses`), which the pinned Codex CLI (0.169) speaks to a model
// provider with `wire_api = "responses"` (it refuses `"chat"`): the same answers as content blocks, text as an
// output_text message item and tool_use as a function_call item, streamed as server-sent events or sent as JSON.
// Usage follows the rule of docs/testing.md (function_call arguments count as tool input JSON).
import type { ContentBlock, Usage } from './wire.ts';

function items(id: string, content: readonly ContentBlock[]): Record<string, unknown>[] {
  return content.map((b, i) =>
    b.type === 'text'
      ? {
          id: `${id}_m${i}`,
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: b.text, annotations: [] }],
        }
      : {
          id: `${id}_f${i}`,
          type: 'function_call',
          status: 'completed',
          call_id: b.id,
          name: b.name,
          arguments: JSON.stringify(b.input),
        },
  );
}

function responsesUsage(u: Usage): Record<string, unknown> {
  return {
    input_tokens: u.input_tokens,
    output_tokens: u.output_tokens,
    total_tokens: u.input_tokens + u.output_tokens,
    input_tokens_details: { cached_tokens: u.cache_read_input_tokens },
    output_tokens_details: { reasoning_tokens: 0 },
  };
}

/** A complete response object (the non-streaming answer, and the payload of response.completed). */
export function responseObject(
  id: string,
  model: string,
  content: readonly ContentBlock[],
  usage: Usage,
): Record<string, unknown> {
  return {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'completed',
    model,
    output: items(id, content),
    usage: responsesUsage(usage),
  };
}

/** response.created, per item output_item.added / (text deltas) / output_item.done, response.completed. */
export function responsesEvents(id: string, model: string, content: readonly ContentBlock[], usage: Usage): string[] {
  const done = responseObject(id, model, content, usage);
  const out = [
    event('response.created', {
      type: 'response.created',
      response: { ...done, status: 'in_progress', output: [], usage: null },
    }),
  ];
  items(id, content).forEach((item, output_index) => {
    const pending =
      item.type === 'message'
        ? { ...item, status: 'in_progress', content: [] }
        : { ...item, status: 'in_progress', arguments: '' };
    out.push(event('response.output_item.added', { type: 'response.output_item.added', output_index, item: pending }));
    if (item.type === 'message') {
      const text = (item.content as { text: string }[])[0]!.text;
      out.push(
        event('response.content_part.added', {
          type: 'response.content_part.added',
          item_id: item.id,
          output_index,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [] },
        }),
      );
      out.push(
        event('response.output_text.delta', {
          type: 'response.output_text.delta',
          item_id: item.id,
          output_index,
          content_index: 0,
          delta: text,
        }),
      );
      out.push(
        event('response.output_text.done', {
          type: 'response.output_text.done',
          item_id: item.id,
          output_index,
          content_index: 0,
          text,
        }),
      );
    } else {
      out.push(
        event('response.function_call_arguments.done', {
          type: 'response.function_call_arguments.done',
          item_id: item.id,
          output_index,
          arguments: item.arguments,
        }),
      );
    }
    out.push(event('response.output_item.done', { type: 'response.output_item.done', output_index, item }));
  });
  out.push(event('response.completed', { type: 'response.completed', response: done }));
  return out;
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}
