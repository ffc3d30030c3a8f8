// gt whoami, gt version and gt log through the CLI from source: who commands act as, which gt runs, and the town's
// event log narrowed by agent, bead, kind and time.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

interface Event {
  actor: string;
  kind: string;
  subject: string | null;
  at: string;
}

describe('gt whoami, version and log', () => {
  let town = '';
  let cleanup = (): void => {};
  beforeAll(() => {
    const t = tempDir('gt diag');
    cleanup = t.cleanup;
    town = join(t.dir, 'my town');
    gtJson(t.dir, ['install', town]);
  });
  afterAll(() => cleanup());

  it('gt whoami says the address and where it comes from; gt version the version', () => {
    expect(gtJson(town, ['whoami'])).toEqual({ address: 'overseer', kind: 'overseer', source: 'default', town });
    expect(gtJson(town, ['whoami'], { env: { GT_ADDRESS: 'mayor' } })).toMatchObject({
      address: 'mayor',
      source: 'GT_ADDRESS',
    });
    expect(gt(town, ['whoami'], { env: { GT_ROLE: 'mayor' } }).stdout).toBe(
      `mayor (mayor, from GT_ROLE) in town ${town}\n`,
    );
    expectFailure(
      gt(town, ['whoami'], { env: { GT_ROLE: 'polecat' } }),
      2,
      /GT_ROLE is "polecat" but GT_RIG is not set/,
    );
    const v = gtJson<{ version: string; node: string }>(town, ['version']);
    expect(gt(town, ['--version']).stdout.trim()).toBe(v.version);
    expect(gt(town, ['version']).stdout).toMatch(
      new RegExp(`^gt ${v.version.replace(/\./g, '\\.')} \\(node ${v.node}, `),
    );
  });

  it('gt log filters the event log by agent, bead, kind and time, newest last', () => {
    const first = gtJson<{ bead: string }>(town, ['escalate', 'The printer is on fire']).bead;
    const second = gtJson<{ bead: string }>(town, ['escalate', 'Coffee machine empty', '--from', 'mayor']).bead;
    const all = gtJson<Event[]>(town, ['log']);
    expect(all.map((e) => e.subject)).toEqual([first, second]);
    expect(gtJson<Event[]>(town, ['log', '--agent', 'mayor']).map((e) => e.subject)).toEqual([second]);
    expect(gtJson<Event[]>(town, ['log', '--bead', first]).map((e) => e.actor)).toEqual(['overseer']);
    expect(gtJson<Event[]>(town, ['log', '--kind', 'escal', '-n', '1']).map((e) => e.subject)).toEqual([second]);
    expect(gtJson<Event[]>(town, ['log', '--kind', 'sling.'])).toEqual([]);
    expect(gtJson<Event[]>(town, ['log', '--since', '1h'])).toHaveLength(2);
    expect(gtJson<Event[]>(town, ['log', '--since', '2099-01-01'])).toEqual([]);
    expect(gt(town, ['log', '--since', '2099-01-01']).stdout).toBe('No events match.\n');
    expect(gt(town, ['log', '--agent', 'mayor']).stdout).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d mayor +escalation +${second}: Coffee machine empty$`, 'm'),
    );
  });

  it('garbage input: bad times, limits and addresses get one line each', () => {
    expectFailure(gt(town, ['log', '--since', 'yesterday']), 2, /--since "yesterday" is neither a duration nor a time/);
    expectFailure(gt(town, ['log', '-n', '0']), 2, /--limit must be a whole number/);
    expectFailure(gt(town, ['log', '-n', 'lots']), 2, /--limit must be a whole number/);
    expectFailure(gt(town, ['log', '--agent', 'no such rig/x']), 2, /no such rig|not/);
    expectFailure(gt(town, ['log', '--agent', '--json']), 2, /--json|argument missing/);
    expectFailure(gt(town, ['whoami', 'extra']), 2, /too many arguments|unknown command/);
  });

  it('gt config show prints the runtime in effect for each rig and role', () => {
    sourceRepo(join(town, '..', 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(town, '..', 'app src')]);
    gtJson(town, ['rig', 'add', 'web', join(town, '..', 'app src')]);
    gtJson(town, ['config', 'role-agent', 'polecat', 'codex', '--rig', 'app']);
    gtJson(town, ['config', 'default-agent', 'gemini', '--rig', 'web']);
    const r = gtJson<{ effective: { mayor: string; rigs: Record<string, { polecat: string; crew: string }> } }>(town, [
      'config',
      'show',
    ]);
    expect(r.effective).toEqual({
      mayor: 'claude',
      rigs: { app: { polecat: 'codex', crew: 'claude' }, web: { polecat: 'gemini', crew: 'gemini' } },
      // Where each comes from: the rig's own file wins over the town's settings.
      sources: {
        app: { crew: 'settings default_agent', polecat: 'app/rig.json role_agents.polecat' },
        web: { crew: 'web/rig.json default_agent', polecat: 'web/rig.json default_agent' },
      },
    });
    expect(gt(town, ['config', 'show']).stdout).toMatch(
      /^Runtimes in effect:\n {2}mayor: claude\n {2}app: polecat codex \(app\/rig\.json role_agents\.polecat\), crew claude \(settings default_agent\)\n {2}web: polecat gemini \(web\/rig\.json default_agent\), crew gemini \(web\/rig\.json default_agent\)$/m,
    );
  });
});
