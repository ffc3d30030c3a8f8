// Per-role runtime set-up: which Claude settings each role gets, and which runtimes prime themselves.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinPreset } from '../../agents/index.ts';
import { claudeSettings } from '../../agents/claude-settings.ts';
import type { TownContext } from '../../town/index.ts';
import type { AgentIdentity } from './identity.ts';
import { claudeSettingsFor, prepareRuntime, primesItself } from './runtime-setup.ts';

describe('claudeSettingsFor', () => {
  it("denies a polecat the tools no person would answer; the Mayor's, crew's, refinery's and witness's settings deny nothing", () => {
    expect(claudeSettings(claudeSettingsFor({ role: 'polecat' })).permissions?.deny).toEqual(
      expect.arrayContaining(['AskUserQuestion', 'EnterPlanMode', 'ExitPlanMode', 'Agent(claude-code-guide)']),
    );
    for (const role of ['mayor', 'crew', 'refinery', 'witness'] as const) {
      expect(claudeSettings(claudeSettingsFor({ role }))).not.toHaveProperty('permissions');
    }
  });

  it("denies a polecat merging a PR and pushing to its rig's default branch (main unless the rig says otherwise)", () => {
    const deny = claudeSettings(claudeSettingsFor({ role: 'polecat' })).permissions!.deny;
    expect(deny).toEqual(
      expect.arrayContaining([
        'Bash(gh pr merge *)',
        'Bash(gh api *pulls/*/merge*)',
        'Bash(git push * main)',
        'Bash(git push *:main)',
        'Bash(git push *:refs/heads/main)',
      ]),
    );
  });

  it("hooks every role's settings to this installation's gt", () => {
    const s = claudeSettings(claudeSettingsFor({ role: 'mayor' }));
    expect(s.hooks.SessionStart[0]!.hooks[0]!.command).toMatch(/bin\/gt\.js'? prime --hook$/);
  });
});

describe('primesItself', () => {
  it("is true for a runtime Gas Town gives a session-start hook (Claude's settings flag, Gemini's workspace settings), false otherwise", () => {
    expect(primesItself(builtinPreset('claude')!)).toBe(true);
    expect(primesItself(builtinPreset('codex')!)).toBe(false);
    expect(primesItself({ hooks: { kind: 'claude-settings' } })).toBe(false);
    expect(primesItself(builtinPreset('gemini')!)).toBe(true);
  });
});

describe('prepareRuntime for Gemini CLI (workspace hooks)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const repo = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'gt gemini hooks '));
    dirs.push(d);
    const g = (...a: string[]) => execFileSync('git', ['-C', d, ...a], { encoding: 'utf8' });
    g('init', '-q');
    g('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'init');
    return d;
  };
  const status = (d: string): string =>
    execFileSync('git', ['-C', d, 'status', '--porcelain', '--untracked-files=all'], { encoding: 'utf8' });
  const setUp = (workdir: string) =>
    prepareRuntime({} as TownContext, { workdir } as AgentIdentity, builtinPreset('gemini')!);
  const file = (d: string) => join(d, '.gemini', 'settings.json');

  it('writes the hooks into .gemini/settings.json of the worktree and keeps the file out of git', () => {
    const d = repo();
    expect(setUp(d)).toEqual({ primesItself: true });
    const s = JSON.parse(readFileSync(file(d), 'utf8')) as {
      hooks: Record<string, { hooks: { command: string }[] }[]>;
    };
    expect(s.hooks.SessionStart![0]!.hooks[0]!.command).toMatch(/bin\/gt\.js'? prime --hook gemini$/);
    expect(status(d)).toBe('');
    expect(setUp(d)).toEqual({ primesItself: true }); // its own file is rewritten, the exclude line not repeated
    expect(readFileSync(join(d, '.git', 'info', 'exclude'), 'utf8').match(/\.gemini\/settings\.json/g)).toHaveLength(1);
  });

  it('leaves a settings file the repository tracks, or one a person wrote, alone: the agent is prompted to prime instead', () => {
    const tracked = repo();
    mkdirSync(join(tracked, '.gemini'));
    writeFileSync(file(tracked), '{"model":{"name":"x"}}\n');
    execFileSync('git', ['-C', tracked, 'add', '.gemini/settings.json']);
    expect(setUp(tracked)).toEqual({ primesItself: false });
    expect(readFileSync(file(tracked), 'utf8')).toBe('{"model":{"name":"x"}}\n');
    const own = repo();
    mkdirSync(join(own, '.gemini'));
    writeFileSync(file(own), '{"ui":{}}\n');
    expect(setUp(own)).toEqual({ primesItself: false });
    expect(readFileSync(file(own), 'utf8')).toBe('{"ui":{}}\n');
  });
});
