// Scenario scripts: per agent, the tool calls to make in order, answered one per request. The script keeps no
// state of its own: each request's conversation says which steps already ran (their tool_use ids carry the step's
// key and a tool_result came back without error), so a retried request, a resumed session or a restarted agent
// picks up where the conversation stands.
import { toolExchanges, workingDirectory, type ToolExchange } from './conversation.ts';
import type { MessagesRequest, Reply, Responder } from './server.ts';
import { isSideQuery, requestText } from './turns.ts';

export interface ScriptContext {
  request: MessagesRequest;
  /** Position of the request in `server.requests`. */
  index: number;
  /** All text the request carries: system prompt, prompts, hook context (tool results left out). */
  text: string;
  /** The client's working directory, when its prompt names it. */
  cwd?: string;
  exchanges: ToolExchange[];
  /** The output of the last successful run of step `key` in this conversation. */
  result(key: string): string | undefined;
}

/** One tool call, in Claude Code's tool names and input schemas (Bash, Write, Edit, Read). */
export interface Step {
  /** Names the step within its agent's plan; letters, digits and dashes. */
  key: string;
  tool: string;
  input: Record<string, unknown>;
  /** Hold back the answer carrying this call (e.g. to kill the client meanwhile); a function is asked each time. */
  delayMs?: number | (() => number);
}

export interface AgentScript {
  name: string;
  /** Whether a request belongs to this agent (look at `c.text`: the prime context names the agent). */
  matches(c: ScriptContext): boolean;
  /** The steps for this conversation, in order (falsy entries are skipped); the first not yet done is answered next. */
  plan(c: ScriptContext): (Step | false | undefined | null)[];
  /** The text that ends the turn once every step is done (default "Done."). */
  finish?: string | ((c: ScriptContext) => string);
}

/** What the script answered to one request. */
export interface ScriptLogEntry {
  index: number;
  agent?: string;
  /** The step answered (a tool call), or undefined for a text answer. */
  step?: string;
  text?: string;
  at: number;
}

export interface ScriptOptions {
  /** The answer to side queries and to requests no agent claims (default "OK."). */
  fallback?: string;
  /** Failed runs of one step before the agent gives up with a text answer (default 2). */
  maxAttempts?: number;
}

export interface ScriptedModel {
  respond: Responder;
  log: ScriptLogEntry[];
}

const ID = /^toolu_([A-Za-z0-9-]+)_\d+$/;

/** The step key a tool_use id was made for (undefined for ids this script did not make). */
export function stepKeyOf(toolUseId: string): string | undefined {
  return ID.exec(toolUseId)?.[1];
}

export function scriptedModel(agents: readonly AgentScript[], opts: ScriptOptions = {}): ScriptedModel {
  const log: ScriptLogEntry[] = [];
  const fallback = opts.fallback ?? 'OK.';
  const maxAttempts = opts.maxAttempts ?? 2;
  let counter = 0;

  const text = (index: number, t: string, agent?: string): Reply => {
    log.push({ index, agent, text: t, at: Date.now() });
    return t;
  };

  const respond: Responder = (req, { index }) => {
    if (isSideQuery(req)) return text(index, fallback);
    const c = contextOf(req, index);
    const agent = agents.find((a) => a.matches(c));
    if (!agent) return text(index, fallback);
    for (const step of agent.plan(c)) {
      if (!step) continue;
      const mine = c.exchanges.filter((x) => stepKeyOf(x.id) === step.key && x.result !== undefined);
      if (mine.some((x) => !x.isError)) continue;
      if (mine.length >= maxAttempts)
        return text(index, `Giving up on ${step.key}: ${mine.at(-1)!.result ?? ''}`, agent.name);
      log.push({ index, agent: agent.name, step: step.key, at: Date.now() });
      const delayMs = typeof step.delayMs === 'function' ? step.delayMs() : (step.delayMs ?? 0);
      return {
        content: [{ type: 'tool_use', id: `toolu_${step.key}_${++counter}`, name: step.tool, input: step.input }],
        delayMs,
      };
    }
    const finish = typeof agent.finish === 'function' ? agent.finish(c) : (agent.finish ?? 'Done.');
    return text(index, finish, agent.name);
  };
  return { respond, log };
}

function contextOf(request: MessagesRequest, index: number): ScriptContext {
  const text = requestText(request);
  const exchanges = toolExchanges(request);
  const cwd = workingDirectory(text);
  return {
    request,
    index,
    text,
    exchanges,
    ...(cwd ? { cwd } : {}),
    result: (key) =>
      exchanges.filter((x) => stepKeyOf(x.id) === key && x.result !== undefined && !x.isError).at(-1)?.result,
  };
}

function checkKey(key: string): string {
  if (!/^[A-Za-z0-9-]+$/.test(key)) throw new Error(`step key "${key}": use letters, digits and dashes`);
  return key;
}

/** Run a shell command with Claude Code's Bash tool. */
export function bash(key: string, command: string, o: { description?: string; timeoutMs?: number } = {}): Step {
  return {
    key: checkKey(key),
    tool: 'Bash',
    input: { command, description: o.description ?? key, ...(o.timeoutMs ? { timeout: o.timeoutMs } : {}) },
  };
}

/** Create or overwrite a file with the Write tool (an existing file must have been read in this session first). */
export function write(key: string, filePath: string, content: string): Step {
  return { key: checkKey(key), tool: 'Write', input: { file_path: filePath, content } };
}

/** Replace text in a file with the Edit tool (the file must have been read in this session first). */
export function edit(key: string, filePath: string, oldString: string, newString: string): Step {
  return {
    key: checkKey(key),
    tool: 'Edit',
    input: { file_path: filePath, old_string: oldString, new_string: newString },
  };
}

export function read(key: string, filePath: string): Step {
  return { key: checkKey(key), tool: 'Read', input: { file_path: filePath } };
}
