// gt completion: scripts built from the command tree; bash completes commands, flags and the town's rigs and agents.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, GT_BIN, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

describe('gt completion', () => {
  let base = '';
  let town = '';
  let bin = '';
  let script = '';
  let cleanup = (): void => {};

  beforeAll(() => {
    const t = tempDir('gt completion');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    sourceRepo(join(base, 'src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'src')]);
    gtJson(town, ['rig', 'add', 'tools', join(base, 'src'), '--prefix', 'tl']);
    gtJson(town, ['crew', 'add', 'alice', '--rig', 'app']);
    gtJson(town, ['config', 'agent', 'set', 'claude-glm', 'claude --model glm']);
    // A `gt` on PATH, as an installed one would be, for the script's `gt __complete` calls.
    bin = join(base, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'gt'), `#!/bin/sh\nexec "${process.execPath}" "${GT_BIN}" "$@"\n`);
    chmodSync(join(bin, 'gt'), 0o755);
    script = join(base, 'gt.bash');
    const r = gt(base, ['completion', 'bash']);
    expect(r.code, r.stderr).toBe(0);
    writeFileSync(script, r.stdout);
  });
  afterAll(() => cleanup());

  /** What bash offers for the command line `line` (the last word is the one being completed). */
  function complete(line: string, cwd = town): string[] {
    const words = line.split(' ');
    const assign = words.map((w) => `'${w}'`).join(' ');
    const body = `source "${script}"; COMP_WORDS=(${assign}); COMP_CWORD=${words.length - 1}; _gt_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', body], {
      cwd,
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: base },
    });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n').filter(Boolean).sort();
  }

  it('prints a bash script that bash accepts', () => {
    const r = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('completes commands and subcommands from the command tree', () => {
    expect(complete('gt ri')).toEqual(['rig']);
    expect(complete('gt rig ')).toEqual(['add', 'dock', 'list', 'park', 'remove', 'show', 'undock', 'unpark']);
    expect(complete('gt config agent s')).toEqual(['set']);
    expect(complete('gt doct')).toEqual(['doctor']);
    expect(complete('gt do')).toEqual(['doctor', 'done', 'down']);
    expect(complete('gt polecat ')).toEqual(['gc', 'list', 'nuke', 'remove', 'start', 'status', 'stop']);
    expect(complete('gt crew re')).toEqual(['refresh', 'remove', 'restart']);
    expect(complete('gt hook r')).toEqual(['resume', 'rollback']);
    expect(complete('gt shut')).toEqual(['shutdown']);
    expect(complete('gt __')).toEqual([]); // the hidden command stays hidden
  });

  it('completes flags, including the global ones', () => {
    expect(complete('gt rig add --')).toEqual(['--branch', '--help', '--json', '--prefix']);
    expect(complete('gt doctor --f')).toEqual(['--fix']);
  });

  it('completes rig names, agents, roles, shells and addresses of the town', () => {
    expect(complete('gt rig show ')).toEqual(['app', 'tools']);
    expect(complete('gt rig show t')).toEqual(['tools']);
    expect(complete('gt crew add bob --rig ')).toEqual(['app', 'tools']);
    expect(complete('gt config default-agent claude')).toEqual(['claude', 'claude-glm']);
    expect(complete('gt config role-agent ')).toEqual(['crew', 'mayor', 'polecat']);
    expect(complete('gt config role-agent polecat co')).toEqual(['codex', 'copilot']);
    expect(complete('gt completion ')).toEqual(['bash', 'fish', 'zsh']);
    // A flag's value is not taken for a positional argument.
    expect(complete('gt config role-agent --rig app ')).toEqual(['crew', 'mayor', 'polecat']);
  });

  it('offers no rigs outside a town', () => {
    expect(complete('gt rig show ', base)).toEqual([]);
  });

  it('gt __complete prints one value a line, and nothing outside a town', () => {
    expect(gt(town, ['__complete', 'rigs']).stdout).toBe('app\ntools\n');
    expect(gt(town, ['__complete', 'addresses']).stdout.split('\n').filter(Boolean)).toEqual([
      'mayor',
      'app/refinery',
      'app/witness',
      'app/crew/alice',
      'tools/refinery',
      'tools/witness',
    ]);
    expect(gt(town, ['__complete', 'agents']).stdout.split('\n')).toEqual(
      expect.arrayContaining(['claude', 'claude-glm', 'sim']),
    );
    const outside = gt(base, ['__complete', 'rigs']);
    expect(outside).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(gt(town, ['__complete', 'nonsense'])).toMatchObject({ code: 0, stdout: '' });
  });

  /** Writes `gt completion <shell>` to a file and returns its path. */
  function saveScript(shell: string): string {
    const r = gt(base, ['completion', shell]);
    expect(r.code, r.stderr).toBe(0);
    const file = join(base, `gt.${shell}`);
    writeFileSync(file, r.stdout);
    return file;
  }

  const shellEnv = (): NodeJS.ProcessEnv => ({
    PATH: `${bin}:${process.env.PATH}`,
    HOME: base,
    XDG_CONFIG_HOME: join(base, 'xdg'),
    XDG_DATA_HOME: join(base, 'xdg'),
  });

  /**
   * What real zsh offers: its completion system loaded, the script sourced as a user would, the candidates asked of
   * it and kept when they start with the word being completed, as `compadd` keeps them.
   */
  function completeZsh(line: string): string[] {
    const file = saveScript('zsh');
    const words = line.split(' ');
    const args = words.slice(1).map((w) => `'${w}'`);
    const cur = args.pop() ?? "''";
    const body = `autoload -U compinit && compinit -u -D && source ${JSON.stringify(file)} && (( $+functions[_gt] )) && __gt_candidates ${cur} ${args.join(' ')}`;
    const r = spawnSync('zsh', ['-f', '-c', body], { cwd: town, encoding: 'utf8', env: shellEnv() });
    expect(r.status, r.stderr).toBe(0);
    const prefix = words.at(-1) ?? '';
    return r.stdout
      .split('\n')
      .filter((w) => w && w.startsWith(prefix))
      .sort();
  }

  /** What real fish offers for the command line: `complete -C` runs the loaded completions. */
  function completeFish(line: string): string[] {
    const file = saveScript('fish');
    const r = spawnSync(
      'fish',
      ['--no-config', '-c', `source ${JSON.stringify(file)}; complete -C ${JSON.stringify(line)}`],
      { cwd: town, encoding: 'utf8', env: shellEnv() },
    );
    expect(r.status, r.stderr).toBe(0);
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0] ?? '')
      .sort();
  }

  it('prints zsh and fish scripts that the real shells parse', () => {
    for (const shell of ['zsh', 'fish']) {
      const file = saveScript(shell);
      const check = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
      expect(check.status, check.stderr).toBe(0);
    }
    expect(gt(base, ['completion', 'zsh']).stdout).toMatch(/^#compdef gt/);
  });

  it("zsh completes commands, flags and the town's rigs like bash", () => {
    expect(completeZsh('gt ri')).toEqual(['rig']);
    expect(completeZsh('gt rig ')).toEqual(['add', 'dock', 'list', 'park', 'remove', 'show', 'undock', 'unpark']);
    expect(completeZsh('gt rig add --')).toEqual(['--branch', '--help', '--json', '--prefix']);
    expect(completeZsh('gt rig show ')).toEqual(['app', 'tools']);
    expect(completeZsh('gt config role-agent --rig app ')).toEqual(['crew', 'mayor', 'polecat']);
  });

  it("fish completes commands, flags and the town's rigs like bash", () => {
    expect(completeFish('gt ri')).toEqual(['rig']);
    expect(completeFish('gt rig ')).toEqual(['add', 'dock', 'list', 'park', 'remove', 'show', 'undock', 'unpark']);
    expect(completeFish('gt rig add --')).toEqual(['--branch', '--help', '--json', '--prefix']);
    expect(completeFish('gt rig show ')).toEqual(['app', 'tools']);
    expect(completeFish('gt config role-agent --rig app ')).toEqual(['crew', 'mayor', 'polecat']);
  });

  it('refuses an unknown shell, naming the ones it knows', () => {
    const r = gt(base, ['completion', 'powershell']);
    expectFailure(r, 2, /powershell/);
    expect(r.stderr).toMatch(/bash, zsh, fish/);
  });
});
