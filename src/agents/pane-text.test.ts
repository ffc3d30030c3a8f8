import { describe, expect, it } from 'vitest';
import {
  inputAccepted,
  locateTail,
  messageTail,
  sanitizeMessage,
  showsBusy,
  showsReadyPrompt,
  tailAppeared,
  type Screen,
} from './pane-text.ts';

const screen = (lines: string[], cursorX = 0, cursorY = 0): Screen => ({ lines, cursorX, cursorY });

describe('sanitizeMessage', () => {
  it('turns line breaks and tabs into spaces and drops escapes and control characters', () => {
    expect(sanitizeMessage('a\nb\r\nc\rd\te')).toBe('a b c d e');
    expect(sanitizeMessage('\x1b[31mred\x1b[0m \x1b]0;title\x07bell\x07 nul\x00 del\x7f')).toBe('red bell nul del');
    expect(sanitizeMessage('  keep "quotes" $VARS; Enter C-c  ')).toBe('keep "quotes" $VARS; Enter C-c');
  });
});

describe('locating typed text', () => {
  it('takes the last non-space characters as the tail', () => {
    expect(messageTail('hello big world', 8)).toBe('bigworld');
    expect(messageTail('ab', 8)).toBe('ab');
  });

  it('finds the tail across wrapped rows and box borders', () => {
    const lines = ['╭──────────╮', '│ > please │', '│ fix the  │', '│ bug now  │', '╰──────────╯'];
    expect(locateTail(lines, messageTail('please fix the bug now', 10))).toEqual({ count: 1, row: 3 });
    expect(locateTail(lines, 'absent')).toBeUndefined();
  });

  it('sees new text only where it was not before typing', () => {
    const before = screen(['> hello', '> ']);
    expect(tailAppeared(before, screen(['> hello', '> ']), 'hello')).toBe(false);
    expect(tailAppeared(before, screen(['> hello', '> hello']), 'hello')).toBe(true);
    expect(tailAppeared(screen(['']), screen(['> hi there']), 'hithere')).toBe(true);
  });
});

describe('inputAccepted', () => {
  const typed = screen(['> earlier', '> the message'], 13, 1);
  it('is false while the typed line and cursor are unchanged', () => {
    expect(inputAccepted(typed, screen(['> earlier', '> the message'], 13, 1), 'themessage')).toBe(false);
  });
  it('is true when the cursor moves on (a line-based TUI)', () => {
    expect(inputAccepted(typed, screen(['> earlier', '> the message', '> '], 2, 2), 'themessage')).toBe(true);
  });
  it('is true when the input row changes (a full-screen TUI)', () => {
    expect(inputAccepted(typed, screen(['the message', '> '], 13, 1), 'themessage')).toBe(true);
  });
  it('is true when the text is gone', () => {
    expect(inputAccepted(typed, screen(['> earlier', '> '], 13, 1), 'themessage')).toBe(true);
  });
});

describe('ready and busy', () => {
  const claude = { prompt: '(^|│)\\s*❯(\\s|$)', busy: 'esc to interrupt' };
  it('sees the ready prompt near the bottom, unless a busy marker shows', () => {
    expect(showsReadyPrompt(['Welcome', '────', '❯ ', '────', '  ? for shortcuts', '', ''], claude)).toBe(true);
    expect(showsReadyPrompt(['│ ❯         │'], claude)).toBe(true);
    expect(showsReadyPrompt(['✻ Thinking… (esc to interrupt)', '❯ '], claude)).toBe(false);
    expect(showsBusy(['✻ Thinking… (Esc to interrupt)'], claude)).toBe(true);
    expect(showsReadyPrompt(['nothing here'], claude)).toBe(false);
    expect(showsReadyPrompt(['❯ '], {})).toBe(false);
  });
});
