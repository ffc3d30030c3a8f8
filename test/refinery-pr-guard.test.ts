// The --admin guard (issue 17): a polecat's Gas Town-owned Claude Code settings deny merging a PR (gh pr merge, with
// or without --admin, or the merge endpoint through gh api) and pushing to the rig's default branch. Shown with the
// real Claude Code CLI, started with the very settings file a polecat of a real town gets and with
// --dangerously-skip-permissions as Gas Town starts it, against the scripted loopback model: every merge or push the
// model asks for is refused by Claude Code and never reaches `gh` or `git`; an ordinary gh call still runs.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinPreset } from '../src/agents/index.ts';
import { loadTown, parseAddress } from '../src/town/index.ts';
import { identityOf, prepareRuntime } from '../src/work/sessions/index.ts';
import { CLAUDE_BIN, claudeTestEnv, prepareClaudeConfigDir } from '../testing/claude/index.ts';
import {
  isSideQuery,
  startModelServer,
  toolExchanges,
  type ModelServer,
  type ToolExchange,
} from '../testing/model-server/index.ts';
import { cleanEnv } from './support/bd.ts';
import { gtJson, git, tempDir } from './support/gt.ts';

const run = promisify(execFile);

/** What the model asks the polecat's Claude to run, in order; the last one is allowed. */
const ATTEMPTS = [
  'gh pr merge 7 --admin --squash',
  'gh pr merge 7 --squash --auto',
  'cd . && gh pr merge 7 --admin',
  'gh api -X PUT repos/acme/app/pulls/7/merge',
  'git push origin HEAD:trunk',
  'git push --force origin trunk',
  'gh pr view 7',
];

describe("a polecat's Claude Code may not merge a PR or push to the default branch", () => {
  let base = '';
  let cleanup = (): void => {};
  let model: ModelServer;
  let seen: ToolExchange[] = [];

  beforeAll(async () => {
    const t = tempDir('gt pr guard');
    base = t.dir;
    cleanup = t.cleanup;
    // The model asks for each command in turn, one per request, and keeps the results it got back.
    model = await startModelServer({
      respond: (req) => {
        if (isSideQuery(req)) return 'OK.';
        const done = toolExchanges(req).filter((x) => x.result !== undefined);
        seen = done;
        const next = ATTEMPTS[done.length];
        if (next === undefined) return 'Done.';
        return {
          content: [
            {
              type: 'tool_use',
              id: `toolu_try${done.length}_1`,
              name: 'Bash',
              input: { command: next, description: 'try' },
            },
          ],
        };
      },
    });
  });
  afterAll(async () => {
    await model?.close();
    cleanup();
  });

  it("denies gh pr merge (--admin or not, alone or in a compound command), the merge API and pushes to the rig's default branch", async () => {
    // A real town whose rig's default branch is "trunk", and the settings file its polecat app/nux gets.
    const src = join(base, 'src');
    git(base, ['init', '-q', '-b', 'trunk', src]);
    writeFileSync(join(src, 'a.txt'), 'a\n');
    git(src, ['add', '-A']);
    git(src, ['-c', 'user.name=S', '-c', 'user.email=s@x', 'commit', '-q', '-m', 'first']);
    const townDir = join(base, 'town');
    gtJson(base, ['install', townDir]);
    gtJson(townDir, ['rig', 'add', 'app', src]);
    const town = loadTown(townDir, cleanEnv());
    const id = identityOf(town, parseAddress(town, 'app/nux'));
    const { settingsPath } = prepareRuntime(town, id, builtinPreset('claude')!);
    const settings = JSON.parse(readFileSync(settingsPath!, 'utf8')) as { permissions: { deny: string[] } };
    expect(settings.permissions.deny).toEqual(
      expect.arrayContaining(['Bash(gh pr merge *)', 'Bash(git push * trunk)', 'Bash(git push *:trunk)']),
    );
    // The Mayor's settings keep every tool: the guard is the polecats'.
    const mayor = prepareRuntime(town, identityOf(town, parseAddress(town, 'mayor')), builtinPreset('claude')!);
    expect(JSON.parse(readFileSync(mayor.settingsPath!, 'utf8'))).not.toHaveProperty('permissions');

    // gh as the polecat would find it on PATH: it writes what it was asked to do. (git stays the real one: Gas Town's
    // own hooks use it; a push that ran would fail in this directory, which is no repository, with git's words.)
    const bin = join(base, 'bin');
    mkdirSync(bin);
    const calls = join(base, 'calls.log');
    writeFileSync(join(bin, 'gh'), `#!/bin/sh\necho "gh $*" >> '${calls}'\necho "gh ran"\n`, { mode: 0o755 });
    const work = join(base, 'work');
    mkdirSync(work);
    const preset = builtinPreset('claude')!;
    const argv = [...preset.args, '--settings', settingsPath!, '--print', '--output-format', 'json', 'Land PR #7 now.'];
    // Claude Code's Bash takes PATH from a login shell of the user's: put gh's directory there, as a user would.
    const home = join(base, 'home');
    mkdirSync(home);
    for (const f of ['.bash_profile', '.bashrc']) writeFileSync(join(home, f), `export PATH='${bin}':"$PATH"\n`);
    const env = cleanEnv({
      ...claudeTestEnv(model.url),
      CLAUDE_CONFIG_DIR: prepareClaudeConfigDir(join(base, 'claude-config'), { trustedDirs: [work] }),
      HOME: home,
      SHELL: '/bin/bash',
      PATH: `${bin}:${process.env.PATH ?? ''}`,
    });
    const out = await run(CLAUDE_BIN, argv, { cwd: work, env, timeout: 120_000, maxBuffer: 16 << 20 });
    expect(JSON.parse(out.stdout)).toMatchObject({ result: 'Done.' });

    expect(seen.map((x) => x.input.command)).toEqual(ATTEMPTS);
    for (const x of seen.slice(0, -1)) {
      expect(x.isError, `${String(x.input.command)}: ${x.result}`).toBe(true);
      expect(x.result).toMatch(/denied/i);
    }
    // Nothing denied ran; the harmless gh call did.
    expect(seen.at(-1)).toMatchObject({ isError: false, result: expect.stringContaining('gh ran') });
    expect(existsSync(calls) ? readFileSync(calls, 'utf8') : '').toBe('gh pr view 7\n');
  }, 180_000);
});
