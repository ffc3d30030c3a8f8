import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeSettings, HEADLESS_DENIED_TOOLS, writeClaudeSettings } from './claude-settings.ts';

const command = (s: ReturnType<typeof claudeSettings>, event: keyof ReturnType<typeof claudeSettings>['hooks']) =>
  s.hooks[event][0]!.hooks[0]!.command;

describe('claudeSettings', () => {
  it('hooks SessionStart and PreCompact to gt prime, UserPromptSubmit to gt mail check, and skips the bypass warning', () => {
    const s = claudeSettings({ gtCommand: ['/usr/bin/node', '/opt/gt/bin/gt.js'] });
    expect(command(s, 'SessionStart')).toBe('/usr/bin/node /opt/gt/bin/gt.js prime --hook');
    expect(command(s, 'PreCompact')).toBe('/usr/bin/node /opt/gt/bin/gt.js prime --hook');
    expect(command(s, 'UserPromptSubmit')).toBe('/usr/bin/node /opt/gt/bin/gt.js mail check --inject');
    expect(command(s, 'Stop')).toBe('/usr/bin/node /opt/gt/bin/gt.js costs record');
    expect(s.skipDangerousModePermissionPrompt).toBe(true);
  });

  it('denies a headless worker the tools that wait on a person, and leaves an interactive agent every tool', () => {
    const headless = claudeSettings({ gtCommand: 'gt', headless: true });
    expect(headless.permissions?.deny).toEqual([
      'AskUserQuestion',
      'EnterPlanMode',
      'ExitPlanMode',
      'Agent(claude-code-guide)',
    ]);
    expect(headless.permissions?.deny).toEqual([...HEADLESS_DENIED_TOOLS]);
    expect(command(headless, 'SessionStart')).toBe('gt prime --hook');
    expect(claudeSettings({ gtCommand: 'gt' })).not.toHaveProperty('permissions');
    expect(claudeSettings({ gtCommand: 'gt', headless: false })).not.toHaveProperty('permissions');
  });

  it('quotes an argv with spaces and quotes for the shell; takes a command line as is', () => {
    const s = claudeSettings({ gtCommand: ['/usr/bin/node', "/home/me/my tools/it's/gt.js"] });
    expect(command(s, 'SessionStart')).toBe(`/usr/bin/node '/home/me/my tools/it'\\''s/gt.js' prime --hook`);
    expect(command(claudeSettings({ gtCommand: 'gt' }), 'UserPromptSubmit')).toBe('gt mail check --inject');
  });

  it('writes <dir>/.gt/claude-settings.json and returns its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gt settings '));
    try {
      const path = writeClaudeSettings(dir, { gtCommand: ['gt'] });
      expect(path).toBe(join(dir, '.gt', 'claude-settings.json'));
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(claudeSettings({ gtCommand: ['gt'] }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
