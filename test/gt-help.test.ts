// Every gt command's --help ends with an example a person (or an agent) can copy: a line starting with `gt `.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildGtProgram, runGt } from '../src/cli/gt/main.ts';
import type { CliIo } from '../src/cli/shared/runtime.ts';

function captureIo(): CliIo & { text: () => string } {
  let out = '';
  return {
    cwd: process.cwd(),
    env: { ...process.env, GT_ROOT: '' },
    out: (t) => void (out += t),
    err: (t) => void (out += t),
    stdin: () => '',
    text: () => out,
  };
}

/** Paths of every leaf command (no subcommands), e.g. ["config", "agent", "set"]. */
function leaves(cmd: Command, path: string[] = []): string[][] {
  if (cmd.commands.length === 0) return path.length ? [path] : [];
  return cmd.commands.flatMap((c) => leaves(c, [...path, c.name()]));
}

/** True when the help has an "Example(s):" heading followed by at least one line `gt …`. */
function hasGtExample(help: string): boolean {
  const lines = help.split('\n');
  const at = lines.findIndex((l) => /^\s*Examples?:?\s*$/.test(l) || /^\s*Examples?:/.test(l));
  return at >= 0 && lines.slice(at).some((l) => /^\s*gt /.test(l));
}

describe('gt --help', () => {
  const commands = leaves(buildGtProgram(captureIo()));

  it('finds the command tree', () => {
    expect(commands.length).toBeGreaterThan(10);
    expect(commands.map((c) => c.join(' '))).toEqual(
      expect.arrayContaining(['install', 'rig add', 'config agent set', 'doctor', 'completion']),
    );
  });

  it('shows an example starting with "gt " for every leaf command', async () => {
    const missing: string[] = [];
    for (const path of commands) {
      const io = captureIo();
      const code = await runGt([...path, '--help'], io);
      expect(code, `gt ${path.join(' ')} --help`).toBe(0);
      if (!hasGtExample(io.text())) missing.push(`gt ${path.join(' ')}`);
    }
    expect(
      missing,
      `commands whose --help has no "Example" line starting with "gt ":\n  ${missing.join('\n  ')}`,
    ).toEqual([]);
  });

  it('groups the commands as Gas Town users know them, every one in a group', async () => {
    const io = captureIo();
    expect(await runGt(['--help'], io)).toBe(0);
    const headings = io
      .text()
      .split('\n')
      .filter((l) => /^[A-Z][a-z]*:$/.test(l));
    expect(headings).toEqual(['Options:', 'Workspace:', 'Agents:', 'Work:', 'Comm:', 'Config:', 'Diag:']);
    const section = (h: string): string[] => {
      const lines = io.text().split('\n');
      const from = lines.indexOf(h) + 1;
      const to = lines.findIndex((l, i) => i >= from && l.trim() === '');
      return lines.slice(from, to).map((l) => l.trim().split(/\s+/)[0]!);
    };
    expect(section('Workspace:')).toEqual(expect.arrayContaining(['up', 'down', 'shutdown', 'rig', 'crew']));
    expect(section('Agents:')).toEqual(expect.arrayContaining(['mayor', 'polecat']));
    expect(section('Work:')).toEqual(expect.arrayContaining(['sling', 'hook', 'convoy', 'mq']));
    expect(section('Comm:')).toEqual(expect.arrayContaining(['mail', 'nudge', 'escalate']));
    expect(section('Diag:')).toEqual(expect.arrayContaining(['status', 'log', 'whoami', 'version', 'help']));
  });
});
