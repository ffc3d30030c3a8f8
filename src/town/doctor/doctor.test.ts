// The pure parts of gt doctor: version comparison, session ownership, worktree and lock planning, agent needs.
import { describe, expect, it } from 'vitest';
import { TownSettingsSchema, RigConfigSchema } from '../schema.ts';
import { agentNeeds, lockCheck, sessionOwner, versionAtLeast } from './index.ts';

describe('doctor planning', () => {
  it('compares versions numerically', () => {
    expect(versionAtLeast('2.39.5', '2.25')).toBe(true);
    expect(versionAtLeast('2.9', '2.25')).toBe(false);
    expect(versionAtLeast('3.3a', '3.0')).toBe(true);
    expect(versionAtLeast('22.12.0', '22.13')).toBe(false);
  });

  it('maps session names to the agents on disk', () => {
    const inv = { rigs: [{ name: 'app', prefix: 'ap', polecats: ['furiosa'], crew: ['alice.b'] }] };
    expect(sessionOwner('hq-mayor', inv)).toBe('mayor');
    expect(sessionOwner('ap-refinery', inv)).toBe('app/refinery');
    expect(sessionOwner('ap-furiosa', inv)).toBe('app/furiosa');
    expect(sessionOwner('ap-crew-alice_b', inv)).toBe('app/crew/alice.b');
    expect(sessionOwner('ap-nux', inv)).toBeUndefined();
    expect(sessionOwner('hq-deacon', inv)).toBeUndefined();
  });

  it('plans the removal of dead owners only', () => {
    const c = lockCheck(
      '/rt',
      [
        { path: '/rt/locks/a.lock', pid: 10, ageMs: 5 },
        { path: '/rt/locks/b.lock', pid: 11, ageMs: 5 },
        { path: '/rt/c.lock', pid: undefined, ageMs: 120_000 },
      ],
      (pid) => pid === 11,
    );
    expect(c.status).toBe('warn');
    expect(c.repairs).toEqual([{ kind: 'remove-lock', path: '/rt/locks/a.lock', pid: 10 }]);
    expect(c.detail).toContain('c.lock');
  });

  it('names the agents the configuration uses and where', () => {
    const s = TownSettingsSchema.parse({
      default_agent: 'mine',
      agents: { mine: { command: '/opt/mine' } },
      role_agents: { mayor: 'claude' },
    });
    const rig = RigConfigSchema.parse({
      name: 'app',
      git_url: 'x',
      default_branch: 'main',
      prefix: 'ap',
      created: '2026-01-01T00:00:00.000Z',
      role_agents: { polecat: 'sim' },
    });
    expect(agentNeeds(s, [rig])).toEqual([
      { agent: 'claude', program: 'claude', usedBy: ['mayor'] },
      { agent: 'mine', program: '/opt/mine', usedBy: ['default agent', 'polecat', 'crew', 'rig app: crew'] },
    ]);
  });
});
