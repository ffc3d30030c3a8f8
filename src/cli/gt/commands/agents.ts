// gt agents: every agent of the town with its role, rig, runtime, state, hook and last activity.
import type { Command } from 'commander';
import { listAgents, type AgentView } from '../../../work/sessions/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerAgents(program: Command, ctx: GtCtx): void {
  program
    .command('agents')
    .description('list every agent: role, rig, runtime, state (starting, working, idle, stuck, dead), hook')
    .option('--rig <rig>', 'only agents of this rig')
    .option('--all', 'include stopped agents')
    .addHelpText('after', '\nExamples:\n  gt agents\n  gt agents --rig myproject --json')
    .action(async (o: { rig?: string; all?: boolean }) => {
      const all = await listAgents(ctx.town());
      const list = all.filter((a) => (o.all || a.state !== 'stopped') && (!o.rig || a.rig === o.rig));
      emit(ctx.io, ctx.json(), { data: list, text: render(list) });
    });
}

function render(list: readonly AgentView[]): string {
  if (list.length === 0) return 'No agents running. Start the Mayor with: gt mayor start';
  // The HOST column shows once any agent runs on an SSH host (docs/hosts.md); `local` is this machine.
  const hosts = list.some((a) => a.host !== null);
  const rows = list.map((a) => [
    a.address,
    a.role,
    a.runtime + (a.pinned ? ' (pinned)' : ''),
    a.state + (a.attached ? '*' : ''),
    a.hooked_bead ?? '-',
    ago(a.last_activity),
    ...(hosts ? [a.host ?? 'local'] : []),
  ]);
  const head = ['AGENT', 'ROLE', 'RUNTIME', 'STATE', 'HOOK', 'ACTIVE', ...(hosts ? ['HOST'] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  // Why a stuck or dead agent is so goes on its own line under it: it is a sentence, not a column.
  return [line(head), ...list.flatMap((a, i) => [line(rows[i]!), ...(a.reason ? [`  ↳ ${a.reason}`] : [])])].join('\n');
}

function ago(iso: string | null): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}
