// Command lines joined for display read back as the same words, and the preset names agree with src/agents.
import { describe, expect, it } from 'vitest';
import { BUILTIN_PRESETS, splitCommandLine } from '../agents/index.ts';
import { PRESET_NAMES } from './agents.ts';
import { joinCommandLine } from './words.ts';

describe('joinCommandLine', () => {
  it('quotes only what needs it, and splits back to the same words', () => {
    expect(joinCommandLine(['claude-glm', '--model', 'glm-4'])).toBe('claude-glm --model glm-4');
    for (const words of [['a'], ['claude', '--model', 'glm 4'], ["it's", '', '$HOME', 'a"b', 'x|y']]) {
      expect(splitCommandLine(joinCommandLine(words))).toEqual(words);
    }
  });
});

describe('PRESET_NAMES', () => {
  it('names exactly the built-in presets of src/agents', () => {
    expect([...PRESET_NAMES].sort()).toEqual(Object.keys(BUILTIN_PRESETS).sort());
  });
});
