// The nudge protocol: the one way any part of Gas Town puts a message in front of a running agent.
// Modes: immediate (type it now), wait-idle (type it once the agent is idle, else queue it), queue (leave it for the
// runtime's prompt hook). Typing is serialized per session across processes by a lock file.
import { isGtError, messageOf } from '../kernel/index.ts';
import { detectDialog } from './dialogs.ts';
import { DEFAULT_TIMINGS, pollFor, typeAndSubmit, type DeliveryTimings, type NudgeTmux } from './nudge-deliver.ts';
import { enqueueNudge, type NudgePriority } from './nudge-queue.ts';
import {
  sameScreen,
  sanitizeMessage,
  showsBusy,
  showsReadyPrompt,
  type ReadySignals,
  type Screen,
} from './pane-text.ts';
import { acquireLock, lockPath, type LockHandle } from './session-lock.ts';

export type NudgeMode = 'immediate' | 'wait-idle' | 'queue';

export interface NudgeRequest {
  session: string;
  message: string;
  /** Default 'wait-idle'. */
  mode?: NudgeMode;
  from?: string;
  priority?: NudgePriority;
  /** The runtime's ready prompt and busy marker (from its preset), for wait-idle. */
  signals?: ReadySignals;
}

export interface NudgeSettings extends Partial<DeliveryTimings> {
  /** The town's runtime directory: locks and queues live under it. */
  runtimeDir: string;
  lockTimeoutMs?: number;
  /** wait-idle: the screen must not change for this long (default 800 ms) … */
  idleMs?: number;
  /** … within this time (default 10 s), or the nudge is queued (or typed anyway, see onIdleTimeout). */
  idleTimeoutMs?: number;
  onIdleTimeout?: 'queue' | 'immediate';
}

export type NudgeFailure =
  'empty-message' | 'no-session' | 'lock-timeout' | 'not-accepted' | 'queue-full' | 'tmux-error';

export type NudgeResult =
  | { status: 'delivered'; verified: boolean; attempts: number; waitedMs: number; elapsedMs: number }
  | { status: 'queued'; id: string; why: 'requested' | 'busy'; elapsedMs: number }
  | { status: 'failed'; reason: NudgeFailure; detail: string; attempts: number; elapsedMs: number };

export type { NudgeTmux } from './nudge-deliver.ts';

export async function nudge(tmux: NudgeTmux, settings: NudgeSettings, req: NudgeRequest): Promise<NudgeResult> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  const fail = (reason: NudgeFailure, detail: string, attempts = 0): NudgeResult => ({
    status: 'failed',
    reason,
    detail,
    attempts,
    elapsedMs: elapsed(),
  });
  const text = sanitizeMessage(req.message);
  if (text === '') return fail('empty-message', 'the message is empty once control characters are removed');
  const mode = req.mode ?? 'wait-idle';
  const enqueue = (why: 'requested' | 'busy'): NudgeResult => {
    const item = enqueueNudge(settings.runtimeDir, {
      session: req.session,
      message: text,
      from: req.from,
      priority: req.priority,
    });
    return item
      ? { status: 'queued', id: item.id, why, elapsedMs: elapsed() }
      : fail('queue-full', `the nudge queue of ${req.session} is full`);
  };
  if (mode === 'queue') return enqueue('requested');
  const queueOnBusy = (settings.onIdleTimeout ?? 'queue') === 'queue';

  try {
    if (!(await tmux.hasSession(req.session))) return fail('no-session', `no tmux session ${req.session}`);
    let lock: LockHandle;
    try {
      lock = await acquireLock(lockPath(settings.runtimeDir, `nudge-${req.session}`), {
        timeoutMs: settings.lockTimeoutMs ?? 30_000,
      });
    } catch (e) {
      if (isGtError(e) && e.code === 'LOCK_TIMEOUT') {
        // Others are still typing into (or waiting on) this agent: a wait-idle nudge joins the queue rather than fail.
        return mode === 'wait-idle' && queueOnBusy ? enqueue('busy') : fail('lock-timeout', e.message);
      }
      throw e;
    }
    try {
      const waitStart = Date.now();
      if (mode === 'wait-idle') {
        const idle = await waitForIdle(tmux, req.session, req.signals ?? {}, settings);
        if (!idle && queueOnBusy) return enqueue('busy');
      }
      const waitedMs = Date.now() - waitStart;
      const timings: DeliveryTimings = { ...DEFAULT_TIMINGS, ...pickTimings(settings) };
      const out = await typeAndSubmit(tmux, req.session, text, timings, req.signals);
      if (!out.ok)
        return fail(
          'not-accepted',
          `${req.session} did not take the typed message after ${out.attempts} Enter presses`,
          out.attempts,
        );
      return { status: 'delivered', verified: out.verified, attempts: out.attempts, waitedMs, elapsedMs: elapsed() };
    } finally {
      lock.release();
    }
  } catch (e) {
    if (isGtError(e) && e.code === 'TMUX_NO_SESSION') return fail('no-session', e.message);
    if (isGtError(e) && e.code.startsWith('TMUX_')) return fail('tmux-error', messageOf(e));
    throw e;
  }
}

/**
 * Wait until the agent looks idle: its ready prompt is on screen with no busy marker, or (without a prompt match)
 * the screen has not changed for idleMs and shows no busy marker. False at idleTimeoutMs.
 */
export async function waitForIdle(
  tmux: Pick<NudgeTmux, 'snapshot'>,
  session: string,
  signals: ReadySignals,
  settings: Pick<NudgeSettings, 'idleMs' | 'idleTimeoutMs' | 'pollMs'> = {},
): Promise<boolean> {
  const idleMs = settings.idleMs ?? 800;
  const pollMs = settings.pollMs ?? DEFAULT_TIMINGS.pollMs;
  let last: Screen | undefined;
  let stableSince = Date.now();
  const idle = await pollFor(
    () => tmux.snapshot(session),
    (s) => {
      if (!last || !sameScreen(last, s)) {
        last = s;
        stableSince = Date.now();
      }
      // A dialog's selection marker can look like a prompt; typing into a dialog would answer it.
      if (detectDialog(s.lines)) return false;
      if (showsReadyPrompt(s.lines, signals)) return true;
      return !showsBusy(s.lines, signals) && Date.now() - stableSince >= idleMs;
    },
    settings.idleTimeoutMs ?? 10_000,
    Math.max(pollMs, 50),
  );
  return idle !== undefined;
}

function pickTimings(s: NudgeSettings): Partial<DeliveryTimings> {
  const out: Partial<DeliveryTimings> = {};
  for (const k of ['settleMs', 'echoTimeoutMs', 'acceptTimeoutMs', 'maxAttempts', 'pollMs'] as const) {
    if (s[k] !== undefined) out[k] = s[k];
  }
  return out;
}
