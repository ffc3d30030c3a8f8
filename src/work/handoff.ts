// Handoff: an agent ends its session on purpose (context full, a clean start for the next step). The note goes to
// its own inbox (type handoff; the next session's `gt prime` shows it), a bead may be hooked for the successor,
// and the session is restarted fresh: a new conversation, not a resumed one.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { GtError, isoNow, TOWN_EVENTS } from '../kernel/index.ts';
import { applyUpdate, getBead, resolveId, type Store } from '../beads/index.ts';
import { findOnPath, runSync } from '../proc/index.ts';
import { parseAddress, townTmux, type AgentAddress, type TownContext } from '../town/index.ts';
import { archive, lastHandoff, pendingHandoffs, sendMail, type SendDeps } from './mail/index.ts';
import { agentNameFor } from './nudge-agent.ts';
import {
  getAgent,
  gtArgv,
  identityOf,
  setHookedBead,
  startAgent,
  stopAgent,
  withStore,
  type AgentIdentity,
} from './sessions/index.ts';
import { recordEvent } from './convoy/events.ts';
import { withTownStore } from './convoy/manage.ts';

/** Handoffs closer together than this are refused without `force`: a session that keeps handing off is looping. */
export const HANDOFF_COOLDOWN_MS = 2 * 60_000;

export interface HandoffOptions {
  note?: string;
  /** A bead to hook for the next session (id or unique prefix). */
  bead?: string;
  /** Skip the cooldown. */
  force?: boolean;
  /** Restart the session (default true); false only leaves the note (and the hook). */
  restart?: boolean;
  /** How to run gt for a scheduled restart (default: this installation's bin/gt.js); the CLI passes itself. */
  gtCommand?: readonly string[];
  mail?: SendDeps;
}

export type RestartOutcome = 'restarted' | 'scheduled' | 'not-running' | 'skipped';

export interface HandoffResult {
  address: string;
  session: string;
  mail: string;
  hooked: string | null;
  /** Earlier unread handoff notes to self, archived: the newest note is the one that counts. */
  superseded: string[];
  /** restarted: stopped and started here; scheduled: a detached process restarts it (run from inside the session). */
  restart: RestartOutcome;
  agent: string;
  /** Where a scheduled restart writes its output. */
  log?: string;
}

function subjectOf(note: string): string {
  const first = note.trim().split('\n')[0]!.trim();
  return `🤝 HANDOFF: ${first ? (first.length > 100 ? `${first.slice(0, 97)}…` : first) : 'session handed off'}`;
}

function agentOf(town: TownContext, id: AgentIdentity, addr: AgentAddress): string {
  return withStore(town, (s) => getAgent(s, id.address))?.runtime ?? agentNameFor(town, addr);
}

export async function handoff(
  town: TownContext,
  address: string | AgentAddress,
  opts: HandoffOptions = {},
): Promise<HandoffResult> {
  const addr = typeof address === 'string' ? parseAddress(town, address) : address;
  const id = identityOf(town, addr);
  const me = id.address;
  const prep = withTownStore(town, me, (store) =>
    store.write(() => {
      const last = lastHandoff(store, me);
      const wait = last ? HANDOFF_COOLDOWN_MS - (Date.now() - Date.parse(last.created_at)) : 0;
      if (wait > 0 && !opts.force) {
        throw new GtError(
          'GT_HANDOFF_COOLDOWN',
          `${me} handed off ${Math.round((HANDOFF_COOLDOWN_MS - wait) / 1000)} s ago (${last!.id}); handoffs are at least ${HANDOFF_COOLDOWN_MS / 60_000} minutes apart`,
          {
            hint: `keep working and hand off in ${Math.ceil(wait / 1000)} s; if the session really is unusable, tell the Mayor: gt mail send mayor -s "stuck" -m "<what happens>"`,
          },
        );
      }
      const hooked = opts.bead !== undefined ? hookFor(store, me, opts.bead) : null;
      const older = pendingHandoffs(store, me);
      recordEvent(store, {
        actor: me,
        kind: TOWN_EVENTS.handoff.handedOff,
        subject: me,
        reason: opts.note?.trim().split('\n')[0] || null,
        data: { hooked },
      });
      return { hooked, older };
    }),
  );
  const superseded = prep.older.length ? archive(town, prep.older).archived.map((m) => m.id) : [];
  const note = opts.note?.trim() ?? '';
  const body = [note || '(no note)', ...(prep.hooked ? ['', `Hooked for you: ${prep.hooked}`] : [])].join('\n');
  const sent = await sendMail(
    town,
    { from: addr, to: addr, subject: subjectOf(note), body, type: 'handoff', notify: false },
    opts.mail,
  );
  const agent = agentOf(town, id, addr);
  const base = { address: me, session: id.session, mail: sent.mail[0]!.id, hooked: prep.hooked, superseded, agent };
  if (opts.restart === false) return { ...base, restart: 'skipped' };
  if (!(await townTmux(town).hasSession(id.session))) return { ...base, restart: 'not-running' };
  if (town.env.GT_SESSION === id.session)
    return { ...base, restart: 'scheduled', log: scheduleRestart(town, id, agent, opts.gtCommand ?? gtArgv()) };
  await restartFresh(town, id, agent);
  return { ...base, restart: 'restarted' };
}

