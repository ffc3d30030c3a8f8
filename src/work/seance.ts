// gt seance: the previous sessions of an agent (from the session ids its runtime reported at each start), what each
// did as its runtime's own transcript tells (Claude Code's JSONL: last prompts, tool calls, final message), and the
// command that talks to one again: a resume of its recorded id, forked where the runtime can so it is not changed.
import { readFileSync } from 'node:fs';
import { GtError, installRoot, isoNow, TOWN_EVENTS } from '../kernel/index.ts';
import { buildCommand, resolvePreset, type AgentCommand } from '../agents/index.ts';
import { getAgent, recordSessionId } from '../agents/table.ts';
import type { Store } from '../beads/index.ts';
import { claudeConfigDirs, findTranscript } from '../costs/record.ts';
import { recordTownEvent, townEventsMatching, type TownContext } from '../town/index.ts';

/**
 * Record the session id an agent's runtime reported (its session-start hook), and a `session.recorded` event when it
 * is a new one (a resume or compaction reports the same id again): the list gt seance reads.
 */
export function recordAgentSession(store: Store, address: string, sessionId: string): void {
  store.write(() => {
    const before = getAgent(store, address);
    recordSessionId(store, address, sessionId, isoNow());
    if (before?.session_id === sessionId) return;
    recordTownEvent(store, {
      actor: address,
      kind: TOWN_EVENTS.session.recorded,
      subject: address,
      reason: `session ${sessionId}`,
      data: {
        session_id: sessionId,
        runtime: before?.runtime ?? null,
        bead: before?.hooked_bead ?? null,
        workdir: before?.workdir ?? null,
      },
    });
  });
}

export interface TranscriptSummary {
  started_at: string | null;
  ended_at: string | null;
  /** The person's (or Gas Town's) last prompts, oldest first, at most three, each cut to 300 characters. */
  prompts: string[];
  tool_calls: number;
  /** Names of the last tool calls, oldest first, at most eight. */
  last_tools: string[];
  /** The agent's last words (its final text message), cut to 1,000 characters. */
  final_message: string | null;
}

export interface SeanceSession {
  address: string;
  session_id: string;
  runtime: string | null;
  /** The bead on the agent's hook when the session started. */
  bead: string | null;
  workdir: string | null;
  /** When the runtime reported the session. */
  at: string;
  /** The runtime's own transcript, when found (Claude Code's JSONL). */
  transcript: string | null;
  summary: TranscriptSummary | null;
}

/** The agent's sessions, newest first, at most `limit`. */
export function seanceSessions(town: TownContext, store: Store, address: string, limit: number): SeanceSession[] {
  const events = townEventsMatching(store, { kind: TOWN_EVENTS.session.recorded, subject: address })
    .reverse()
    .slice(0, limit);
  const dirs = claudeConfigDirs(town);
  return events.map((e) => {
    const d = e.data as { session_id: string; runtime: string | null; bead: string | null; workdir: string | null };
    const transcript = findTranscript(dirs, d.session_id, d.workdir) ?? null;
    let summary: TranscriptSummary | null = null;
    if (transcript) {
      try {
        summary = summarizeClaudeTranscript(readFileSync(transcript, 'utf8'));
      } catch {
        summary = null;
      }
    }
    return {
      address,
      session_id: d.session_id,
      runtime: d.runtime,
      bead: d.bead,
      workdir: d.workdir,
      at: e.at,
      transcript,
      summary,
    };
  });
}

const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** What a Claude Code transcript says a session did (pure; lines that are not JSON are skipped). */
export function summarizeClaudeTranscript(text: string): TranscriptSummary {
  const prompts: string[] = [];
  const tools: string[] = [];
  let toolCalls = 0;
  let final: string | null = null;
  let first: string | null = null;
  let last: string | null = null;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let e: { type?: unknown; timestamp?: unknown; message?: { content?: unknown } };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      continue;
    }
    if (typeof e.timestamp === 'string') {
      first ??= e.timestamp;
      last = e.timestamp;
    }
    const content = e.message?.content;
    if (e.type === 'user') {
      const said =
        typeof content === 'string'
          ? content
          : Array.isArray(content)
            ? content
                .filter((c: { type?: unknown }) => c?.type === 'text')
                .map((c: { text?: unknown }) => String(c.text ?? ''))
                .join('\n')
            : '';
      if (said.trim()) prompts.push(cut(said.trim(), 300));
    } else if (e.type === 'assistant' && Array.isArray(content)) {
      for (const c of content as { type?: unknown; name?: unknown; text?: unknown }[]) {
        if (c?.type === 'tool_use') {
          toolCalls++;
          tools.push(String(c.name ?? '?'));
        } else if (c?.type === 'text' && typeof c.text === 'string' && c.text.trim()) {
          final = cut(c.text.trim(), 1000);
        }
      }
    }
  }
  return {
    started_at: first,
    ended_at: last,
    prompts: prompts.slice(-3),
    tool_calls: toolCalls,
    last_tools: tools.slice(-8),
    final_message: final,
  };
}

/**
 * The command that talks to a recorded session again: a resume of its id, forked where the runtime can (so the old
 * conversation is read, not continued), run in its working directory. With `question`, a one-shot answer where the
 * runtime has a non-interactive mode that takes a resume.
 */
export function seanceCommand(
  town: TownContext,
  s: SeanceSession,
  question: string | undefined,
): AgentCommand & { cwd: string | null; oneShot: boolean } {
  const runtime = s.runtime;
  if (!runtime)
    throw new GtError('GT_SEANCE_RUNTIME', `the runtime of session ${s.session_id} was not recorded`, {
      kind: 'usage',
      hint: 'read what it did with gt seance <address> --json',
    });
  const preset = resolvePreset(runtime, town.settings.agents);
  if (!preset.resume) {
    throw new GtError(
      'GT_SEANCE_NO_RESUME',
      `${runtime} cannot resume a session by id, so session ${s.session_id} cannot be talked to`,
      { kind: 'usage', hint: 'read what it did with gt seance <address>; its transcript path is in --json' },
    );
  }
  const base = {
    resumeId: s.session_id,
    extraArgs: preset.fork ?? [],
    nodePath: process.execPath,
    packageRoot: installRoot(),
  };
  if (question === undefined) return { ...buildCommand(preset, base), cwd: s.workdir, oneShot: false };
  const one = preset.nonInteractive;
  if (!one || one.subcommand?.length || preset.resume.subcommand?.length) {
    throw new GtError(
      'GT_SEANCE_NO_ONE_SHOT',
      `${runtime} cannot answer one question in a resumed session without its interface`,
      { kind: 'usage', hint: `talk to it in this terminal: gt seance ${s.address} --talk ${s.session_id}` },
    );
  }
  const cmd = buildCommand(preset, base);
  const words = one.args.flatMap((a) =>
    a === '{prompt}' ? (question.startsWith('-') ? ['--', question] : [question]) : [a],
  );
  return { ...cmd, argv: [...cmd.argv, ...words], cwd: s.workdir, oneShot: true };
}
