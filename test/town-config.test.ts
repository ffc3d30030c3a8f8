// gt config: agents (presets and custom commands), the default and role agents, per-rig overrides, bad files.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

interface Shown {
  path: string;
  settings: {
    default_agent: string;
    agents: Record<string, { command: string; args: string[]; env?: Record<string, string> }>;
    role_agents: Record<string, string>;
    caps: Record<string, number>;
  };
  presets: string[];
  rigs: Record<string, unknown>;
}
interface Row {
  name: string;
  kind: string;
  command?: string;
  default: boolean;
  used_by: string[];
}

describe('gt config', () => {
  let town = '';
  let cleanup = (): void => {};
  const settingsPath = (): string => join(town, 'settings', 'config.json');

  beforeAll(() => {
    const t = tempDir('gt config');
    cleanup = t.cleanup;
    town = join(t.dir, 'town');
    gtJson(t.dir, ['install', town]);
    sourceRepo(join(t.dir, 'web src'), 'main', { 'x.txt': 'x\n' });
    gtJson(town, ['rig', 'add', 'web', join(t.dir, 'web src')]);
  });
  afterAll(() => cleanup());

  it('shows the defaults and lists the built-in presets as agents', () => {
    const s = gtJson<Shown>(town, ['config', 'show']);
    expect(s.path).toBe(settingsPath());
    expect(s.settings).toMatchObject({
      default_agent: 'claude',
      agents: {},
      role_agents: {},
      caps: { polecats_per_rig: 4 },
    });
    expect(s.presets).toEqual(['claude', 'codex', 'gemini', 'cursor', 'auggie', 'amp', 'opencode', 'copilot', 'sim']);
    const rows = gtJson<Row[]>(town, ['config', 'agent', 'list']);
    expect(rows.map((r) => r.name)).toEqual([...s.presets].sort());
    expect(rows.find((r) => r.default)?.name).toBe('claude');
    const text = gt(town, ['config', 'show']);
    expect(text.stdout).toMatch(/default agent: claude/);
  });

  it('defines agents from a quoted command line, uses them as default and role agents, and removes them', () => {
    gtJson(town, ['config', 'agent', 'set', 'claude-glm', 'GLM_MODE=fast claude-glm --model "glm 4"']);
    gtJson(town, ['config', 'agent', 'set', 'codex-low', 'codex', '--thinking', 'low', '--env', 'CODEX_TIER=low']);
    const def = JSON.parse(readFileSync(settingsPath(), 'utf8')) as Shown['settings'];
    expect(def.agents['claude-glm']).toEqual({
      command: 'claude-glm',
      args: ['--model', 'glm 4'],
      env: { GLM_MODE: 'fast' },
    });
    expect(def.agents['codex-low']).toEqual({
      command: 'codex',
      args: ['--thinking', 'low'],
      env: { CODEX_TIER: 'low' },
    });
    expect(gtJson<Row>(town, ['config', 'agent', 'get', 'claude-glm'])).toMatchObject({
      kind: 'custom',
      command: "claude-glm --model 'glm 4'",
    });

    expect(gtJson(town, ['config', 'default-agent', 'claude-glm'])).toEqual({ default_agent: 'claude-glm' });
    expect(gtJson(town, ['config', 'role-agent', 'polecat', 'codex-low'])).toMatchObject({
      role: 'polecat',
      agent: 'codex-low',
    });
    gtJson(town, ['config', 'role-agent', 'crew', 'gemini', '--rig', 'web']);
    const show = gtJson<{ agents: Record<string, string> }>(town, ['rig', 'show', 'web']);
    expect(show.agents).toEqual({ polecat: 'codex-low', crew: 'gemini' });
    expect(JSON.parse(readFileSync(join(town, 'web', 'rig.json'), 'utf8'))).toMatchObject({
      role_agents: { crew: 'gemini' },
    });

    expectFailure(
      gt(town, ['config', 'agent', 'remove', 'codex-low']),
      1,
      /agent "codex-low" is still used by role_agents\.polecat/,
    );
    gtJson(town, ['config', 'role-agent', 'polecat', '--unset']);
    gtJson(town, ['config', 'agent', 'remove', 'codex-low']);
    const after = gtJson<Shown>(town, ['config', 'show']);
    expect(Object.keys(after.settings.agents)).toEqual(['claude-glm']);
    expect(after.settings.default_agent).toBe('claude-glm');
    expect(after.rigs).toEqual({ web: { role_agents: { crew: 'gemini' } } });
  });

  it('refuses unknown agents and roles, naming what exists, and leaves the file alone', () => {
    const before = readFileSync(settingsPath(), 'utf8');
    const r = gt(town, ['config', 'default-agent', 'nosuch']);
    expectFailure(r, 2, /unknown agent "nosuch"/);
    expect(r.stderr).toMatch(/Hint: known agents: amp, auggie, claude, claude-glm, codex/);
    expectFailure(gt(town, ['config', 'role-agent', 'polecat', 'nosuch']), 2, /unknown agent "nosuch"/);
    expectFailure(gt(town, ['config', 'role-agent', 'janitor', 'claude']), 2, /unknown role "janitor"/);
    expectFailure(gt(town, ['config', 'agent', 'get', 'nosuch']), 2, /unknown agent "nosuch"/);
    expectFailure(gt(town, ['config', 'agent', 'set', 'bad name', 'x']), 2, /invalid agent name "bad name"/);
    expectFailure(gt(town, ['config', 'agent', 'set', 'q', 'claude "unclosed']), 2, /unterminated double quote/);
    expectFailure(gt(town, ['config', 'default-agent', 'codex', '--rig', 'nope']), 2, /no rig named "nope"/);
    expect(readFileSync(settingsPath(), 'utf8')).toBe(before);
  });

  it('reports a corrupt settings file by file and key, for every command, without touching it', () => {
    const good = readFileSync(settingsPath(), 'utf8');
    const bad = good.replace(
      '"default_agent": "claude-glm"',
      '"default_agent": "claude-glm",\n  "defualt_agent": "codex"',
    );
    writeFileSync(settingsPath(), bad);
    expectFailure(
      gt(town, ['config', 'agent', 'set', 'x', 'x']),
      1,
      /settings\/config\.json: unknown key "defualt_agent"/,
    );
    writeFileSync(
      settingsPath(),
      good.replace('"claude-glm": {', '"claude-glm": { "args": 3,').replace(/"args": \[[^\]]*\],?/, ''),
    );
    expectFailure(gt(town, ['config', 'show']), 1, /key "agents\.claude-glm\.args": expected array/);
    const missing = good.replace('"default_agent": "claude-glm"', '"default_agent": "ghost"');
    writeFileSync(settingsPath(), missing);
    expectFailure(gt(town, ['rig', 'list']), 1, /key "default_agent": unknown agent "ghost"/);
    expect(readFileSync(settingsPath(), 'utf8')).toBe(missing);
    writeFileSync(settingsPath(), good);
  });
});