/** Hook a bead for `me` (inside the caller's write): status hooked, assigned to me, recorded on my agent row. */
function hookFor(store: Store, me: string, input: string): string {
  const beadId = resolveId(store, input);
  const b = getBead(store.db, beadId)!;
  if (b.status === 'closed')
    throw new GtError('GT_BEAD_CLOSED', `${beadId} is closed; there is nothing to hook`, {
      kind: 'usage',
      hint: 'pick open work with gt bd ready',
    });
  if (b.assignee && b.assignee !== me && (b.status === 'hooked' || b.status === 'in_progress')) {
    throw new GtError('GT_BEAD_HELD', `${beadId} is held by ${b.assignee} (${b.status})`, {
      hint: `ask the Mayor to move it, or pick other work with gt bd ready`,
    });
  }
  applyUpdate(store, beadId, { status: 'hooked', assignee: me });
  setHookedBead(store, me, beadId);
  return beadId;
}

/** Stop the session and start the same agent again with a new conversation, told to pick up from the handoff. */
export async function restartFresh(town: TownContext, id: AgentIdentity, agent: string): Promise<void> {
  await stopAgent(town, id);
  // Without a first prompt a runtime that primes itself through a hook (Claude) would sit idle at its prompt; one
  // without such a hook is told to run `gt prime` first.
  const message = 'Your previous session handed off to you: its note and your hook are in your context.';
  await startAgent(town, { identity: id, agent, resume: false, message });
}

/**
 * Restart from inside the session being restarted: killing the session kills every process in it, so the restart
 * runs in a detached process (its own process session via setsid, else immune to hang-ups via nohup) that
 * outlives the kill; its output goes to `.runtime/handoff/<session>.log`.
 */
function scheduleRestart(town: TownContext, id: AgentIdentity, agent: string, gtCommand: readonly string[]): string {
  const dir = join(town.paths.runtime, 'handoff');
  mkdirSync(dir, { recursive: true });
  const log = join(dir, `${id.session}.log`);
  const argv = [...gtCommand, 'handoff', '--restart-only', '--agent', agent];
  const detach = findOnPath('setsid', town.env.PATH) ? ['setsid', ...argv] : ['nohup', ...argv];
  runSync(
    '/bin/sh',
    [
      '-c',
      'log="$1"; shift; echo "$(date -u +%FT%TZ) restarting" >>"$log"; "$@" </dev/null >>"$log" 2>&1 &',
      'sh',
      log,
      ...detach,
    ],
    {
      cwd: town.root,
      env: { ...town.env, GT_ROOT: town.root, GT_ADDRESS: id.address },
      timeoutMs: 10_000,
    },
  );
  return log;
}

/** The detached half of a scheduled restart (`gt handoff --restart-only`): wait a moment so the caller finishes, then restart. */
export async function restartAfterHandoff(
  town: TownContext,
  address: string,
  agent: string,
  delayMs = 500,
): Promise<{ address: string; restarted_at: string }> {
  const id = identityOf(town, parseAddress(town, address));
  await new Promise((r) => setTimeout(r, delayMs));
  await restartFresh(town, id, agent);
  return { address: id.address, restarted_at: isoNow() };
}
