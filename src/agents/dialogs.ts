// Start-up dialogs of agent TUIs: recognising them from the pane text (pure), and answering the known ones so a
// freshly started agent reaches its prompt with no person at the keyboard. Dialog texts are data, per runtime.
import { pollFor, type NudgeTmux } from './nudge-deliver.ts';
import { showsBusy, showsReadyPrompt } from './pane-text.ts';
import type { AgentPreset } from './preset.ts';

export type DialogKind = 'trust' | 'bypass-permissions' | 'onboarding' | 'login' | 'unknown-choice';

export interface Dialog {
  kind: DialogKind;
  /** The keys that move the selection one step toward the accepting answer, or confirm it; empty: nobody may answer. */
  keys: string[];
  /** The dialog's text, trimmed, for reports. */
  excerpt: string;
  /** The line that gave it away (e.g. "Login to continue"), for a one-line reason. */
  line: string;
}

/** A dialog we know: recognised by any of `match`, answered by selecting the option matching `accept`. */
export interface DialogSpec {
  kind: Exclude<DialogKind, 'unknown-choice'>;
  match: readonly RegExp[];
  /** The option to choose; none: Gas Town must not answer it (a person, or the test setup, must). */
  accept?: RegExp;
}

/** Claude Code's start-up dialogs as its 2.1 releases word them (older wordings kept where known). */
const CLAUDE_DIALOGS: readonly DialogSpec[] = [
  {
    kind: 'trust',
    match: [
      /Do you trust the files in this folder\?/,
      /Is this a project you created or one you trust\?/,
      /Accessing workspace:/,
    ],
    accept: /Yes, (I trust this folder|proceed)/,
  },
  { kind: 'bypass-permissions', match: [/Bypass Permissions mode/], accept: /Yes, I accept/ },
  // First-run onboarding (theme): a config dir that never finished onboarding; not Gas Town's to answer.
  { kind: 'onboarding', match: [/Choose the text style that looks best with your terminal/] },
];

/**
 * Login screens, whatever the runtime (a custom agent may wrap any of them): the runtime waits for a person to log
 * in, so the agent is stuck, not working. Anchored to whole lines so an agent's own output (a login page it is
 * writing) does not match.
 */
export const LOGIN_SCREENS: readonly RegExp[] = [
  /^\s*(?:→\s*)?Login to continue\s*$/m, // Auggie
  /^\s*(?:[›>❯]\s*)?1\.\s*Sign in with ChatGPT\b/m, // Codex
  /^\s*Select login method:?\s*$/m, // Claude Code's first run
  /^.*\bNot logged in\s*·\s*(?:Please )?run \/login\b/im, // Claude Code started without credentials
  /^.*\b(?:Invalid|Missing) API key\s*·\s*(?:Please )?run \/login\b/im, // Claude Code with a bad key
  /^\s*(?:│\s*)?(?:Get started|How would you like to authenticate for this project\?)\s*(?:│\s*)?$/m, // Gemini CLI's auth dialog
  /^\s*(?:│\s*)?Waiting for auth\.\.\./m, // Gemini CLI after choosing Google login
  /^\s*Would you like to log in to Amp\? \[\(y\)es, \(n\)o\]:?\s*$/m, // Amp without AMP_API_KEY or a stored key
];

/**
 * Codex CLI's (0.169) folder-trust dialog, shown in a new folder even with --dangerously-bypass-approvals-and-sandbox.
 * It comes up after a placeholder composer (`› Ask Codex…`), which is why the ready prompt is the session footer.
 */
const CODEX_DIALOGS: readonly DialogSpec[] = [
  { kind: 'trust', match: [/Trust this folder\?/], accept: /\d\. Trust and continue/ },
];

/**
 * Gemini CLI's (0.61) folder-trust dialog: the preset sets GEMINI_CLI_TRUST_WORKSPACE, so it shows only for a custom
 * Gemini agent without it; trusting the folder itself (not its parent) is the answer.
 */
