// Starting a polecat in a Kubernetes host (docs/kubernetes.md): a fresh town API token for it in a Secret of the
// namespace, its branch free to be pushed to (the town's worktree detached), its placement, and the environment its
// pod's agent starts with. The pod itself (clone, tmux, agent) is made by the k8s provider's start.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GtError } from '../../kernel/index.ts';
import { checkoutRev } from '../../git/index.ts';
import {
  findHost,
  isK8sHost,
  placeAgent,
  POD_ENV,
  prepareK8sStart,
  type HostConfig,
  type K8sSettings,
} from '../../providers/index.ts';
import { openTownStore, townSocket, type TownContext } from '../../town/index.ts';
import { getPolecat } from '../polecats/table.ts';
import type { AgentIdentity } from './identity.ts';

function withStore<T>(town: TownContext, fn: (s: ReturnType<typeof openTownStore>) => T): T {
  const store = openTownStore(town);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

const POD_HOME = '/home/agent';

/** The URL pods reach the town API at: the host's `town_url`, else the one the town API listens on. */
export function podTownUrl(town: TownContext, s: K8sSettings): string {
  if (s.town_url) return s.town_url;
  const file = join(town.paths.runtime, 'town-api.json');
  const url = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { url?: string }).url : undefined;
  if (!url) {
    throw new GtError('GT_NO_TOWN_API', 'the town API is not running, so a pod cannot reach the town', {
      hint: 'start the daemon (it starts gt serve when hosts are configured), or run gt serve --bind <address>',
    });
  }
  return url;
}

/** Where a polecat works in its pod. */
function podWorkdir(h: HostConfig, id: AgentIdentity): string {
  return `${h.dir}/${id.rig}/${id.name}`;
}

/**
 * A polecat slung to a Kubernetes host is placed there before anything else of its start (a pod takes seconds):
 * a restart the daemon decides meanwhile then goes to the same host, where the start lock and the pod it finds make
 * it step back, instead of starting the agent a second time on this machine.
 */
export function placeOnK8sEarly(town: TownContext, id: AgentIdentity, hostName: string): void {
  if (id.role !== 'polecat' || !id.rig) return;
  const h = findHost(town.paths.settingsDir, hostName);
  if (!isK8sHost(h)) return;
  withStore(town, (s) =>
    placeAgent(s, { address: id.address, session: id.session, host: h.name, workdir: podWorkdir(h, id) }),
  );
}

export async function prepareK8s(
  town: TownContext,
  id: AgentIdentity,
  h: HostConfig & { k8s: K8sSettings },
  issueToken: () => string,
): Promise<{ host: HostConfig; workdir: string; env: Record<string, string>; prepare: string; input: string }> {
  const townUrl = podTownUrl(town, h.k8s);
  const workdir = podWorkdir(h, id);
  withStore(town, (s) => placeAgent(s, { address: id.address, session: id.session, host: h.name, workdir }));
  // The branch must not be checked out in the town, or the town's git refuses the pod's pushes to it.
  const local = withStore(town, (s) => getPolecat(s, id.rig!, id.name));
  if (local && existsSync(local.worktree)) checkoutRev(local.worktree, { detach: true });
  // Refuses (TMUX_SESSION_EXISTS) when another starter's pod runs already; holds the start lock until the pod exists.
  await prepareK8sStart(h, { socket: townSocket(town), runtimeDir: town.paths.runtime }, id.session, issueToken);
  const env: Record<string, string> = {
    GT_ROLE: id.role,
    GT_NAME: id.name,
    GT_ADDRESS: id.address,
    GT_SESSION: id.session,
    GT_RIG: id.rig!,
    GT_HOST: h.name,
    GT_TOWN_URL: townUrl,
    GT_TOWN_TOKEN_FILE: '/var/run/gastown/token/token',
    BD_ACTOR: id.address,
    GIT_AUTHOR_NAME: id.git.name,
    GIT_AUTHOR_EMAIL: id.git.email,
    GIT_COMMITTER_NAME: id.git.name,
    GIT_COMMITTER_EMAIL: id.git.email,
    // As in the town (env.ts): a polecat has no forge credentials.
    GITHUB_TOKEN: '',
    GH_TOKEN: '',
    GH_ENTERPRISE_TOKEN: '',
    GITHUB_ENTERPRISE_TOKEN: '',
    GH_CONFIG_DIR: `${POD_HOME}/.gastown/no-forge-credentials`,
    ...(local?.bead ? { [POD_ENV.bead]: local.bead } : {}),
  };
  if (town.env.GT_SIM_POLL_MS) env.GT_SIM_POLL_MS = town.env.GT_SIM_POLL_MS;
  // Nothing to run on a host before the start: the pod's own script readies its workspace.
  return { host: h, workdir, env, prepare: '', input: '' };
}
