// gt demo end to end: a town, a sample project, six beads in a convoy worked by sim agents and landed by the
// refinery through the daemon; main holds all six changes; nothing is left running.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectFailure, git, gt, gtAsync, tempDir } from './support/gt.ts';

describe('gt demo', () => {
  const t = tempDir('gt demo');
  afterAll(() => t.cleanup());

  it('lands six beads on main of the sample project with sim agents, says where the work is, and stops everything it started', () => {
    const dir = join(t.dir, 'demo here');
    const r = gt(t.dir, ['demo', '--dir', dir, '--keep'], { env: { GT_TMUX_SOCKET: `gt-test-demo-${process.pid}` } });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/Landed: all 6 beads of convoy \S+ are merged/);
    const town = /The town is kept at (.*)\. Look around:/.exec(r.stdout)![1]!;
    const project = join(dir, 'greeter-src');
    // The last line says where the work is: main of the sample project the rig came from, which really has it.
    expect(r.stdout.trimEnd().split('\n').pop()).toBe(`The work is in ${project} on main.`);
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toContain('## API');
    expect(git(project, ['status', '--porcelain'])).toBe('');
    expect(git(project, ['rev-parse', 'main'])).toBe(git(join(town, 'greeter', '.repo.git'), ['rev-parse', 'main']));
    // Dependency order: the command line landed after both functions it uses.
    const order = git(project, ['log', '--reverse', '--format=%s', 'main']).split('\n');
    const at = (title: string) => order.findIndex((s) => s.includes(title));
    expect(at('command-line entry point')).toBeGreaterThan(at('greet function'));
    expect(at('command-line entry point')).toBeGreaterThan(at('farewell function'));
    expect(at('Document the API')).toBeGreaterThan(at('command-line entry point'));
    expect(spawnSync('tmux', ['-L', `gt-test-demo-${process.pid}`, 'ls']).status).not.toBe(0);
    expect(spawnSync('pgrep', ['-f', town]).status).not.toBe(0);
  });

  /** Starts the demo, and once its daemon runs, interrupts it the given way; resolves with how it ended. */
  const interruptedDemo = (dir: string, socket: string, how: 'SIGINT' | 'closed pipe') =>
    gtAsync(t.dir, ['demo', '--dir', dir], { GT_TMUX_SOCKET: socket }, (soFar, child) => {
      if (!soFar.includes('Daemon started')) return;
      if (how === 'SIGINT') child.kill('SIGINT');
      else child.stdout?.destroy(); // as `gt demo | head` does once head has its lines
    });

  it.each(['SIGINT', 'closed pipe'] as const)(
    'stops its daemon and agents and removes its town when interrupted (%s)',
    async (how) => {
      const dir = join(t.dir, `interrupted ${how}`);
      const socket = `gt-test-demo-int-${process.pid}`;
      const r = await interruptedDemo(dir, socket, how);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/interrupted; it stopped its daemon and agents/);
      expect(spawnSync('tmux', ['-L', socket, 'ls']).status, 'the tmux server is gone').not.toBe(0);
      expect(spawnSync('pgrep', ['-f', dir]).status, 'no process of the demo runs').not.toBe(0);
      expect(existsSync(dir)).toBe(false);
    },
  );

  it('refuses a --dir that is not empty, touching nothing', () => {
    const dir = join(t.dir, 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    expectFailure(gt(t.dir, ['demo', '--dir', dir]), 2, /is not empty/);
  });
});
