// The town's tmux client: the private socket named from the town (never the user's own server). With SSH hosts
// configured (settings/hosts.json), the client routes each session's calls to the host it was placed on
// (src/providers, docs/hosts.md); without, it is this machine's server alone, as before.
import { existsSync } from 'node:fs';
import { createTmux, type TmuxClient } from '../tmux/index.ts';
import { createFleet, hostsFile, listPlacements, loadHosts, type Fleet } from '../providers/index.ts';
import { townSocket } from './addresses.ts';
import type { TownContext } from './context.ts';
import { openTownStore } from './rig-beads.ts';

export function townTmux(town: TownContext): TmuxClient {
  if (!existsSync(hostsFile(town.paths.settingsDir))) return createTmux({ socket: townSocket(town), env: town.env });
  return townFleet(town).tmux;
}

/** This machine and the town's SSH hosts, with the sessions placed on hosts. */
export function townFleet(town: TownContext): Fleet {
  const ctx = {
    socket: townSocket(town),
    env: town.env,
    runtimeDir: town.paths.runtime,
    settingsDir: town.paths.settingsDir,
  };
  return createFleet(ctx, loadHosts(town.paths.settingsDir), () => {
    const store = openTownStore(town);
    try {
      return new Map(listPlacements(store).map((p) => [p.session, p.host]));
    } finally {
      store.close();
    }
  });
}