const GEMINI_DIALOGS: readonly DialogSpec[] = [
  { kind: 'trust', match: [/Do you trust the files in this folder\?/], accept: /\d\. Trust folder \(/ },
];

/**
 * Auggie's (0.36) first-run screens, shown once a session is authenticated (its login screen is in LOGIN_SCREENS):
 * onboarding, for a person to read once, not Gas Town's to answer.
 */
const AUGGIE_DIALOGS: readonly DialogSpec[] = [
  { kind: 'onboarding', match: [/Welcome to Augment Code! A bit of housekeeping/, /Tips for using Auggie\b/] },
];

/**
 * Amp's (0.0.1790142911) first-run tour: six centred pages ("Welcome to Amp", "Battle-Tested Agent Modes", …) with
 * "Space to continue" under each, the last one "Enter to get started"; once through, Amp records it in
 * ~/.local/share/amp/session.json (`neoWelcomeDismissed`). Onboarding, for a person, not Gas Town's to answer.
 */
const AMP_DIALOGS: readonly DialogSpec[] = [
  { kind: 'onboarding', match: [/^\s*Space to continue\s*$/m, /^\s*Enter to get started\s*$/m] },
];

export const DIALOGS: Readonly<Record<string, readonly DialogSpec[]>> = {
  claude: CLAUDE_DIALOGS,
  codex: CODEX_DIALOGS,
  gemini: GEMINI_DIALOGS,
  auggie: AUGGIE_DIALOGS,
  amp: AMP_DIALOGS,
};

/** A selection list's footer: whatever the dialog, it waits for a choice. */
const CHOICE_FOOTER = /Enter to confirm|Esc to cancel|↑\/↓ to (navigate|select)|Press Enter to continue/;
const SELECTED = /^\s*[❯›>]\s+\S/;
/** Gemini CLI marks the selected option with ● inside the dialog's box (only read for a dialog we know). */
const BOXED_SELECTED = /^\s*│\s*●\s+\S/;

/** The dialog shown on screen, if any. `runtime` picks the known texts (default: Claude Code's). */
export function detectDialog(lines: readonly string[], runtime = 'claude'): Dialog | undefined {
  const text = lines.join('\n');
  const excerpt = dialogExcerpt(lines);
  for (const spec of [...(DIALOGS[runtime] ?? []), LOGIN_SPEC]) {
    const re = spec.match.find((r) => r.test(text));
    if (!re) continue;
    const keys = spec.accept ? keysToChoose(lines, spec.accept) : [];
    return { kind: spec.kind, keys: keys ?? [], excerpt, line: lineOf(lines, re) };
  }
  if (lines.some((l) => CHOICE_FOOTER.test(l)) && lines.some((l) => SELECTED.test(l))) {
    return { kind: 'unknown-choice', keys: [], excerpt, line: lineOf(lines, SELECTED) };
  }
  return undefined;
}

const LOGIN_SPEC: DialogSpec = { kind: 'login', match: LOGIN_SCREENS };

/** The first screen line matching `re`, trimmed of box borders. */
function lineOf(lines: readonly string[], re: RegExp): string {
  const one = new RegExp(re.source, re.flags.replace('m', ''));
  const hit = lines.find((l) => one.test(l)) ?? '';
  return hit.replace(/^[\s│┃|→›>❯]+|[\s│┃|]+$/g, '').slice(0, 200);
}

/** Why an agent on `dialog` cannot go on, in one line (for gt agents, the dashboard and start-up errors). */
export function dialogReason(dialog: Pick<Dialog, 'kind' | 'line'>): string {
  const what = dialog.line ? `: ${JSON.stringify(dialog.line)}` : '';
  switch (dialog.kind) {
    case 'login':
      return `waiting on its login screen${what}; log in to the runtime (attach to the session, or run it once by hand)`;
    case 'onboarding':
      return `waiting on its first-run set-up${what}; finish it once by hand`;
    default:
      return `waiting on a dialog it cannot answer by itself${what}`;
  }
}

/** Whether the agent sits on a dialog (known or not) instead of its prompt: for `gt agents` state detection. */
export function isStuckOnDialog(lines: readonly string[], runtime = 'claude'): boolean {
  return detectDialog(lines, runtime) !== undefined;
}

/**
 * The next key toward choosing the option matching `accept`: Up or Down when the selection (❯) is elsewhere, Enter
 * once it is on that option. Undefined when the option or the selection is not on screen.
 */
function keysToChoose(lines: readonly string[], accept: RegExp): string[] | undefined {
  const target = lines.findIndex((l) => accept.test(l));
  const selected = lines.findIndex((l) => (SELECTED.test(l) || BOXED_SELECTED.test(l)) && !/^\s*[❯›>]\s*$/.test(l));
  if (target < 0 || selected < 0) return undefined;
  if (target === selected) return ['Enter'];
  return [target > selected ? 'Down' : 'Up'];
}

/** The dialog's lines that hold words (no blank lines, rules or ASCII art), joined with newlines, at most 600 characters. */
export function dialogExcerpt(lines: readonly string[]): string {
  const kept = lines.map((l) => l.trimEnd()).filter((l) => /\p{L}{2}/u.test(l));
  return kept.join('\n').slice(0, 600);
}

export type StartupOutcome =
  /** `by`: its ready prompt showed, its ready delay passed (no prompt pattern), or its busy marker showed (at work). */
  | { ready: true; by: 'prompt' | 'delay' | 'busy'; dialogsPassed: DialogKind[]; elapsedMs: number }
  | { ready: false; reason: 'stuck-on-dialog'; kind: DialogKind; dialog: string; line: string; elapsedMs: number }
  | { ready: false; reason: 'timeout'; dialogsPassed: DialogKind[]; elapsedMs: number }
  /** `screen`: the pane's last words and `exitStatus` when the session kept its pane (remain-on-exit). */
  | {
      ready: false;
      reason: 'exited';
      dialogsPassed: DialogKind[];
      elapsedMs: number;
      screen?: string;
      exitStatus?: number | null;
    };

export interface StartupOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  pollMs?: number;
  /** A dialog nobody may answer, or one that stays after being answered, counts as stuck after this long (default 5 s). */
  stuckMs?: number;
  /** When the agent was started (default: now). */
  startedAt?: number;
  /** The agent was started with its task (a prompt on its command line): its busy marker means it is up. */
  busyMeansStarted?: boolean;
  /**
   * A dialog's screen must stay the same this long before a key is sent to it (default 400 ms). Claude Code 2.1
   * draws its trust dialog, then mounts it again about 150 ms later with the selection back on "No, exit": a key
   * sent in between is lost, and an Enter that lands after it declines the folder and ends Claude.
   */
  settleMs?: number;
}

