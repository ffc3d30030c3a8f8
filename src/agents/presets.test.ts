import { describe, expect, it } from 'vitest';
import { BUILTIN_PRESETS, builtinPreset, DEFAULT_AGENT } from './presets.ts';

const all = Object.entries(BUILTIN_PRESETS);

describe('built-in presets', () => {
  it('include every runtime the product supports, keyed by their own names', () => {
    expect(Object.keys(BUILTIN_PRESETS).sort()).toEqual([
      'amp',
      'auggie',
      'claude',
      'codex',
      'copilot',
      'cursor',
      'gemini',
      'opencode',
      'sim',
    ]);
    for (const [key, p] of all) expect(p.name).toBe(key);
    expect(builtinPreset(DEFAULT_AGENT)?.name).toBe('claude');
    expect(builtinPreset('toString')).toBeUndefined();
  });

  it.each(all)('%s is complete and its patterns compile', (_, p) => {
    expect(p.command).not.toBe('');
    expect(p.processNames.length).toBeGreaterThan(0);
    expect(p.ready.delayMs).toBeGreaterThan(0);
    if (p.ready.prompt) expect(() => new RegExp(p.ready.prompt!, 'u')).not.toThrow();
    if (p.busy) expect(() => new RegExp(p.busy!, 'iu')).not.toThrow();
    if (p.resume) expect(p.resume.args).toContain('{id}');
    if (p.nonInteractive) expect(p.nonInteractive.args).toContain('{prompt}');
    if (p.hooks.kind !== 'none') expect(p.hooks.settingsFlag ?? p.hooks.file ?? p.hooks.env).toBeDefined();
  });
});
