// SSH hosts (docs/hosts.md): for each host one line per thing its polecats need (ssh, its directory, git, tmux,
// node, Gas Town, the polecats' agent CLIs, free disk), each with what to do when it is missing.
import { checkHost, hostLines, loadHosts } from '../../providers/index.ts';
import type { TownPaths } from '../layout.ts';
import type { RigConfig, TownSettings } from '../schema.ts';
import { agentNeeds } from './runtimes.ts';
import type { PlannedCheck } from './types.ts';

export async function hostChecks(
  p: TownPaths,
  settings: TownSettings | undefined,
  rigs: readonly RigConfig[],
): Promise<PlannedCheck[]> {
  const hosts = loadHosts(p.settingsDir);
  if (hosts.length === 0) return [];
  // Only polecats run on hosts: the programs of the agents polecats use.
  const programs = settings
    ? agentNeeds(settings, rigs)
        .filter((n) => n.usedBy.some((u) => u === 'polecat' || u.endsWith(': polecat')))
        .map((n) => n.program)
    : [];
  const paths = { settingsDir: p.settingsDir, runtimeDir: p.runtime };
  const reports = await Promise.all(hosts.map((h) => checkHost(h, paths, { programs })));
  return hosts.flatMap((h, i) =>
    hostLines(h, reports[i]!).map((l): PlannedCheck => ({
      id: `host.${h.name}.${l.item}`,
      status: l.status,
      detail: l.detail,
      ...(l.hint ? { hint: l.hint } : {}),
    })),
  );
}