/**
 * Get a freshly started agent past its start-up dialogs and to its ready prompt: each known dialog is answered one
 * key at a time (the screen is read again after every key), an unknown or unanswerable one is reported as stuck.
 */
export async function passStartupDialogs(
  tmux: Pick<NudgeTmux, 'hasSession' | 'snapshot' | 'sendKeys'>,
  session: string,
  preset: Pick<AgentPreset, 'name' | 'ready' | 'busy'>,
  opts: StartupOptions = {},
): Promise<StartupOutcome> {
  const started = opts.startedAt ?? Date.now();
  const stuckMs = opts.stuckMs ?? 5000;
  const settleMs = opts.settleMs ?? 400;
  const signals = { prompt: preset.ready.prompt, busy: preset.busy };
  const passed: DialogKind[] = [];
  let since: { key: string; at: number } | undefined;
  let outcome: StartupOutcome | undefined;
  const elapsed = () => Date.now() - started;

  const readyBy = (lines: readonly string[]): 'busy' | 'prompt' | 'delay' | undefined => {
    // Started with its task, its busy marker means it is up and at work: its prompt comes back only when the task
    // ends. (Otherwise busy is still starting: Gemini CLI shows it while its session-start hook runs.)
    if (opts.busyMeansStarted && showsBusy(lines, signals)) return 'busy';
    if (signals.prompt) return showsReadyPrompt(lines, signals) ? 'prompt' : undefined;
    return elapsed() >= preset.ready.delayMs ? 'delay' : undefined;
  };

  const step = async (): Promise<StartupOutcome | undefined> => {
    // One tmux call a poll: the screen; only when it cannot be read, whether the session is gone.
    let lines: readonly string[];
    try {
      const snap = await tmux.snapshot(session);
      // A pane kept after its program exited (remain-on-exit) still has a screen: it is not ready, it is gone.
      if (snap.dead)
        return {
          ready: false,
          reason: 'exited',
          dialogsPassed: passed,
          elapsedMs: elapsed(),
          screen: dialogExcerpt(snap.lines),
          exitStatus: snap.deadStatus ?? null,
        };
      lines = snap.lines;
    } catch (e) {
      if (!(await tmux.hasSession(session)))
        return { ready: false, reason: 'exited', dialogsPassed: passed, elapsedMs: elapsed() };
      throw e;
    }
    const dialog = detectDialog(lines, preset.name);
    if (!dialog) {
      since = undefined;
      const by = readyBy(lines);
      return by ? { ready: true, by, dialogsPassed: passed, elapsedMs: elapsed() } : undefined;
    }
    // The same dialog text for stuckMs (answered or not) means it is not going away.
    const key = `${dialog.kind}\n${dialog.excerpt}`;
    if (since?.key !== key) since = { key, at: Date.now() };
    else if (Date.now() - since.at >= stuckMs)
      return {
        ready: false,
        reason: 'stuck-on-dialog',
        kind: dialog.kind,
        dialog: dialog.excerpt,
        line: dialog.line,
        elapsedMs: elapsed(),
      };
    const next = dialog.keys[0];
    if (next === undefined || Date.now() - since.at < settleMs) return undefined;
    await tmux.sendKeys(session, next);
    if (next === 'Enter' && passed.at(-1) !== dialog.kind) passed.push(dialog.kind);
    // One key at a time: wait for the TUI to redraw before judging the screen again, so keys never pile up.
    const before = lines.join('\n');
    await pollFor(
      () => tmux.snapshot(session),
      (s) => s.lines.join('\n') !== before,
      1500,
      50,
    );
    return undefined;
  };

  // Most agents are up within a second: look often at first, then settle to the normal interval.
  const pollMs = opts.pollMs ?? 100;
  const early = Math.min(pollMs, 30);
  await pollFor(
    async () => (outcome = await step()),
    (v) => v !== undefined,
    opts.timeoutMs ?? 60_000,
    () => (elapsed() < 1500 ? early : pollMs),
  );
  return outcome ?? { ready: false, reason: 'timeout', dialogsPassed: passed, elapsedMs: elapsed() };
}
