// Recording usage: read a transcript from where the last read stopped, attribute each new response, store it.
// Used by the Stop hook (`gt costs record`) and by the daemon's sweep of live agents' transcripts, which also reads
// the OpenCode databases of the town's OpenCode agents (opencode.ts).
import { closeSync, existsSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Store } from '../beads/index.ts';
import { resolvePreset } from '../agents/index.ts';
import { listAgentRecords, type AgentRecord } from '../agents/table.ts';
import { messageOf } from '../kernel/index.ts';
import { openTownStore, type TownContext } from '../town/index.ts';
import { addressFor, attribute, type AttributionFacts } from './attribute.ts';
import { dbStamp, isSqliteFile, openCodeDatabases, readOpenCodeDb } from './opencode.ts';
import { completeLines, escapeProjectDir, parseTranscript } from './transcript.ts';
import { getSource, listSources, readFacts, saveSource, upsertUsage } from './usage-store.ts';

export interface RecordRequest {
  transcriptPath: string;
  sessionId?: string | undefined;
  /** The agent the session belongs to, when the caller knows (the hook's GT_ADDRESS). */
  address?: string | undefined;
}

export interface RecordResult {
  path: string;
  status: 'recorded' | 'unchanged' | 'missing';
  address: string | null;
  /** Responses seen for the first time. */
  added: number;
  /** Responses read in this pass (new or completed). */
  read: number;
  /** Lines that were not JSON, skipped. */
  skipped: number;
  skippedLines: number[];
  /** Why a source could not be read (an OpenCode database that would not open), when it could not. */
  error?: string;
}

