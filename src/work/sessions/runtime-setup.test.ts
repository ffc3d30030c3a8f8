// Per-role runtime set-up: which Claude settings each role gets, and which runtimes prime themselves.
import { describe, expect, it } from 'vitest';
import { builtinPreset } from '../../agents/index.ts';
import { claudeSettings } from '../../agents/claude-settings.ts';
import { claudeSettingsFor, primesItself } from './runtime-setup.ts';

describe('claudeSettingsFor', () => {
  it("denies a polecat the tools no person would answer; the Mayor's, crew's, refinery's and witness's settings deny nothing", () => {
    expect(claudeSettings(claudeSettingsFor({ role: 'polecat' })).permissions?.deny).toEqual(
      expect.arrayContaining(['AskUserQuestion', 'EnterPlanMode', 'ExitPlanMode', 'Agent(claude-code-guide)']),
    );
    for (const role of ['mayor', 'crew', 'refinery', 'witness'] as const) {
      expect(claudeSettings(claudeSettingsFor({ role }))).not.toHaveProperty('permissions');
    }
  });

  it("hooks every role's settings to this installation's gt", () => {
    const s = claudeSettings(claudeSettingsFor({ role: 'mayor' }));
    expect(s.hooks.SessionStart[0]!.hooks[0]!.command).toMatch(/bin\/gt\.js'? prime --hook$/);
  });
});

describe('primesItself', () => {
  it('is true for a runtime Gas Town gives a session-start hook through a settings flag, false otherwise', () => {
    expect(primesItself(builtinPreset('claude')!)).toBe(true);
    expect(primesItself(builtinPreset('codex')!)).toBe(false);
    expect(primesItself({ hooks: { kind: 'claude-settings' } })).toBe(false);
  });
});
