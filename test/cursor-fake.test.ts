// The cursor preset through the real gt CLI with a stand-in `cursor-agent` first on PATH (Cursor's CLI cannot be
// installed here): `gt sling --agent cursor` runs it with the flags Cursor's published CLI docs give for an agent
// that runs unattended (-f: run tool calls without asking; --trust: no workspace-trust prompt), in the polecat's
// worktree, with its role context in an always-applied project rule (.cursor/rules/gastown.mdc, kept out of git),
// and types the first prompt (who it is, what its hook holds) once it is up.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { FAKE_TUI, git, gtAsync, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-cursor-fake-${process.pid}`;

describe('the cursor preset against a stand-in cursor-agent', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  let env: Record<string, string> = {};
  const tmux = createTmux({ socket: SOCKET });

  beforeAll(() => {
    const t = tempDir('gt cursor fake');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    sourceRepo(join(base, 'web src'), 'main', { 'README.md': '# web\n' });
    gtJson(town, ['rig', 'add', 'web', join(base, 'web src')]);
    const bin = join(base, 'bin');
    mkdirSync(bin);
    // Records its argv, working directory and GT_AGENT, then behaves as a TUI that logs what it is typed.
    writeFileSync(
      join(bin, 'cursor-agent'),
      `#!/bin/sh\nprintf '%s\\n' "$PWD" "$GT_AGENT" "$@" > '${join(base, 'argv.txt')}'\nexec '${process.execPath}' '${FAKE_TUI}' --log '${join(base, 'typed.log')}'\n`,
    );
    chmodSync(join(bin, 'cursor-agent'), 0o755);
    env = { GT_TMUX_SOCKET: SOCKET, PATH: `${bin}:${process.env.PATH ?? ''}` };
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it('starts cursor-agent -f --trust in the worktree, primed by a project rule, and types its hook', async () => {
    const id = gtJson<{ id: string }>(join(town, 'web'), ['bd', 'create', 'Greet from Cursor']).id;
    const r = await gtAsync(town, ['sling', id, 'web', '--agent', 'cursor', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const polecat = (JSON.parse(r.stdout) as { results: { polecat: string }[] }).results[0]!.polecat;
    const worktree = join(town, 'web', 'polecats', polecat.split('/').pop()!);
    const [cwd, agent, ...argv] = readFileSync(join(base, 'argv.txt'), 'utf8').trimEnd().split('\n');
    expect({ cwd, agent, argv }).toEqual({ cwd: worktree, agent: 'cursor', argv: ['-f', '--trust'] });
    const deadline = Date.now() + 20_000;
    while (!existsSync(join(base, 'typed.log')) && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 200));
    expect(readFileSync(join(base, 'typed.log'), 'utf8')).toContain(
      `Gas Town: you are ${polecat} (polecat). Your hook holds ${id}.`,
    );
    const rule = readFileSync(join(worktree, '.cursor', 'rules', 'gastown.mdc'), 'utf8');
    expect(rule).toMatch(/^---\ndescription: Gas Town role context\nalwaysApply: true\n---\n/);
    expect(rule).toContain(`## Your hook: ${id} Greet from Cursor`);
    expect(git(worktree, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
  }, 90_000);
});
