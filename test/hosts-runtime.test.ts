// A runtime's Gas Town-owned hook settings on an SSH host (docs/hosts.md): a polecat whose agent is Claude Code
// underneath (a custom agent on the claude preset) starts on the host with `--settings <file on the host>`, whose
// hooks run the host's gt shim, and so is not told to run `gt prime` by its first prompt. The agent is a small
// script on the host that records its argv and the settings file, and runs the SessionStart hook as Claude Code would
// (its output is what Claude would read). Real sshd in a network namespace (support/netns.ts), the built CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux, shellQuote } from '../src/tmux/index.ts';
import { sourceRepo, tempDir } from './support/gt.ts';
import { gtBuilt, gtBuiltJson, requireFreshBuild } from './support/gt-built.ts';
import { sshdAvailable, startTestHosts, type TestHosts } from './support/netns.ts';

const SOCKET = `gt-test-hosts-rt-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET, GT_DAEMON_TICK_MS: '500' };

/** What the stand-in agent saw at its start. */
interface Seen {
  args: string[];
  cwd: string;
  settingsPath: string | null;
  settings: { hooks: Record<string, { hooks: { command: string }[] }[]>; permissions?: { deny: string[] } } | null;
  mode: string | null;
  dirMode: string | null;
  prime: string | null;
  primeError: string | null;
  gitStatus: string;
}

/**
 * The stand-in for Claude Code and Gemini CLI: records what it was started with (`seen-<GT_AGENT>.json` in `dir`)
 * and the hook settings it would read (the `--settings` file, else the workspace's `.gemini/settings.json`), runs
 * their SessionStart hook as the runtime would, and shows a prompt.
 */
const fakeAgent = (dir: string): string => `#!${process.execPath}
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
const args = process.argv.slice(2);
const at = args.indexOf('--settings');
const gemini = join(process.cwd(), '.gemini', 'settings.json');
const settingsPath = at >= 0 ? args[at + 1] : existsSync(gemini) ? gemini : null;
const seen = { args, cwd: process.cwd(), settingsPath, settings: null, mode: null, dirMode: null, prime: null,
  primeError: null, gitStatus: execSync('git status --porcelain', { encoding: 'utf8' }) };
