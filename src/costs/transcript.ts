// Claude Code session transcripts (`$CLAUDE_CONFIG_DIR/projects/<escaped cwd>/<session id>.jsonl`), and Gemini CLI
// chat files, read into usage records: one per model response. Pure: text in, records out. A response whose content has several blocks is
// logged once per block with the same message id; it counts once, with its largest token counts.

/** Tokens of one model response, by kind. */
export interface Tokens {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
}

export interface UsageRecord extends Tokens {
  /** The response's message id (`msg_…`): the record's identity. */
  id: string;
  session_id: string | null;
  model: string;
  /** When the response was logged (ISO-8601). */
  at: string;
  /** The session's working directory as the transcript says. */
  cwd: string | null;
}

export interface ParsedTranscript {
  records: UsageRecord[];
  /** Lines that were not JSON objects (a torn last line, garbage); counted, never fatal. */
  skipped: number;
  /** Line numbers (1-based) of the skipped lines, at most the first ten. */
  skippedLines: number[];
}

interface Entry {
  type?: unknown;
  sessionId?: unknown;
  timestamp?: unknown;
  cwd?: unknown;
  isApiErrorMessage?: unknown;
  message?: { id?: unknown; model?: unknown; usage?: Record<string, unknown> };
  /** Gemini CLI chat files: a model turn is `{id, timestamp, type: "gemini", model, tokens}`. */
  id?: unknown;
  model?: unknown;
  tokens?: Record<string, unknown>;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v) : 0);

/** The usage of one transcript line, or undefined when the line is not a model response with usage. */
export function usageOfEntry(e: Entry): UsageRecord | undefined {
  if (e.type === 'gemini') return geminiUsage(e);
  if (e.type !== 'assistant' || !e.message || typeof e.message !== 'object') return undefined;
  const { id, model, usage } = e.message;
  if (typeof id !== 'string' || id === '' || !usage || typeof usage !== 'object') return undefined;
  // Claude Code logs its own synthetic messages (errors, interruptions) with model "<synthetic>" and zero usage.
  if (typeof model !== 'string' || model === '' || model === '<synthetic>') return undefined;
  return {
    id,
    session_id: typeof e.sessionId === 'string' ? e.sessionId : null,
    model,
    at: typeof e.timestamp === 'string' ? e.timestamp : new Date(0).toISOString(),
    cwd: typeof e.cwd === 'string' ? e.cwd : null,
    input: num(usage.input_tokens),
    output: num(usage.output_tokens),
    cache_read: num(usage.cache_read_input_tokens),
    cache_write: num(usage.cache_creation_input_tokens),
  };
}

/**
 * A Gemini CLI (0.61) model turn from its chat file (`<GEMINI_CLI_HOME>/.gemini/tmp/<project>/chats/*.jsonl`):
 * `tokens.input` counts the cached part too, and thoughts are output. A turn is logged again when its tool calls
 * are added (same id), which the merge by id folds.
 */
function geminiUsage(e: Entry): UsageRecord | undefined {
  const t = e.tokens;
  if (
    typeof e.id !== 'string' ||
    e.id === '' ||
    typeof e.model !== 'string' ||
    e.model === '' ||
    !t ||
    typeof t !== 'object'
  )
    return undefined;
  const cached = num(t.cached);
  return {
    id: e.id,
    session_id: null,
    model: e.model,
    at: typeof e.timestamp === 'string' ? e.timestamp : new Date(0).toISOString(),
    cwd: null,
    input: Math.max(0, num(t.input) - cached),
    output: num(t.output) + num(t.thoughts),
    cache_read: cached,
    cache_write: 0,
  };
}

/** Fold a repeated message id into one record: the first entry's time and place, each kind's largest count. */
export function mergeRecord(a: UsageRecord, b: UsageRecord): UsageRecord {
  return {
    ...a,
    input: Math.max(a.input, b.input),
    output: Math.max(a.output, b.output),
    cache_read: Math.max(a.cache_read, b.cache_read),
    cache_write: Math.max(a.cache_write, b.cache_write),
  };
}

/** Parse JSONL text. Blank lines are ignored; lines that are not JSON objects are counted as skipped. */
export function parseTranscript(text: string): ParsedTranscript {
  const byId = new Map<string, UsageRecord>();
  let skipped = 0;
  const skippedLines: number[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      e = undefined;
    }
    if (!e || typeof e !== 'object' || Array.isArray(e)) {
      skipped++;
      if (skippedLines.length < 10) skippedLines.push(i + 1);
      return;
    }
    const r = usageOfEntry(e as Entry);
    if (!r) return;
    const seen = byId.get(r.id);
    byId.set(r.id, seen ? mergeRecord(seen, r) : r);
  });
  return { records: [...byId.values()], skipped, skippedLines };
}

/**
 * The complete lines of `text` read from byte `offset` of a file: what to parse now, and the offset to resume from
 * (the end of the last complete line, so a line being written is read whole next time).
 */
export function completeLines(chunk: Buffer, offset: number): { text: string; next: number } {
  const end = chunk.lastIndexOf(0x0a);
  if (end < 0) return { text: '', next: offset };
  return { text: chunk.subarray(0, end + 1).toString('utf8'), next: offset + end + 1 };
}

/** Claude Code's directory name for a working directory: every character other than a letter or digit becomes "-". */
export function escapeProjectDir(cwd: string): string {
  return cwd.replace(/[^A-Za-z0-9]/g, '-');
}
