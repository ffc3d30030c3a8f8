// gt prime: the role found from the environment or the directory, the hook in full, a formula's steps as a
// checklist, handoff and unread mail, the session-start hook, and prime's size for a typical polecat.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

describe('gt prime', () => {
  let base = '';
  let town = '';
  let polecatDir = '';
  let hook = '';
  let cleanup = (): void => {};
  const make = (args: string[], cwd = town) => gtJson<{ id: string }>(cwd, ['bd', 'create', ...args]).id;

  beforeAll(() => {
    const t = tempDir('gt prime');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    sourceRepo(join(base, 'src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'src')]);
    polecatDir = join(town, 'app', 'polecats', 'toast');
    mkdirSync(join(polecatDir, 'src'), { recursive: true });
    hook = make([
      'Fix the login redirect',
      '-t',
      'bug',
      '-p',
      '1',
      '-d',
      'After login the user lands on /home instead of the page they asked for. Keep ?next= through the OAuth round trip.',
      '--acceptance',
      'Visiting /settings logged out, then logging in, lands on /settings',
    ]);
    const s1 = make(['Write a failing test', '--parent', hook]);
    make(['Make it pass', '--parent', hook]);
    gtJson(town, ['bd', 'close', s1]);
    gtJson(town, ['bd', 'update', hook, '--status', 'hooked', '-a', 'app/toast']);
  });
  afterAll(() => cleanup());

  it('gives a polecat its rules, its hooked bead in full and the steps as a checklist, under 4 KB', () => {
    const r = gt(join(polecatDir, 'src'), ['prime']);
    expect(r.code, r.stderr).toBe(0);
    const text = r.stdout;
    expect(text).toContain('you are app/toast (polecat)');
    expect(text).toMatch(/finish with `gt done`, which commits what is left \(no separate commit needed\)/);
    expect(text).toMatch(/Never push to main/);
    expect(text).toContain('bug, P1');
    expect(text).toContain(`--deps discovered-from:${hook}`);
    expect(text).toContain(`## Your hook: ${hook} Fix the login redirect`);
    expect(text).toContain('Keep ?next= through the OAuth round trip.');
    expect(text).toContain('Visiting /settings logged out');
    expect(text).toMatch(/- \[x\] \S+ Write a failing test/);
    expect(text).toMatch(/- \[ \] \S+ Make it pass/);
    expect(text).toContain('Start the work on your hook at once');
    expect(Buffer.byteLength(text)).toBeLessThan(4096);
  });

  it("keeps a polecat's session-start prime for a one-line task small, since every model request re-sends it", () => {
    const dir = join(town, 'app', 'polecats', 'nux');
    mkdirSync(dir, { recursive: true });
    const id = make(['Greet the world', '-d', 'File: "greet.txt" Content: "Hello, world"']);
    gtJson(town, ['bd', 'update', id, '--status', 'hooked', '-a', 'app/nux']);
    const text = gt(dir, ['prime', '--hook'], { input: '{"source":"startup"}' }).stdout;
    expect(text).toContain(`## Your hook: ${id} Greet the world\n\n### Description\nFile: "greet.txt"`);
    expect(text).toContain('gt done');
    expect(text).not.toContain('## Now');
    expect(Buffer.byteLength(text)).toBeLessThan(600);
  });

  it('takes the role from the environment over the directory, and says so', () => {
    const r = gt(town, ['prime'], { env: { GT_ADDRESS: 'app/toast' } });
    expect(r.stdout).toContain('you are app/toast (polecat)');
    expect(r.stdout).toContain('you are in the directory of mayor');
    const byRole = gt(base, ['prime'], { env: { GT_ROOT: town, GT_ROLE: 'polecat', GT_RIG: 'app', GT_NAME: 'toast' } });
    expect(byRole.stdout).toContain(hook);
  });

  it('tells the Mayor how to turn a goal into beads, convoys and slings', () => {
    const text = gt(town, ['prime']).stdout;
    expect(text).toContain('you are mayor (mayor)');
    for (const cmd of ['bd create', 'gt convoy create', 'gt sling', 'bd ready', 'gt agents'])
      expect(text).toContain(cmd);
    expect(text).toContain('Rigs: app.');
  });

  it('shows unread mail and the handoff a previous session left', () => {
    gtJson(town, ['mail', 'send', 'app/toast', '-s', 'Use the staging DB', '-m', 'prod is frozen', '--no-notify']);
    gtJson(town, [
      'mail',
      'send',
      'app/toast',
      '-s',
      'HANDOFF: half way',
      '-m',
      'test written, fix next',
      '--type',
      'handoff',
      '--from',
      'app/toast',
      '--no-notify',
    ]);
    const text = gt(polecatDir, ['prime']).stdout;
    expect(text).toMatch(/## Handoff from your previous session[^\n]*\nHANDOFF: half way\ntest written, fix next/);
    expect(text).toMatch(/## Mail\n📬 1 unread mail/);
    expect(text).toContain('"Use the staging DB"');
  });

  it('--hook reads the session-start JSON, prints the context, and survives garbage on stdin', () => {
    const ok = gt(polecatDir, ['prime', '--hook'], { input: '{"session_id":"abc-123","source":"startup","cwd":"/x"}' });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('## Rules of a polecat');
    const compact = gt(polecatDir, ['prime', '--hook'], { input: '{"session_id":"abc-123","source":"compact"}' });
    expect(compact.stdout).toContain(hook);
    expect(compact.stdout).not.toContain('## Rules of a polecat');
    const junk = gt(polecatDir, ['prime', '--hook'], { input: '{not json\u0000' });
    expect(junk.code).toBe(0);
    expect(junk.stdout).toContain(hook);
  });

  it("--hook gemini: a resumed session's SessionStart adds nothing; its first prompt brings the whole prime, once", () => {
    type HookOut = { hookSpecificOutput?: { hookEventName: string; additionalContext: string } };
    const hookJson = (format: string, input: object): HookOut => {
      const r = gt(polecatDir, ['prime', '--hook', format], { input: JSON.stringify(input) });
      expect(r.code, r.stderr).toBe(0);
      return (r.stdout.trim() === '' ? {} : JSON.parse(r.stdout)) as HookOut;
    };
    // A fresh session: its context comes with SessionStart; its prompts get nothing more.
    const fresh = hookJson('gemini', { session_id: 'g-1', source: 'startup' });
    expect(fresh.hookSpecificOutput).toMatchObject({ hookEventName: 'SessionStart' });
    expect(fresh.hookSpecificOutput!.additionalContext).toContain('## Rules of a polecat');
    expect(hookJson('gemini-turn', { session_id: 'g-1', prompt: 'hello' })).toEqual({});
    // Resumed: Gemini may drop what SessionStart adds while it loads the saved conversation, which holds none.
    expect(hookJson('gemini', { session_id: 'g-1', source: 'resume' })).toEqual({});
    expect(hookJson('gemini-turn', { session_id: 'g-2', prompt: 'hello' })).toEqual({}); // another session's prompt
    const first = hookJson('gemini-turn', { session_id: 'g-1', prompt: 'Say the word?' });
    expect(first.hookSpecificOutput).toMatchObject({ hookEventName: 'BeforeAgent' });
    expect(first.hookSpecificOutput!.additionalContext).toContain('## Rules of a polecat');
    expect(first.hookSpecificOutput!.additionalContext).toContain(hook);
    expect(hookJson('gemini-turn', { session_id: 'g-1', prompt: 'and then?' })).toEqual({});
    // A session id that tries to leave the town's runtime folder is only a name there.
    expect(hookJson('gemini', { session_id: '..', source: 'resume' })).toEqual({});
    expect(hookJson('gemini-turn', { session_id: '..', prompt: 'x' }).hookSpecificOutput).toBeDefined();
  });

  it('--hook never fails the session start, and never suggests gt done, when the town is broken', () => {
    const broken = join(base, 'broken');
    gtJson(base, ['install', broken]);
    writeFileSync(join(broken, 'settings', 'config.json'), '{"default_agent": 42');
    const r = gt(join(broken, 'mayor'), ['prime', '--hook'], { input: '{}' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/could not load your role context: .*config\.json/);
    expect(r.stdout).toContain('Do not run gt done');
    expectFailure(gt(join(broken, 'mayor'), ['prime']), 1, /config\.json/);
  });

  it('gt hooks list and repair keep the Claude settings the agents start with current', () => {
    interface Hooks {
      address: string;
      state: string;
      path: string;
      events: string[];
    }
    const before = gtJson<{ settings: Hooks[] }>(town, ['hooks', 'list']).settings;
    expect(before).toEqual([expect.objectContaining({ address: 'mayor', state: 'missing' })]);
    const fixed = gtJson<{ repaired: Hooks[] }>(town, ['hooks', 'repair']).repaired;
    expect(fixed.map((h) => h.address)).toEqual(['mayor']);
    const after = gtJson<{ settings: Hooks[] }>(town, ['hooks', 'list']).settings[0]!;
    expect(after).toMatchObject({
      state: 'current',
      events: ['SessionStart', 'PreCompact', 'UserPromptSubmit', 'Stop'],
    });
    expect(after.path.startsWith(join(town, '.runtime'))).toBe(true);
    const settings = readFileSync(after.path, 'utf8');
    expect(settings).toMatch(/bin\/gt\.js' prime --hook"|bin\/gt\.js prime --hook"/);
    expect(settings).toContain('mail check --inject');
    writeFileSync(after.path, '{"hooks": {}}');
    expect(gtJson<{ settings: Hooks[] }>(town, ['hooks', 'list']).settings[0]?.state).toBe('outdated');
    expect(gtJson<{ repaired: Hooks[] }>(town, ['hooks', 'repair']).repaired.length).toBe(1);
    expect(gtJson<{ repaired: Hooks[] }>(town, ['hooks', 'repair']).repaired.length).toBe(0);
  });

  it('refuses to guess a role outside any agent directory', () => {
    expectFailure(
      gt(join(town, 'app', 'polecats'), ['prime'], { env: { GT_ROOT: town } }),
      2,
      /cannot tell which agent you are/,
    );
    expectFailure(gt(base, ['prime']), 1, /no town found/);
    expectFailure(gt(town, ['prime'], { env: { GT_ROLE: 'wizard' } }), 2, /GT_ROLE "wizard" is not a role/);
  });
});