if (settingsPath) {
  seen.settings = JSON.parse(readFileSync(settingsPath, 'utf8'));
  seen.mode = (statSync(settingsPath).mode & 0o777).toString(8);
  seen.dirMode = (statSync(dirname(settingsPath)).mode & 0o777).toString(8);
  const hook = seen.settings.hooks.SessionStart[0].hooks[0].command;
  const input = JSON.stringify({ session_id: 'fake-session', hook_event_name: 'SessionStart', source: 'startup',
    cwd: process.cwd() });
  try {
    seen.prime = execSync(hook, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    seen.primeError = String(e.stderr ?? e.message);
  }
}
writeFileSync(join(${JSON.stringify(dir)}, \`seen-\${process.env.GT_AGENT}.json\`), JSON.stringify(seen));
process.stdout.write('fake> ');
setInterval(() => {}, 1 << 30);
`;

describe.skipIf(!sshdAvailable())('runtime hook settings on SSH hosts', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  let hosts: TestHosts | undefined;
  const tmux = createTmux({ socket: SOCKET });

  beforeAll(async () => {
    requireFreshBuild();
    const t = tempDir('gt hosts-runtime');
    base = t.dir;
    cleanup = t.cleanup;
    hosts = await startTestHosts(base, ['a']);
    town = join(base, 'town');
    gtBuiltJson(base, ['install', town], { env });
    const agent = join(base, 'fake agent.mjs');
    writeFileSync(agent, fakeAgent(base), { mode: 0o755 });
    const settingsPath = join(town, 'settings', 'config.json');
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      settingsPath,
      JSON.stringify(
        {
          ...settings,
          agents: {
            hostclaude: { command: agent, preset: 'claude', ready_prompt: '^fake>' },
            hostgemini: { command: agent, preset: 'gemini', ready_prompt: '^fake>' },
          },
          role_agents: { polecat: 'hostclaude' },
        },
        null,
        2,
      ),
    );
    sourceRepo(join(base, 'app src'), 'main', { 'README.md': '# app\n' });
    gtBuiltJson(town, ['rig', 'add', 'app', join(base, 'app src')], { env });
    const h = hosts.hosts[0]!;
    const added = gtBuilt(
      town,
      [
        'host',
        'add',
        'a',
        h.url,
        '--identity',
        hosts.identity,
        '--accept-new',
        '--node',
        process.execPath,
        '--dir',
        join(h.dir, 'gastown'),
      ],
      { env },
    );
    expect(added.code, added.stderr).toBe(0);
    // The daemon keeps the town API up for the host's gt and bd.
    gtBuiltJson(town, ['daemon', 'start'], { env });
  }, 120_000);

  afterAll(async () => {
    if (town) gtBuilt(town, ['daemon', 'stop'], { env });
    await tmux.killServer();
    const ctl = join(town, '.runtime', 'ssh', 'a');
    if (existsSync(ctl)) spawnSync('ssh', ['-S', ctl, '-O', 'exit', 'x'], { timeout: 10_000 });
    hosts?.stop();
    cleanup();
  }, 60_000);

  it("a Claude Code agent on a host starts with Gas Town's settings there: its hooks run the host's gt, it primes itself, and its first prompt does not ask for gt prime", () => {
    const id = gtBuiltJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', 'Remote Claude', '-d', 'x'], {
      env,
    }).id;
    const r = gtBuiltJson<{ results: { status: string; polecat: string; host?: string }[] }>(
      town,
      ['sling', id, 'app', '--host', 'a'],
      { env },
    );
    expect(r.results[0]).toMatchObject({ status: 'started', host: 'a' });
    const address = r.results[0]!.polecat;
    const name = address.split('/')[1]!;
    const hostDir = join(hosts!.hosts[0]!.dir, 'gastown');
    const seen = JSON.parse(readFileSync(join(base, 'seen-hostclaude.json'), 'utf8')) as Seen;
    // Started in its workspace on the host, with the settings file Gas Town wrote there, readable only by its user.
    expect(seen.cwd).toBe(join(hostDir, 'work', 'app', name));
    const file = join(hostDir, 'agents', `app-${name}`, 'claude-settings.json');
    expect(seen.settingsPath).toBe(file);
    expect(seen.args.slice(seen.args.indexOf('--settings'), seen.args.indexOf('--settings') + 2)).toEqual([
      '--settings',
      file,
    ]);
    expect([seen.mode, seen.dirMode]).toEqual(['600', '700']);
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    // The same hooks as here, each running the host's gt shim (a client of the town through the tunnel).
    const gt = shellQuote(join(hostDir, 'bin', 'gt'));
    const commands = Object.fromEntries(
      Object.entries(seen.settings!.hooks).map(([event, groups]) => [event, groups[0]!.hooks[0]!.command]),
    );
    expect(commands).toEqual({
      SessionStart: `${gt} prime --hook`,
      PreCompact: `${gt} prime --hook`,
      UserPromptSubmit: `${gt} mail check --inject`,
      Stop: `${gt} costs record`,
    });
    // A polecat's settings: headless, and it may not merge or push to main.
    expect(seen.settings!.permissions?.deny).toEqual(
      expect.arrayContaining(['AskUserQuestion', 'Bash(gh pr merge *)']),
    );
    // Its SessionStart hook, run on the host as Claude Code runs it, primes it from the town: who it is, its hook.
    expect(seen.primeError).toBeNull();
    expect(seen.prime).toContain(address);
    expect(seen.prime).toContain(id);
    // So its first prompt says who it is and what its hook holds, and does not tell it to run gt prime.
    const prompt = seen.args.at(-1)!;
    expect(prompt).toMatch(new RegExp(`^Gas Town: you are ${address} \\(polecat\\)\\.`));
    expect(prompt).toContain(id);
    expect(prompt).not.toMatch(/gt prime/);
  }, 120_000);

  it("a Gemini CLI agent on a host gets Gas Town's hooks in its workspace there, kept out of git, and primes itself through the host's gt", () => {
    const id = gtBuiltJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', 'Remote Gemini', '-d', 'x'], {
      env,
    }).id;
    const r = gtBuiltJson<{ results: { status: string; polecat: string; host?: string }[] }>(
      town,
      ['sling', id, 'app', '--host', 'a', '--agent', 'hostgemini'],
      { env },
    );
    expect(r.results[0]).toMatchObject({ status: 'started', host: 'a' });
    const address = r.results[0]!.polecat;
    const name = address.split('/')[1]!;
    const hostDir = join(hosts!.hosts[0]!.dir, 'gastown');
    const seen = JSON.parse(readFileSync(join(base, 'seen-hostgemini.json'), 'utf8')) as Seen;
    const ws = join(hostDir, 'work', 'app', name);
    expect(seen.cwd).toBe(ws);
    expect(seen.settingsPath).toBe(join(ws, '.gemini', 'settings.json'));
    const gt = shellQuote(join(hostDir, 'bin', 'gt'));
    const commands = Object.fromEntries(
      Object.entries(seen.settings!.hooks).map(([event, groups]) => [event, groups[0]!.hooks[0]!.command]),
    );
    expect(commands).toEqual({
      SessionStart: `${gt} prime --hook gemini`,
      PreCompress: `${gt} prime --hook gemini`,
      BeforeAgent: `${gt} prime --hook gemini-turn`,
      AfterAgent: `${gt} costs record`,
    });
    // Never committed by gt done: git does not see it in the workspace.
    expect(seen.gitStatus).toBe('');
    // Its SessionStart hook answers with Gemini's hook JSON: the prime, from the town, through the host's gt.
    expect(seen.primeError).toBeNull();
    const context = (JSON.parse(seen.prime!) as { hookSpecificOutput: { additionalContext: string } })
      .hookSpecificOutput.additionalContext;
    expect(context).toContain(address);
    expect(context).toContain(id);
    const prompt = seen.args.at(-1)!;
    expect(prompt).toMatch(new RegExp(`^Gas Town: you are ${address} \\(polecat\\)\\.`));
    expect(prompt).not.toMatch(/gt prime/);
  }, 120_000);
});
