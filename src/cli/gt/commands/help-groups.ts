// The groups `gt --help` lists commands under, as Gas Town users know them (Workspace, Agents, Work, Comm, Config,
// Diag); a command missing here is listed under "Commands:" (the help test fails on that).
import type { Command } from 'commander';

export const HELP_GROUPS: Readonly<Record<string, readonly string[]>> = {
  'Workspace:': [
    'install',
    'rig',
    'crew',
    'up',
    'down',
    'shutdown',
    'daemon',
    'dashboard',
    'serve',
    'host',
    'workspace',
    'demo',
  ],
  'Agents:': ['mayor', 'polecat', 'refinery', 'agents', 'peek', 'attach', 'prime', 'handoff'],
  'Work:': ['sling', 'unsling', 'hook', 'done', 'convoy', 'mq', 'trail'],
  'Comm:': ['mail', 'nudge', 'escalate'],
  'Config:': ['config', 'hooks', 'token', 'completion'],
  'Diag:': ['status', 'doctor', 'feed', 'log', 'seance', 'whoami', 'version', 'costs'],
};

/** Put each top-level command in its group, the groups in the order above (help itself goes with Diag). */
export function groupCommands(program: Command): void {
  const order = Object.values(HELP_GROUPS).flat();
  const groupOf = new Map(Object.entries(HELP_GROUPS).flatMap(([g, names]) => names.map((n) => [n, g] as const)));
  for (const c of program.commands) {
    const g = groupOf.get(c.name());
    if (g) c.helpGroup(g);
  }
  const rank = (c: Command): number => (order.includes(c.name()) ? order.indexOf(c.name()) : order.length);
  (program.commands as Command[]).sort((a, b) => rank(a) - rank(b));
  program.commandsGroup('Diag:').helpCommand('help [command]', 'display help for a command');
}
