// The Gemini API dialect (`POST /v1beta/models/<model>:generateContent` and `:streamGenerateContent?alt=sse`), which
// the pinned Gemini CLI (0.61) speaks to GOOGLE_GEMINI_BASE_URL with an API key. A request is read as a Messages
// conversation, so the scenario scripts written for Claude Code drive Gemini unchanged, and their answers are given
// Gemini's tools:
//   request → conversation: `contents` (roles user/model) as messages; a functionCall part as tool_use (its `id`
//   kept: the CLI echoes it in the functionResponse), run_shell_command as Bash { command }, write_file as Write,
//   read_file as Read; a functionResponse part as the tool_result (an error when it carries `error` or the shell's
//   "Exit Code: N" line); the "Workspace Directories" of the CLI's session context as the working directory.
//   answer → Gemini: Bash, Write and Read steps as run_shell_command, write_file and read_file calls.
// Side queries (the model router's complexity score, summaries, next-speaker checks) ask for JSON by a response
// schema: they get a minimal object of that schema, never a script step. Usage follows docs/testing.md.
import type { MessagesRequest, Reply, Responder } from './server.ts';
import type { ContentBlock, Usage } from './wire.ts';

/** The part of a generateContent request the reader looks at. */
export interface GeminiRequest {
  contents?: { role?: string; parts?: GeminiPart[] }[];
  systemInstruction?: { parts?: GeminiPart[] } | string;
  tools?: { functionDeclarations?: { name: string }[] }[];
  generationConfig?: { responseJsonSchema?: unknown; responseSchema?: unknown; responseMimeType?: string };
}

export interface GeminiPart {
  text?: string;
  thought?: boolean;
  functionCall?: { id?: string; name?: string; args?: Record<string, unknown> };
  functionResponse?: { id?: string; name?: string; response?: Record<string, unknown> };
}

type Block = Exclude<MessagesRequest['messages'], undefined>[number];

const TO_SCRIPT: Record<string, string> = {
  run_shell_command: 'Bash',
  write_file: 'Write',
  read_file: 'Read',
  replace: 'Edit',
};
const TO_GEMINI: Record<string, string> = Object.fromEntries(Object.entries(TO_SCRIPT).map(([g, s]) => [s, g]));

function partsText(parts: GeminiPart[] | undefined): string {
  return (parts ?? [])
    .filter((p) => typeof p.text === 'string' && !p.thought)
    .map((p) => p.text!)
    .join('\n');
}

/** A function response as the tool_result's text and whether it failed. */
function responseOf(r: Record<string, unknown> | undefined): { text: string; isError: boolean } {
  if (r && 'error' in r)
    return { text: typeof r.error === 'string' ? r.error : JSON.stringify(r.error), isError: true };
  const text = typeof r?.output === 'string' ? r.output : JSON.stringify(r ?? {});
  const code = /^Exit Code: (-?\d+)/m.exec(text)?.[1];
  return { text, isError: code !== undefined && code !== '0' };
}

/** A generateContent request as the Messages request a scenario script reads (see the header for the mapping). */
export function messagesFromGemini(body: GeminiRequest): MessagesRequest {
  const system =
    typeof body.systemInstruction === 'string' ? body.systemInstruction : partsText(body.systemInstruction?.parts);
  const messages: Block[] = [];
  const push = (role: 'user' | 'assistant', block: Record<string, unknown>): void => {
    const last = messages.at(-1);
    if (last?.role === role) (last.content as unknown[]).push(block);
    else messages.push({ role, content: [block] });
  };
  let calls = 0;
  for (const c of body.contents ?? []) {
    const role = c.role === 'model' ? 'assistant' : 'user';
    for (const p of c.parts ?? []) {
      if (typeof p.text === 'string' && !p.thought && p.text) push(role, { type: 'text', text: p.text });
      if (p.functionCall) {
        const name = p.functionCall.name ?? '';
        const args = p.functionCall.args ?? {};
        const input = name === 'run_shell_command' ? { command: args.command } : args;
        push('assistant', {
          type: 'tool_use',
          id: p.functionCall.id ?? `call_${++calls}`,
          name: TO_SCRIPT[name] ?? name,
          input,
        });
      }
      if (p.functionResponse) {
        const { text, isError } = responseOf(p.functionResponse.response);
        push('user', {
          type: 'tool_result',
          tool_use_id: p.functionResponse.id ?? '',
          content: text,
          ...(isError ? { is_error: true } : {}),
        });
      }
    }
  }
  const all = (body.contents ?? []).map((c) => partsText(c.parts)).join('\n');
  const cwd = /Workspace Directories:\*{0,2}\s*\n\s*- (\S.*)/.exec(all)?.[1]?.trim();
  const tools = (body.tools ?? []).flatMap((t) => t.functionDeclarations ?? []);
  return {
    system: [system, cwd ? `Primary working directory: ${cwd}` : ''].filter(Boolean).join('\n\n'),
    messages,
    tools,
  };
}