function withStore<T>(town: TownContext, fn: (s: Store) => T): T {
  const s = openTownStore(town, { actor: 'gt costs' });
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

function readFrom(path: string, offset: number, size: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(Math.max(0, size - offset));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, offset + got);
      if (n <= 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Record one transcript (and its subagents' transcripts, kept beside it). Idempotent; reads only what is new. */
export function recordUsage(town: TownContext, req: RecordRequest): RecordResult[] {
  return withStore(town, (store) => {
    const out = [recordOne(store, req)];
    const sub = join(req.transcriptPath.replace(/\.jsonl$/, ''), 'subagents');
    if (existsSync(sub)) {
      for (const f of readdirSync(sub)
        .filter((n) => n.endsWith('.jsonl'))
        .sort()) {
        out.push(
          recordOne(store, {
            transcriptPath: join(sub, f),
            sessionId: req.sessionId,
            address: req.address ?? out[0]!.address ?? undefined,
          }),
        );
      }
    }
    return out;
  });
}

function recordOne(store: Store, req: RecordRequest): RecordResult {
  const path = req.transcriptPath;
  const base: RecordResult = {
    path,
    status: 'missing',
    address: req.address ?? null,
    added: 0,
    read: 0,
    skipped: 0,
    skippedLines: [],
  };
  let st;
  try {
    st = statSync(path);
  } catch {
    return base;
  }
  const src = getSource(store, path);
  const sessionId =
    req.sessionId ?? src?.session_id ?? (basename(path).endsWith('.jsonl') ? basename(path, '.jsonl') : null);
  if (src && src.size === st.size && src.mtime_ms === Math.floor(st.mtimeMs) && (src.address || !req.address)) {
    return { ...base, status: 'unchanged', address: src.address };
  }
  // A file shorter than what was read was rewritten: read it again from the start (ids keep it idempotent).
  const offset = src && src.offset <= st.size ? src.offset : 0;
  const { text, next } = completeLines(readFrom(path, offset, st.size), offset);
  const parsed = parseTranscript(text);
  const facts = readFacts(store);
  const address = addressFor(facts, {
    address: req.address ?? src?.address ?? undefined,
    sessionId,
    cwd: parsed.records[0]?.cwd ?? null,
  });
  const rows = parsed.records.map((r) => ({
    ...r,
    session_id: r.session_id ?? sessionId,
    ...attribute(facts, address, r),
  }));
  const added = upsertUsage(store, rows);
  saveSource(store, {
    path,
    session_id: sessionId,
    address,
    offset: next,
    size: st.size,
    mtime_ms: Math.floor(st.mtimeMs),
  });
  return {
    path,
    status: 'recorded',
    address,
    added,
    read: rows.length,
    skipped: parsed.skipped,
    skippedLines: parsed.skippedLines,
  };
}

/** Where Claude Code keeps transcripts for this town's agents: the configured config dirs, else ~/.claude. */
export function claudeConfigDirs(town: TownContext): string[] {
  const dirs = new Set<string>();
  if (town.env.CLAUDE_CONFIG_DIR) dirs.add(town.env.CLAUDE_CONFIG_DIR);
  for (const a of Object.values(town.settings.agents)) if (a.env?.CLAUDE_CONFIG_DIR) dirs.add(a.env.CLAUDE_CONFIG_DIR);
  dirs.add(join(town.env.HOME ?? homedir(), '.claude'));
  return [...dirs];
}

/** The transcript of a session: `<config>/projects/<escaped cwd>/<id>.jsonl`, else any project holding `<id>.jsonl`. */
export function findTranscript(
  configDirs: readonly string[],
  sessionId: string,
  cwd: string | null,
): string | undefined {
  for (const d of configDirs) {
    if (cwd) {
      const p = join(d, 'projects', escapeProjectDir(cwd), `${sessionId}.jsonl`);
      if (existsSync(p)) return p;
    }
  }
  for (const d of configDirs) {
    const projects = join(d, 'projects');
    if (!existsSync(projects)) continue;
    for (const proj of readdirSync(projects)) {
      const p = join(projects, proj, `${sessionId}.jsonl`);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

/**
 * The daemon's sweep: every transcript read before that has grown, and the transcript of every agent whose session
 * id is known. Catches what a Stop hook missed (a killed session, a hook that timed out).
 */
export function sweepTranscripts(town: TownContext): RecordResult[] {
  const { sources, agents, openCodeDbs } = withStore(town, (s) => {
    const all = listAgentRecords(s);
    return {
      sources: listSources(s),
      agents: all.filter((a): a is typeof a & { session_id: string } => a.session_id !== null),
      openCodeDbs: openCodeDatabasesOf(town, all),
    };
  });
  const todo = new Map<string, { sessionId?: string; address?: string }>();
  for (const s of sources) {
    if (dirname(s.path).endsWith('/subagents') || (!s.path.endsWith('.jsonl') && isSqliteFile(s.path))) continue;
    todo.set(s.path, {
      ...(s.session_id ? { sessionId: s.session_id } : {}),
      ...(s.address ? { address: s.address } : {}),
    });
  }
  const dirs = claudeConfigDirs(town);
  for (const a of agents) {
    const p = findTranscript(dirs, a.session_id, a.workdir);
    if (p && !todo.has(p)) todo.set(p, { sessionId: a.session_id, address: a.address });
  }
  return [
    ...[...todo].flatMap(([path, o]) => recordUsage(town, { transcriptPath: path, ...o })),
    ...(openCodeDbs.length ? sweepOpenCode(town, openCodeDbs) : []),
  ];
}

/**
 * Where the town's OpenCode agents keep their sessions: the OpenCode databases under the data directory of the town's
 * environment merged with each OpenCode agent's (a custom agent's `env` may move it). None when no agent runs OpenCode.
 */
export function openCodeDatabasesOf(town: TownContext, agents: readonly Pick<AgentRecord, 'runtime'>[]): string[] {
  const envs: Record<string, string | undefined>[] = [];
  for (const runtime of new Set(agents.map((a) => a.runtime))) {
    let preset;
    try {
      preset = resolvePreset(runtime, town.settings.agents);
    } catch {
      continue; // an agent definition since removed: not OpenCode's as far as anyone can tell
    }
    if (preset.hooks.kind === 'opencode-instructions') envs.push({ ...town.env, ...preset.env });
  }
  return envs.length ? openCodeDatabases(envs) : [];
}

/**
 * Read the responses OpenCode stored since the last read, of sessions run inside an agent's working directory (a
 * person's own OpenCode sessions elsewhere are not the town's), each attributed like a transcript's by its directory.
 */
export function sweepOpenCode(town: TownContext, databases?: readonly string[]): RecordResult[] {
  return withStore(town, (store) => {
    const dbs = databases ?? openCodeDatabasesOf(town, listAgentRecords(store));
    if (dbs.length === 0) return [];
    const facts = withRealWorkdirs(readFacts(store));
    return dbs.map((db) => recordOpenCodeDb(store, db, facts));
  });
}

/** A session's directory may be a workdir's real path (a symlinked /tmp): each workdir is matched by that too. */
function withRealWorkdirs(facts: AttributionFacts): AttributionFacts {
  const real = facts.workdirs.flatMap((w) => {
    try {
      const dir = realpathSync(w.dir);
      return dir === w.dir ? [] : [{ dir, address: w.address }];
    } catch {
      return [];
    }
  });
  return real.length ? { ...facts, workdirs: [...facts.workdirs, ...real] } : facts;
}

function recordOpenCodeDb(store: Store, path: string, facts: AttributionFacts): RecordResult {
  const base: RecordResult = {
    path,
    status: 'unchanged',
    address: null,
    added: 0,
    read: 0,
    skipped: 0,
    skippedLines: [],
  };
  const src = getSource(store, path);
  const stamp = dbStamp(path);
  if (src && src.size === stamp.size && src.mtime_ms === stamp.mtime_ms) return base;
  let read;
  try {
    read = readOpenCodeDb(path, src?.offset ?? 0);
  } catch (e) {
    return { ...base, status: 'missing', error: `cannot read this OpenCode database: ${messageOf(e)}` };
  }
  const { records, cursor } = read;
  const rows = records.flatMap((r) => {
    const address = addressFor(facts, { sessionId: r.session_id, cwd: r.cwd });
    return address ? [{ ...r, ...attribute(facts, address, r) }] : [];
  });
  const added = upsertUsage(store, rows);
  saveSource(store, { path, session_id: null, address: null, offset: cursor, ...stamp });
  return { ...base, status: 'recorded', added, read: rows.length };
}
