// safeText/safeLine: no byte that a terminal acts on survives; ordinary text, line breaks (in blocks) and Unicode do.
import { describe, expect, it } from 'vitest';
import { safeLine, safeText } from './terminal-text.ts';

describe('terminal-safe text', () => {
  it('shows ESC of CSI and OSC sequences, carriage returns, C1 and bidi overrides as visible escapes', () => {
    const evil = 'a\x1b]52;c;ZXZpbA==\x07b\x1b[8mhidden\x1b[0m\rX\x9b2J\u202eevil';
    const out = safeText(evil);
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/u);
    expect(out).toBe('a\\e]52;c;ZXZpbA==\\x07b\\e[8mhidden\\e[0m\\rX\\x9b2J\\u202eevil');
  });

  it('keeps line breaks and tabs in blocks, shows them in lines, and leaves Unicode text alone', () => {
    expect(safeText('one\n\ttwo — ✓ 日本')).toBe('one\n\ttwo — ✓ 日本');
    expect(safeLine('one\n\ttwo — ✓')).toBe('one\\n\\ttwo — ✓');
  });
});
