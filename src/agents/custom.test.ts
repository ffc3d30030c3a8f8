import { describe, expect, it } from 'vitest';
import { buildCommand } from './build-command.ts';
import { customPreset, definedPreset, inferBasePreset, resolvePreset } from './custom.ts';

describe('customPreset', () => {
  it('runs the configured line as written and takes the rest from the preset its program is named after', () => {
    const p = customPreset('claude-glm', 'claude-glm --model glm-4');
    expect(p).toMatchObject({
      name: 'claude-glm',
      command: 'claude-glm',
      args: ['--model', 'glm-4'],
      promptMode: 'arg',
      processNames: ['claude-glm', 'claude', 'node'],
      hooks: { kind: 'claude-settings', settingsFlag: '--settings' },
      configDir: { env: 'CLAUDE_CONFIG_DIR' },
    });
    expect(p.ready.prompt).toBeDefined();
    expect(p.npmPackage).toBeUndefined();
    expect(buildCommand(p, { prompt: 'hi' }).argv).toEqual(['claude-glm', '--model', 'glm-4', 'hi']);
  });

  it('keeps leading environment words and quoted arguments', () => {
    const p = customPreset(
      'groq',
      `ANTHROPIC_BASE_URL=https://example.invalid ANTHROPIC_MODEL='compound beta' claude --dangerously-skip-permissions`,
    );
    expect(p.env).toEqual({ ANTHROPIC_BASE_URL: 'https://example.invalid', ANTHROPIC_MODEL: 'compound beta' });
    expect(p.args).toEqual(['--dangerously-skip-permissions']);
    expect(p.description).toContain('based on claude');
  });

  it('treats an unknown program as a plain TUI: prompt typed in, no hooks', () => {
    const p = customPreset('aider', '/usr/local/bin/aider --yes-always');
    expect(p).toMatchObject({
      command: '/usr/local/bin/aider',
      args: ['--yes-always'],
      promptMode: 'type',
      processNames: ['aider'],
      hooks: { kind: 'none' },
    });
    expect(p.resume).toBeUndefined();
  });

  it('takes an explicit base preset, and refuses an unknown one', () => {
    expect(customPreset('x', 'my-wrapper --fast', { basedOn: 'codex' }).resume).toEqual({
      subcommand: ['resume'],
      args: ['{id}'],
    });
    expect(() => customPreset('x', 'w', { basedOn: 'nope' })).toThrow(
      expect.objectContaining({ code: 'AGENT_UNKNOWN' }),
    );
  });

  it('infers presets from program names', () => {
    expect(inferBasePreset('cursor-agent')?.name).toBe('cursor');
    expect(inferBasePreset('/opt/bin/codex')?.name).toBe('codex');
    expect(inferBasePreset('gemini_nightly')?.name).toBe('gemini');
    expect(inferBasePreset('vim')).toBeUndefined();
  });
});

describe('definedPreset and resolvePreset', () => {
  it('builds a preset from a configuration entry', () => {
    const p = definedPreset('codex-low', {
      command: 'codex',
      args: ['-c', 'model_reasoning_effort=low'],
      preset: 'codex',
    });
    expect(p).toMatchObject({
      name: 'codex-low',
      command: 'codex',
      args: ['-c', 'model_reasoning_effort=low'],
      processNames: ['codex'],
    });
  });

  it('prefers a definition over the built-in of the same name, and refuses unknown names', () => {
    expect(resolvePreset('claude', { claude: { command: 'claude', args: ['--model', 'opus'] } }).args).toEqual([
      '--model',
      'opus',
    ]);
    expect(resolvePreset('claude').args).toEqual(['--dangerously-skip-permissions']);
    expect(() => resolvePreset('ghost')).toThrow(expect.objectContaining({ code: 'AGENT_UNKNOWN' }));
  });
});
