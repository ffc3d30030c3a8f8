// Runtimes without a session-start hook start primed (issue 14): through the real gt CLI, with stand-ins for codex,
// amp and auggie first on PATH that record what they would read at start. Codex reads Gas Town's role context from
// AGENTS.override.md (the repository's own AGENTS.md copied below it), Auggie from a rules file outside the
// repository, Amp from AGENTS.md when the repository has none; the files never show in git status, never land on
// the rig's main, and gt hooks list says where each agent's context is.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { FAKE_TUI, git, gt, gtAsync, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-role-context-${process.pid}`;

describe('role context for runtimes without a session-start hook', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  let env: Record<string, string> = {};
  const tmux = createTmux({ socket: SOCKET });

  /** A stand-in `program`: records its argv and the file it would read (`reads`, relative to its directory). */
  const fake = (program: string, reads: string, prompt: string): void => {
    const out = join(base, program);
    writeFileSync(
      join(base, 'bin', program),
      [
        '#!/bin/sh',
        `printf '%s\\n' "$@" > '${out}.argv'`,
        `cat "${reads}" > '${out}.saw' 2>/dev/null || echo '(none)' > '${out}.saw'`,
        `exec '${process.execPath}' '${FAKE_TUI}' --log '${out}.typed' --prompt "$(printf '${prompt}')"`,
        '',
      ].join('\n'),
    );
    chmodSync(join(base, 'bin', program), 0o755);
  };
  const sling = async (bead: string, rig: string, agent: string) => {
    const r = await gtAsync(town, ['sling', bead, rig, '--agent', agent, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const polecat = (JSON.parse(r.stdout) as { results: { polecat: string }[] }).results[0]!.polecat;
    return { polecat, worktree: join(town, rig, 'polecats', polecat.split('/')[1]!) };
  };
  const waitFor = async (path: string): Promise<string> => {
    const deadline = Date.now() + 20_000;
    while (!existsSync(path) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
    return readFileSync(path, 'utf8');
  };
  const status = (dir: string) => git(dir, ['status', '--porcelain', '--untracked-files=all']);

  beforeAll(() => {
    const t = tempDir('gt role context');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    sourceRepo(join(base, 'web src'), 'main', { 'README.md': '# web\n' });
    gtJson(town, ['rig', 'add', 'web', join(base, 'web src')]);
    sourceRepo(join(base, 'app src'), 'main', { 'README.md': '# app\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    sourceRepo(join(base, 'docs src'), 'main', { 'AGENTS.md': '# Our rules\nUse tabs.\n' });
    gtJson(town, ['rig', 'add', 'docs', join(base, 'docs src')]);
    mkdirSync(join(base, 'bin'));
    fake('codex', '$PWD/AGENTS.override.md', '← for agents\\r\\n> ');
    fake('amp', '$PWD/AGENTS.md', '╭──── medium ─╮\\r\\n> ');
    fake('auggie', '$(dirname "$0")/none', '> ');
    env = { GT_TMUX_SOCKET: SOCKET, PATH: `${join(base, 'bin')}:${process.env.PATH ?? ''}` };
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it("Codex starts with its role context in AGENTS.override.md; git status stays clean and the rig's main never gets it", async () => {
    const id = gtJson<{ id: string }>(join(town, 'web'), ['bd', 'create', 'Greet from Codex']).id;
    const { polecat, worktree } = await sling(id, 'web', 'codex');
    const saw = readFileSync(join(base, 'codex.saw'), 'utf8');
    expect(saw).toContain(id); // gt prime's text for this polecat: its hook
    expect(saw).toMatch(/gt done/);
    expect(saw).not.toContain("This repository's own instructions");
    // Primed by the file: its first prompt says who it is and what its hook holds, not "run gt prime".
    const typed = await waitFor(join(base, 'codex.typed'));
    expect(typed).toContain(`Gas Town: you are ${polecat} (polecat). Your hook holds ${id}.`);
    expect(typed).not.toContain('Run `gt prime`');
    expect(status(worktree)).toBe('');
    expect(gt(town, ['hooks', 'list'], { env }).stdout).toContain(
      `  ${polecat}  codex  role context  ${join(worktree, 'AGENTS.override.md')}`,
    );
    // The polecat's work lands; the role context does not.
    writeFileSync(join(worktree, 'hello.txt'), 'hello\n');
    gtJson(worktree, ['done'], { env: { ...env, GT_ADDRESS: polecat } });
    expect(gt(town, ['refinery', 'run', 'web'], { env }).code).toBe(0);
    const landed = git(join(town, 'web', '.repo.git'), ['ls-tree', '-r', '--name-only', 'main']).split('\n');
    expect(landed).toContain('hello.txt');
    expect(landed).not.toContain('AGENTS.override.md');
  }, 120_000);

  it("keeps a repository's own AGENTS.md: Codex gets it below Gas Town's part; Amp, which reads AGENTS.md only, is prompted to prime instead", async () => {
    const a = gtJson<{ id: string }>(join(town, 'docs'), ['bd', 'create', 'Codex in a repo with rules']).id;
    const codex = await sling(a, 'docs', 'codex');
    const saw = readFileSync(join(base, 'codex.saw'), 'utf8');
    expect(saw).toContain(a);
    expect(saw).toContain(
      "# This repository's own instructions (AGENTS.md, copied here at start)\n\n# Our rules\nUse tabs.\n",
    );
    expect(readFileSync(join(codex.worktree, 'AGENTS.md'), 'utf8')).toBe('# Our rules\nUse tabs.\n');
    expect(status(codex.worktree)).toBe('');

    const b = gtJson<{ id: string }>(join(town, 'docs'), ['bd', 'create', 'Amp in a repo with rules']).id;
    const amp = await sling(b, 'docs', 'amp');
    expect(readFileSync(join(base, 'amp.saw'), 'utf8')).toBe('# Our rules\nUse tabs.\n');
    expect(await waitFor(join(base, 'amp.typed'))).toContain(
      `Gas Town: you are ${amp.polecat} (polecat). Run \`gt prime\` now and follow what it says.`,
    );
    expect(status(amp.worktree)).toBe('');
    expect(gt(town, ['hooks', 'list'], { env }).stdout).toContain(
      `  ${amp.polecat}  amp  role context not written: the repository's own file is there`,
    );
  }, 120_000);

  it("Amp in a repository without AGENTS.md reads Gas Town's; Auggie gets it as a rules file outside the repository", async () => {
    // A rig of their own: web's idle Codex polecat would be reused (its session nudged, not started).
    const a = gtJson<{ id: string }>(join(town, 'app'), ['bd', 'create', 'Greet from Amp']).id;
    const amp = await sling(a, 'app', 'amp');
    expect(readFileSync(join(base, 'amp.saw'), 'utf8')).toContain(a);
    expect(status(amp.worktree)).toBe('');

    const b = gtJson<{ id: string }>(join(town, 'app'), ['bd', 'create', 'Greet from Auggie']).id;
    const auggie = await sling(b, 'app', 'auggie');
    const argv = readFileSync(join(base, 'auggie.argv'), 'utf8').trimEnd().split('\n');
    const rules = argv[argv.indexOf('--rules') + 1]!;
    expect(rules.startsWith(join(town, 'app', 'polecats'))).toBe(false);
    expect(readFileSync(rules, 'utf8')).toContain(b);
    expect(argv.at(-1)).toBe(`Gas Town: you are ${auggie.polecat} (polecat). Your hook holds ${b}.`);
    expect(status(auggie.worktree)).toBe('');
  }, 120_000);
});
