// Typing one message into an agent's TUI and proving it arrived: literal text, a settle, Enter on its own,
// then the screen read back; Enter is retried (after waking a detached session) until the input line is taken.
import {
  inputAccepted,
  messageTail,
  showsReadyPrompt,
  tailAppeared,
  type ReadySignals,
  type Screen,
} from './pane-text.ts';

/** The tmux operations delivery needs (the tmux adapter satisfies it). */
export interface NudgeTmux {
  hasSession(name: string): Promise<boolean>;
  /** `dead`: the pane's program exited and tmux kept the pane (remain-on-exit); `deadStatus`: its exit status. */
  snapshot(
    name: string,
  ): Promise<Screen & { inMode: boolean; attached: boolean; dead?: boolean; deadStatus?: number | null }>;
  sendText(name: string, text: string): Promise<void>;
  sendKeys(name: string, ...keys: string[]): Promise<void>;
  exitCopyMode(name: string): Promise<void>;
  wake(name: string): Promise<void>;
}

export interface DeliveryTimings {
  /** Pause between the text showing up and Enter, so the TUI does not take text and Enter as one paste. */
  settleMs: number;
  /** How long the typed text may take to show up on screen. */
  echoTimeoutMs: number;
  /** How long one Enter may take to be taken. */
  acceptTimeoutMs: number;
  /** Enter presses before giving up. */
  maxAttempts: number;
  pollMs: number;
}

export const DEFAULT_TIMINGS: DeliveryTimings = {
  settleMs: 60,
  echoTimeoutMs: 4000,
  acceptTimeoutMs: 2000,
  maxAttempts: 3,
  pollMs: 20,
};

export type DeliveryOutcome =
  { ok: true; verified: boolean; attempts: number } | { ok: false; reason: 'not-accepted'; attempts: number };

/**
 * Deliver `text` (already one clean line) to `session`. The caller holds the session's lock. `verified` is false
 * when the text never showed on screen (a TUI that does not echo, or hides long input): Enter is still pressed so
 * the text and its Enter stay together and cannot merge with the next message.
 */
export async function typeAndSubmit(
  tmux: NudgeTmux,
  session: string,
  text: string,
  t: DeliveryTimings,
  signals: ReadySignals = {},
): Promise<DeliveryOutcome> {
  const tail = messageTail(text);
  let before = await tmux.snapshot(session);
  if (before.inMode) {
    await tmux.exitCopyMode(session);
    before = await tmux.snapshot(session);
  }
  let typed: Screen | undefined;
  for (let attempt = 1; attempt <= t.maxAttempts && !typed; attempt++) {
    await sendInPieces(tmux, session, text, before, t);
    // Wait for the end of the text to show; halfway through, wake the session in case it is not reading input.
    typed = await pollFor(
      () => tmux.snapshot(session),
      (s) => tailAppeared(before, s, tail),
      t.echoTimeoutMs / 2,
      t.pollMs,
    );
    if (!typed) {
      await tmux.wake(session);
      typed = await pollFor(
        () => tmux.snapshot(session),
        (s) => tailAppeared(before, s, tail),
        t.echoTimeoutMs / 2,
        t.pollMs,
      );
    }
    // The placeholder of an empty input still shows: the keys were dropped (a TUI redrawing itself, as Gemini CLI
    // does while it loads a resumed conversation), so typing again cannot double them.
    if (!typed && !(signals.promptMeansEmpty && showsReadyPrompt((await tmux.snapshot(session)).lines, signals))) break;
  }
  if (!typed) {
    await sleep(t.settleMs);
    await tmux.sendKeys(session, 'Enter');
    return { ok: true, verified: false, attempts: 1 };
  }

  await sleep(t.settleMs);
  typed = await tmux.snapshot(session);
  for (let attempt = 1; attempt <= t.maxAttempts; attempt++) {
    await tmux.sendKeys(session, 'Enter');
    const accepted = (s: Screen) => inputAccepted(typed!, s, tail);
    if (await pollFor(() => tmux.snapshot(session), accepted, t.acceptTimeoutMs, t.pollMs))
      return { ok: true, verified: true, attempts: attempt };
    // Enter may be sitting unread in a detached TUI: wake it and look again before pressing Enter once more.
    await tmux.wake(session);
    if (await pollFor(() => tmux.snapshot(session), accepted, t.acceptTimeoutMs / 2, t.pollMs))
      return { ok: true, verified: true, attempts: attempt };
  }
  return { ok: false, reason: 'not-accepted', attempts: t.maxAttempts };
}

/**
 * The text in pieces that each start at a `?` (the first piece: up to the first `?` after other text). A TUI that
 * reads a burst of keys against the input line of its last render takes a `?` in the same burst as the text before
 * it for a `?` on an empty prompt: Gemini CLI 0.61 opens its shortcuts panel and drops the character.
 */
export function shortcutSafePieces(text: string): string[] {
  return text.split(/(?<=[^?])(?=\?)/u).filter((p) => p !== '');
}

/** Sends `text`, each piece after the one before it shows on screen (at most half a second each), then a settle. */
async function sendInPieces(
  tmux: NudgeTmux,
  session: string,
  text: string,
  before: Screen,
  t: DeliveryTimings,
): Promise<void> {
  const pieces = shortcutSafePieces(text);
  let sent = '';
  for (const [i, piece] of pieces.entries()) {
    if (i > 0) {
      const tail = messageTail(sent);
      await pollFor(
        () => tmux.snapshot(session),
        (s) => tailAppeared(before, s, tail),
        Math.min(500, t.echoTimeoutMs),
        t.pollMs,
      );
      await sleep(t.settleMs);
    }
    await tmux.sendText(session, piece);
    sent += piece;
  }
}

/** Poll `probe` until `ok`, returning the value that satisfied it, or undefined at the deadline. */
export async function pollFor<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs: number,
  pollMs: number | (() => number),
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() >= deadline) return undefined;
    await sleep(typeof pollMs === 'number' ? pollMs : pollMs());
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