/** A script's tool call (Claude Code's names) as Gemini's; other calls pass through unchanged. */
export function geminiToolCall(b: ContentBlock): ContentBlock {
  if (b.type !== 'tool_use') return b;
  const name = TO_GEMINI[b.name] ?? b.name;
  const input = b.name === 'Bash' ? { command: b.input.command, description: b.input.description ?? '' } : b.input;
  return { ...b, name, input };
}

/** True for a request asking for JSON by a schema: the CLI's own side queries, not a turn of the conversation. */
export function isGeminiSideQuery(body: GeminiRequest): boolean {
  const g = body.generationConfig;
  return Boolean(g?.responseJsonSchema ?? g?.responseSchema) || g?.responseMimeType === 'application/json';
}

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
};

/** The smallest value of a JSON schema (required properties only): what a side query is answered with. */
export function sampleOf(schema: Schema | undefined): unknown {
  const type = (schema?.type ?? 'object').toLowerCase();
  if (schema?.enum?.length) return schema.enum[0];
  if (type === 'object') {
    const props = schema?.properties ?? {};
    return Object.fromEntries((schema?.required ?? Object.keys(props)).map((k) => [k, sampleOf(props[k])]));
  }
  if (type === 'array') return [];
  if (type === 'integer' || type === 'number') return 1;
  if (type === 'boolean') return false;
  return 'ok';
}

/**
 * The answer function for the Gemini endpoints (startModelServer's `respondGemini`) from a Messages responder such as
 * `scriptedModel(...).respond`: side queries get a sample of their schema, the rest the script's answer in Gemini's
 * tool names.
 */
export function geminiResponder(respond: Responder): (req: GeminiRequest, info: { index: number }) => Promise<Reply> {
  return async (req, info) => {
    if (isGeminiSideQuery(req)) {
      const g = req.generationConfig!;
      return JSON.stringify(sampleOf((g.responseJsonSchema ?? g.responseSchema) as Schema | undefined));
    }
    const answer = await respond(messagesFromGemini(req), info);
    if (typeof answer === 'string') return answer;
    return { ...answer, content: answer.content.map(geminiToolCall) };
  };
}

function parts(content: readonly ContentBlock[]): GeminiPart[] {
  return content.map((b) =>
    b.type === 'text' ? { text: b.text } : { functionCall: { id: b.id, name: b.name, args: b.input } },
  );
}

function usageMetadata(u: Usage): Record<string, number> {
  return {
    promptTokenCount: u.input_tokens,
    candidatesTokenCount: u.output_tokens,
    totalTokenCount: u.input_tokens + u.output_tokens,
    cachedContentTokenCount: u.cache_read_input_tokens,
  };
}

/** A complete GenerateContentResponse (the non-streaming answer). */
export function geminiResponse(
  id: string,
  model: string,
  content: readonly ContentBlock[],
  usage: Usage,
): Record<string, unknown> {
  return {
    candidates: [{ content: { role: 'model', parts: parts(content) }, finishReason: 'STOP', index: 0 }],
    usageMetadata: usageMetadata(usage),
    modelVersion: model,
    responseId: id,
  };
}

/** The same answer as server-sent events: one chunk per text word and per call, the last with finishReason and usage. */
export function geminiEvents(id: string, model: string, content: readonly ContentBlock[], usage: Usage): string[] {
  const pieces: GeminiPart[] = parts(content).flatMap((p) =>
    p.text !== undefined ? (p.text.match(/\S+\s*|\s+/g) ?? ['']).map((w) => ({ text: w })) : [p],
  );
  if (pieces.length === 0) pieces.push({ text: '' });
  return pieces.map((p, i) => {
    const last = i === pieces.length - 1;
    const chunk = {
      candidates: [{ content: { role: 'model', parts: [p] }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) }],
      ...(last ? { usageMetadata: usageMetadata(usage) } : {}),
      modelVersion: model,
      responseId: id,
    };
    return `data: ${JSON.stringify(chunk)}\r\n\r\n`;
  });
}
