import { describe, expect, it } from 'vitest';
import { buildCommand, buildOneShotCommand } from './build-command.ts';
import { BUILTIN_PRESETS } from './presets.ts';

const { claude, codex, gemini, auggie, amp, opencode, sim } = BUILTIN_PRESETS as Record<
  string,
  NonNullable<(typeof BUILTIN_PRESETS)[string]>
>;

describe('buildCommand', () => {
  it('starts Claude in autonomous mode with its settings file, role env and the beacon as the last argument', () => {
    const cmd = buildCommand(claude!, {
      prompt: '[GAS TOWN] polecat toast (rig: gastown) <- witness',
      settingsPath: '/town/gastown/polecats/.claude/settings.json',
      configDir: '/home/u/.claude-work',
      env: { GT_ROLE: 'polecat', BD_ACTOR: 'gastown/toast' },
    });
    expect(cmd.argv).toEqual([
      'claude',
      '--dangerously-skip-permissions',
      '--settings',
      '/town/gastown/polecats/.claude/settings.json',
      '[GAS TOWN] polecat toast (rig: gastown) <- witness',
    ]);
    expect(cmd.env).toEqual({
      CLAUDE_CONFIG_DIR: '/home/u/.claude-work',
      GT_AGENT: 'claude',
      GT_PROCESS_NAMES: 'claude,node',
      GT_ROLE: 'polecat',
      BD_ACTOR: 'gastown/toast',
    });
    expect(cmd.unsetEnv).toEqual(['NODE_OPTIONS', 'CLAUDECODE', 'CI', 'CONTINUOUS_INTEGRATION']);
    expect(cmd.promptToType).toBeUndefined();
  });

  it('resumes with a flag or a subcommand, as the runtime wants', () => {
    expect(buildCommand(claude!, { resumeId: 'abc' }).argv).toEqual([
      'claude',
      '--dangerously-skip-permissions',
      '--resume',
      'abc',
    ]);
    expect(buildCommand(codex!, { resumeId: 'abc', prompt: 'go on' })).toMatchObject({
      argv: ['codex', 'resume', '--dangerously-bypass-approvals-and-sandbox', '--no-daemon', 'abc'],
      promptToType: 'go on',
    });
    expect(buildCommand(codex!, { continueLast: true }).argv).toEqual([
      'codex',
      'resume',
      '--dangerously-bypass-approvals-and-sandbox',
      '--no-daemon',
      '--last',
    ]);
    expect(buildCommand(gemini!, { continueLast: true }).argv).toEqual([
      'gemini',
      '--approval-mode',
      'yolo',
      '--resume',
      'latest',
    ]);
    expect(buildCommand(amp!, { resumeId: 'T-1' }).argv).toEqual([
      'amp',
      'threads',
      'continue',
      '--dangerously-allow-all',
      '--no-ide',
      'T-1',
    ]);
    expect(() => buildCommand(BUILTIN_PRESETS.copilot!, { resumeId: 'x' })).toThrow(
      expect.objectContaining({ code: 'AGENT_UNSUPPORTED' }),
    );
  });

  it('returns the prompt to type in for runtimes that take no prompt argument', () => {
    const cmd = buildCommand(amp!, { prompt: 'hello' });
    expect(cmd.argv).toEqual(['amp', '--dangerously-allow-all', '--no-ide']);
    expect(cmd.promptToType).toBe('hello');
    expect(buildCommand(opencode!, {}).env.OPENCODE_PERMISSION).toBe('{"*":"allow"}');
  });

  it('ends options before a prompt that starts with a dash', () => {
    expect(buildCommand(claude!, { prompt: '--help me' }).argv.slice(-2)).toEqual(['--', '--help me']);
  });

  it('passes a config directory as a flag when the runtime has no variable for it', () => {
    expect(buildCommand(auggie!, { configDir: '/c' }).argv).toEqual([
      'auggie',
      '--allow-indexing',
      '--augment-cache-dir',
      '/c',
    ]);
  });

  it('fills in the sim agent placeholders, and says when one is missing', () => {
    expect(buildCommand(sim!, { nodePath: '/usr/bin/node', packageRoot: '/opt/gt', prompt: 'go' }).argv).toEqual([
      '/usr/bin/node',
      '/opt/gt/testing/sim-agent.js',
      'go',
    ]);
    expect(() => buildCommand(sim!, {})).toThrow(expect.objectContaining({ code: 'AGENT_BAD_PRESET' }));
  });

  it('lets the role env override the preset and keeps variables the caller sets', () => {
    const cmd = buildCommand(claude!, { env: { NODE_OPTIONS: '--max-old-space-size=4096', GT_AGENT: 'claude-glm' } });
    expect(cmd.env.GT_AGENT).toBe('claude-glm');
    expect(cmd.unsetEnv).toEqual(['CLAUDECODE', 'CI', 'CONTINUOUS_INTEGRATION']);
  });
});

describe('buildOneShotCommand', () => {
  it('builds the non-interactive JSON run', () => {
    expect(buildOneShotCommand(claude!, 'sum it up').argv).toEqual([
      'claude',
      '--dangerously-skip-permissions',
      '--print',
      '--output-format',
      'json',
      'sum it up',
    ]);
    expect(buildOneShotCommand(codex!, 'fix').argv).toEqual([
      'codex',
      'exec',
      '--dangerously-bypass-approvals-and-sandbox',
      '--json',
      'fix',
    ]);
    expect(buildOneShotCommand(amp!, 'fix').argv).toEqual([
      'amp',
      '--dangerously-allow-all',
      '--no-ide',
      '--execute',
      'fix',
      '--stream-json',
    ]);
    expect(() => buildOneShotCommand(BUILTIN_PRESETS.copilot!, 'x')).toThrow(
      expect.objectContaining({ code: 'AGENT_UNSUPPORTED' }),
    );
  });

  it("passes the first prompt with the preset's prompt flag when its positional argument means something else (OpenCode)", () => {
    const oc = opencode!;
    expect(buildCommand(oc, { prompt: '-Run gt prime {id}' }).argv).toEqual([
      'opencode',
      '--prompt=-Run gt prime {id}',
    ]);
    expect(buildCommand(oc, { prompt: 'carry on', resumeId: 'ses_1' }).argv).toEqual([
      'opencode',
      '--session',
      'ses_1',
      '--prompt=carry on',
    ]);
    expect(buildCommand(oc, {}).argv).toEqual(['opencode']);
  });
});
