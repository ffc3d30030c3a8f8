// Settings: schema errors as one line naming file and key, agent references, and which agent a role runs.
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config-file.ts';
import { agentForRole } from './agents.ts';
import { RigConfigSchema, TownSettingsSchema, type RigConfig } from './schema.ts';
import {
  checkSettingsRefs,
  defaultSettings,
  withAgent,
  withDefaultAgent,
  withoutAgent,
  withRoleAgent,
} from './settings.ts';

const F = '/t/settings/config.json';
const parse = (text: string): unknown => parseConfig(F, text, TownSettingsSchema);

describe('town settings', () => {
  it('fills defaults for a sparse file', () => {
    expect(parse('{}')).toEqual(defaultSettings());
    expect(defaultSettings()).toMatchObject({
      version: 1,
      default_agent: 'claude',
      caps: { polecats_per_rig: 4, polecats_per_town: 12 },
    });
  });

  it('names the file, the key and what was expected', () => {
    expect(() => parse('{"caps": {"polecats_per_rig": 0}}')).toThrow(
      `${F}: key "caps.polecats_per_rig": Too small: expected number to be >=1`,
    );
    expect(() => parse('{"agents": {"x": {"args": []}}}')).toThrow(
      /key "agents\.x\.command": expected string, received undefined/,
    );
    expect(() => parse('{"daemon": {"tick": 5}}')).toThrow(`${F}: unknown key "daemon.tick"`);
    expect(() => parse('{"version": 2}')).toThrow(/key "version": expected 1/);
    expect(() => parse('[1,')).toThrow(/not valid JSON/);
    expect(() => parse('{"version": 2, "x": 1}')).toThrow(/and 1 more problem\b/);
  });

  it('checks that every agent it names exists', () => {
    const s = TownSettingsSchema.parse({ default_agent: 'mine', role_agents: { polecat: 'codex' } });
    expect(() => checkSettingsRefs(F, s)).toThrow(
      /key "default_agent": unknown agent "mine" \(expected one of: amp, auggie, claude/,
    );
    expect(() => checkSettingsRefs(F, withAgent(s, 'mine', { command: 'mine', args: [] }))).not.toThrow();
  });

  it('edits are pure and refuse what would leave the settings inconsistent', () => {
    const base = defaultSettings();
    const s = withRoleAgent(
      withDefaultAgent(withAgent(base, 'glm', { command: 'claude-glm', args: [] }), 'glm'),
      'polecat',
      'codex',
    );
    expect(base.agents).toEqual({});
    expect(s).toMatchObject({ default_agent: 'glm', role_agents: { polecat: 'codex' } });
    expect(() => withoutAgent(s, [], 'glm')).toThrow(/still used by default_agent/);
    expect(() => withDefaultAgent(s, 'nope')).toThrow(/unknown agent "nope"/);
    expect(() => withoutAgent(s, [], 'codex')).toThrow(/built-in preset with no custom definition/);
    expect(withRoleAgent(s, 'polecat', undefined).role_agents).toEqual({});
  });
});

describe('agentForRole', () => {
  const rig = (extra: Partial<RigConfig>): RigConfig =>
    RigConfigSchema.parse({
      name: 'web',
      git_url: '/x',
      default_branch: 'main',
      prefix: 'web',
      created: '2026-01-01T00:00:00.000Z',
      ...extra,
    });

  it('prefers the rig role agent, then the rig default, then the town role agent, then the town default', () => {
    const s = TownSettingsSchema.parse({ default_agent: 'claude', role_agents: { polecat: 'codex' } });
    expect(agentForRole(s, 'mayor')).toBe('claude');
    expect(agentForRole(s, 'polecat', rig({}))).toBe('codex');
    expect(agentForRole(s, 'polecat', rig({ default_agent: 'gemini' }))).toBe('gemini');
    expect(agentForRole(s, 'polecat', rig({ default_agent: 'gemini', role_agents: { polecat: 'amp' } }))).toBe('amp');
    expect(agentForRole(s, 'crew', rig({}))).toBe('claude');
  });
});
