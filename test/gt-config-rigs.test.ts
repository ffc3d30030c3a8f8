// Per-rig runtimes in settings/config.json, as the seeds' FAQ puts them ("rigs"): used by sling and gt config show
// (which says where each rig's runtime comes from), overridden by the rig's own rig.json, and checked like the rest.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

interface Shown {
  effective: {
    rigs: Record<string, { polecat: string; crew: string }>;
    sources: Record<string, { polecat: string; crew: string }>;
  };
}

describe('settings "rigs": per-rig runtimes in settings/config.json', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  let pristine = '';
  const settingsPath = (): string => join(town, 'settings', 'config.json');
  const setSettings = (patch: Record<string, unknown>): void => {
    writeFileSync(
      settingsPath(),
      JSON.stringify({ ...(JSON.parse(pristine) as Record<string, unknown>), ...patch }, null, 2),
    );
  };

  beforeAll(() => {
    const t = tempDir('gt config rigs');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    gtJson(town, ['rig', 'add', 'web', join(base, 'app src')]);
    pristine = readFileSync(settingsPath(), 'utf8');
  }, 120_000);
  afterAll(() => cleanup());

  it('a rig\'s runtime from "rigs" is what gt config show prints (with where from) and what a sling would start', () => {
    setSettings({
      rigs: { app: { default_agent: 'codex', role_agents: { crew: 'gemini' } }, later: { default_agent: 'amp' } },
    });
    const s = gtJson<Shown>(town, ['config', 'show']);
    expect(s.effective.rigs).toEqual({
      app: { polecat: 'codex', crew: 'gemini' },
      web: { polecat: 'claude', crew: 'claude' },
    });
    expect(s.effective.sources.app).toEqual({
      polecat: 'settings rigs.app.default_agent',
      crew: 'settings rigs.app.role_agents.crew',
    });
    const text = gt(town, ['config', 'show']).stdout;
    expect(text).toContain(
      '  app: polecat codex (settings rigs.app.default_agent), crew gemini (settings rigs.app.role_agents.crew)',
    );
    expect(text).toContain(
      '  rig later: default amp (settings "rigs"): no rig named "later" yet; applies once it is added',
    );
    const work = (rig: string): string => gtJson<{ id: string }>(town, ['bd', 'create', '--rig', rig, 'Work']).id;
    expect(
      gtJson<{ results: { reason: string }[] }>(town, ['sling', work('app'), 'app', '--dry-run']).results[0]!.reason,
    ).toMatch(/ and start codex$/);
    expect(
      gtJson<{ results: { reason: string }[] }>(town, ['sling', work('web'), 'web', '--dry-run']).results[0]!.reason,
    ).toMatch(/ and start claude$/);
  });

  it("the rig's own rig.json wins where both name one", () => {
    setSettings({ rigs: { app: { default_agent: 'codex' } } });
    gtJson(town, ['config', 'role-agent', 'polecat', 'gemini', '--rig', 'app']);
    try {
      const s = gtJson<Shown>(town, ['config', 'show']);
      expect(s.effective.rigs.app).toEqual({ polecat: 'gemini', crew: 'codex' });
      expect(s.effective.sources.app!.polecat).toBe('app/rig.json role_agents.polecat');
    } finally {
      gtJson(town, ['config', 'role-agent', 'polecat', '--unset', '--rig', 'app']);
    }
  });

  it('refuses an unknown agent or key there with the file and key in one line, and an agent still used there cannot be removed', () => {
    setSettings({ rigs: { app: { default_agent: 'nope' } } });
    expectFailure(gt(town, ['config', 'show']), 1, /key "rigs\.app\.default_agent": unknown agent "nope"/);
    setSettings({ rigs: { app: { runtime: 'codex' } } });
    expectFailure(gt(town, ['config', 'show']), 1, /rigs\.app.*runtime/);
    setSettings({ rigs: { '--all': { default_agent: 'codex' } } });
    expectFailure(gt(town, ['config', 'show']), 1, /key "rigs\.--all": invalid key/i);
    setSettings({
      agents: { mine: { command: 'mine', args: [] } },
      rigs: { web: { role_agents: { polecat: 'mine' } } },
    });
    expectFailure(
      gt(town, ['config', 'agent', 'remove', 'mine']),
      1,
      /agent "mine" is still used by rigs\.web\.role_agents\.polecat/,
    );
    writeFileSync(settingsPath(), pristine);
  });
});
