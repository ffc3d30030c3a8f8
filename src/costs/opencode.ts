// OpenCode's usage, where OpenCode keeps it: OpenCode 1.18 stores its sessions in a SQLite database,
// `<XDG_DATA_HOME>/opencode/opencode.db` (a release channel other than latest/beta/prod gets `opencode-<channel>.db`;
// `OPENCODE_DB` names another file). Each model request is an assistant row of its `message` table, whose `data` JSON
// holds `modelID`, `time.created`/`time.completed`, `path.cwd` and `tokens: {input, output, reasoning, cache: {read,
// write}}`; the `session` table holds each session's `directory`. Side requests without the conversation (the session
// title) are not stored, so not counted. OpenCode has no hook a shell command could answer (its plugins are off under
// OPENCODE_PURE and need a package from the npm registry otherwise), so Gas Town reads the database: the daemon's costs
// step and `gt costs` do, through `sweepOpenCode` (record.ts).
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import type { UsageRecord } from './transcript.ts';

/** One row of OpenCode's `message` table with its session's directory. */
export interface OpenCodeMessageRow {
  id: string;
  session_id: string;
  time_updated: number;
  data: string;
  directory: string | null;
}

interface MessageData {
  role?: unknown;
  modelID?: unknown;
  time?: { created?: unknown; completed?: unknown };
  path?: { cwd?: unknown };
  tokens?: { input?: unknown; output?: unknown; reasoning?: unknown; cache?: { read?: unknown; write?: unknown } };
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v) : 0);

/**
 * The usage of one OpenCode message, or undefined when it is not a finished model response with tokens (a user
 * message, a response still streaming, one aborted before the model answered). Reasoning tokens are output; OpenCode's
 * `input` already leaves out the cached part.
 */
export function openCodeUsage(row: OpenCodeMessageRow): UsageRecord | undefined {
  let d: MessageData;
  try {
    d = JSON.parse(row.data) as MessageData;
  } catch {
    return undefined;
  }
  if (!d || typeof d !== 'object' || d.role !== 'assistant') return undefined;
  if (typeof d.modelID !== 'string' || d.modelID === '' || typeof d.time?.completed !== 'number') return undefined;
  const t = d.tokens;
  if (!t || typeof t !== 'object') return undefined;
  const rec: UsageRecord = {
    id: row.id,
    session_id: row.session_id,
    model: d.modelID,
    at: new Date(num(d.time.created) || num(d.time.completed)).toISOString(),
    cwd: typeof d.path?.cwd === 'string' ? d.path.cwd : row.directory,
    input: num(t.input),
    output: num(t.output) + num(t.reasoning),
    cache_read: num(t.cache?.read),
    cache_write: num(t.cache?.write),
  };
  return rec.input + rec.output + rec.cache_read + rec.cache_write > 0 ? rec : undefined;
}

export interface OpenCodeRead {
  records: UsageRecord[];
  /** The largest `time_updated` read: where the next read starts (a message that changes later is updated again). */
  cursor: number;
}

/**
 * The responses of an OpenCode database whose message rows changed at or after `since` (ms), read-only. A response
 * still streaming is left out and read when OpenCode completes it (which moves its `time_updated`).
 */
export function readOpenCodeDb(path: string, since = 0): OpenCodeRead {
  const db = openReadOnly(path);
  try {
    const rows = db
      .prepare(
        `SELECT m.id, m.session_id, m.time_updated, m.data, s.directory FROM message m LEFT JOIN session s ON s.id = m.session_id
         WHERE m.time_updated >= ? ORDER BY m.time_updated, m.id`,
      )
      .all(since) as unknown as OpenCodeMessageRow[];
    let cursor = since;
    const records: UsageRecord[] = [];
    for (const r of rows) {
      cursor = Math.max(cursor, Number(r.time_updated));
      const rec = openCodeUsage(r);
      if (rec) records.push(rec);
    }
    return { records, cursor };
  } finally {
    db.close();
  }
}

/** OpenCode keeps its database in WAL mode; with no WAL beside it (OpenCode not running), it opens as immutable. */
function openReadOnly(path: string): DatabaseSync {
  try {
    const db = new DatabaseSync(path, { readOnly: true });
    db.exec('PRAGMA busy_timeout = 5000');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (e) {
    if (existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0) throw e;
    const url = pathToFileURL(path);
    url.searchParams.set('immutable', '1');
    return new DatabaseSync(url.href, { readOnly: true });
  }
}

const DB_NAME = /^opencode(-[A-Za-z0-9._-]+)?\.db$/;

/**
 * The OpenCode databases of the given environments: `OPENCODE_DB` when set (relative to the data directory), else
 * every `opencode*.db` in `<XDG_DATA_HOME or ~/.local/share>/opencode`. Only files that exist.
 */
export function openCodeDatabases(envs: readonly Readonly<Record<string, string | undefined>>[]): string[] {
  const out = new Set<string>();
  for (const env of envs) {
    const data = join(env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share'), 'opencode');
    const named = env.OPENCODE_DB;
    if (named && named !== ':memory:') {
      const p = isAbsolute(named) ? named : join(data, named);
      if (existsSync(p)) out.add(p);
      continue;
    }
    if (!existsSync(data)) continue;
    for (const f of readdirSync(data).sort()) if (DB_NAME.test(f)) out.add(join(data, f));
  }
  return [...out];
}

/** True for a usage source that is a database (OpenCode's) rather than a transcript: the file starts as SQLite's do. */
export function isSqliteFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(16);
    return readSync(fd, head, 0, 16, 0) === 16 && head.toString('latin1') === 'SQLite format 3\0';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Size and change time of a database with its WAL: unchanged when neither changed. */
export function dbStamp(path: string): { size: number; mtime_ms: number } {
  let size = 0;
  let mtime = 0;
  for (const p of [path, `${path}-wal`]) {
    try {
      const st = statSync(p);
      size += st.size;
      mtime = Math.max(mtime, Math.floor(st.mtimeMs));
    } catch {
      // no WAL: the database alone
    }
  }
  return { size, mtime_ms: mtime };
}
