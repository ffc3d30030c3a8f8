// Text from the store (titles, subjects, bodies, notes) made safe to print on a terminal: anyone who can write a bead
// or a mail could otherwise set the clipboard (OSC 52), retitle the window, hide text or move the cursor.

// C0 controls (but tab and line feed), DEL, C1 controls, and the bidirectional overrides and isolates that reorder
// what is shown. Matching control characters is the point.
/* eslint-disable no-control-regex */
const UNSAFE_BLOCK = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const UNSAFE_LINE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
/* eslint-enable no-control-regex */

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e' };

function visible(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const n = c.codePointAt(0)!;
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/**
 * Multi-line text (a body, notes) for a terminal: line breaks and tabs kept, every other control character (ESC of
 * any CSI/OSC sequence, carriage return, backspace, C1) and every bidi override shown as a visible escape such as
 * `\e` or `\u202e`, so the reader sees what was written and the terminal obeys none of it.
 */
export function safeText(text: string): string {
  return text.replace(UNSAFE_BLOCK, visible);
}

/** One-line text (a title, a subject): as `safeText`, and line breaks and tabs shown as `\n`, `\t` too. */
export function safeLine(text: string): string {
  return text.replace(UNSAFE_LINE, visible);
}
