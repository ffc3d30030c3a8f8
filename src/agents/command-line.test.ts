import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../tmux/index.ts';
import { parseCommandLine, splitCommandLine } from './command-line.ts';

describe('splitCommandLine', () => {
  it('splits on whitespace and honours quotes and backslashes', () => {
    expect(splitCommandLine('claude-glm --model glm-4')).toEqual(['claude-glm', '--model', 'glm-4']);
    expect(splitCommandLine(`  a   'b c'  "d \\"e\\" \\\\ f"  g\\ h ''  `)).toEqual([
      'a',
      'b c',
      'd "e" \\ f',
      'g h',
      '',
    ]);
    expect(splitCommandLine(`--settings '{"a": "$HOME"}'`)).toEqual(['--settings', '{"a": "$HOME"}']);
    expect(splitCommandLine(`it"'"s`)).toEqual([`it's`]);
    expect(splitCommandLine('semi\\;colon')).toEqual(['semi;colon']);
  });

  it('refuses what would need a shell, and unterminated quotes', () => {
    for (const bad of [
      'claude --model $MODEL',
      'a | b',
      'a; b',
      'a && b',
      'a > f',
      '"a $b"',
      'x `y`',
      "'open",
      '"open',
      'trailing\\',
    ]) {
      expect(() => splitCommandLine(bad), bad).toThrow(expect.objectContaining({ code: 'AGENT_BAD_COMMAND' }));
    }
  });

  it('reads back any argv written with shell quoting', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme-ascii' }), { minLength: 1, maxLength: 6 }), (argv) => {
        expect(splitCommandLine(argv.map(shellQuote).join(' '))).toEqual(argv);
      }),
    );
  });
});

describe('parseCommandLine', () => {
  it('separates leading NAME=value words as environment', () => {
    expect(parseCommandLine("ANTHROPIC_BASE_URL=http://127.0.0.1:9 A='x y' claude --x=1")).toEqual({
      env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', A: 'x y' },
      argv: ['claude', '--x=1'],
    });
  });

  it('refuses a line with no program', () => {
    expect(() => parseCommandLine('  ')).toThrow(expect.objectContaining({ code: 'AGENT_BAD_COMMAND' }));
    expect(() => parseCommandLine('A=1')).toThrow(expect.objectContaining({ code: 'AGENT_BAD_COMMAND' }));
  });
});
