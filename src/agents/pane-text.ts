// Pure reading of an agent's screen for the nudge protocol: message cleaning, finding the typed text, idleness.

/** Cursor and screen rows, as the tmux adapter's snapshot gives them. */
export interface Screen {
  lines: readonly string[];
  cursorX: number;
  cursorY: number;
}

// CSI/OSC/other escape sequences, then any remaining C0/C1 control character or DEL: matching them is the point.
/* eslint-disable no-control-regex */
const ESCAPES = /\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])/g;
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
/* eslint-enable no-control-regex */

/**
 * A nudge as one line of plain text: escape sequences and control characters removed, line breaks and tabs turned
 * into spaces (a line break typed into a TUI would submit the message in pieces), outer whitespace trimmed.
 */
export function sanitizeMessage(text: string): string {
  return text
    .replace(ESCAPES, '')
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/\t/g, ' ')
    .replace(CONTROLS, '')
    .trim();
}

// Whitespace and box-drawing characters: TUIs wrap input inside boxes, so both are ignored when matching.
const IGNORED = /[\s\u2500-\u257f]/gu;

export function squeeze(s: string): string {
  return s.replace(IGNORED, '');
}

/** The end of a message that must be visible on screen once typed: its last `n` non-space characters. */
export function messageTail(message: string, n = 24): string {
  const chars = [...squeeze(message)];
  return chars.slice(-n).join('');
}

export interface TailPosition {
  /** Occurrences of the tail on screen. */
  count: number;
  /** Screen row where the last occurrence ends. */
  row: number;
}

/** Where the tail last appears on screen, with wrapped rows joined; undefined when it does not. */
export function locateTail(lines: readonly string[], tail: string): TailPosition | undefined {
  if (tail === '') return undefined;
  let joined = '';
  const rowEnds: number[] = [];
  for (const line of lines) {
    joined += squeeze(line);
    rowEnds.push(joined.length);
  }
  let count = 0;
  let last = -1;
  for (let i = joined.indexOf(tail); i >= 0; i = joined.indexOf(tail, i + 1)) {
    count++;
    last = i;
  }
  if (last < 0) return undefined;
  const end = last + tail.length;
  const row = rowEnds.findIndex((e) => e >= end);
  return { count, row };
}

/** Whether the message's tail shows up in `now` in a place it was not before typing began. */
export function tailAppeared(before: Screen, now: Screen, tail: string): boolean {
  const a = locateTail(before.lines, tail);
  const b = locateTail(now.lines, tail);
  if (!b) return false;
  if (!a) return true;
  return b.count > a.count || b.row !== a.row;
}

/**
 * Whether the program took the typed line after Enter: the tail is gone, or the row it ended on changed, or the
 * cursor moved. A row and cursor that stay exactly as they were mean Enter has not been processed (yet).
 */
export function inputAccepted(typed: Screen, now: Screen, tail: string): boolean {
  const pos = locateTail(typed.lines, tail);
  if (!pos) return true;
  const after = locateTail(now.lines, tail);
  if (!after) return true;
  if ((typed.lines[pos.row] ?? '') !== (now.lines[pos.row] ?? '')) return true;
  return typed.cursorX !== now.cursorX || typed.cursorY !== now.cursorY;
}

/** Same screen rows and cursor. */
export function sameScreen(a: Screen, b: Screen): boolean {
  if (a.cursorX !== b.cursorX || a.cursorY !== b.cursorY || a.lines.length !== b.lines.length) return false;
  return a.lines.every((l, i) => l === b.lines[i]);
}

export interface ReadySignals {
  /** Regex source matching a screen row when the agent waits for input. */
  prompt?: string;
  /** Regex source (case-insensitive) matching a screen row while the agent is busy. */
  busy?: string;
  /** The prompt is a placeholder shown only while the input line is empty (Gemini CLI's composer). */
  promptMeansEmpty?: boolean;
}

/** Looks at the bottom of the screen, where TUIs keep their input line and status. */
const BOTTOM_ROWS = 12;

export function bottomRows(lines: readonly string[], n = BOTTOM_ROWS): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end--;
  return lines.slice(Math.max(0, end - n), end);
}

/** A busy marker on screen; false when the preset names none. */
export function showsBusy(lines: readonly string[], signals: ReadySignals): boolean {
  if (!signals.busy) return false;
  const re = new RegExp(signals.busy, 'iu');
  return bottomRows(lines).some((l) => re.test(l));
}

/** The ready prompt on screen and no busy marker. */
export function showsReadyPrompt(lines: readonly string[], signals: ReadySignals): boolean {
  if (!signals.prompt || showsBusy(lines, signals)) return false;
  const re = new RegExp(signals.prompt, 'u');
  return bottomRows(lines).some((l) => re.test(l));
}
