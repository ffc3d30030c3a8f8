// The town's providers together: this machine and each SSH host. Its `tmux` is a client of the same shape as one
// tmux server's, routing each session's calls to the provider the session is placed on (placements.ts), so every
// caller of the town's tmux (peek, nudge, agents, the daemon's observations, mail notices) works for remote agents
// unchanged. A host that does not answer contributes no sessions to a listing (its agents then look gone).
import type { PaneSnapshot, SessionInfo, TmuxClient } from '../tmux/index.ts';
import { isK8sHost, type HostConfig } from './hosts.ts';
import { k8sProvider } from './k8s.ts';
import { sshProvider } from './ssh.ts';
import { localProvider } from './tmux-provider.ts';
import type { RuntimeProvider } from './types.ts';

export interface FleetContext {
  socket: string;
  env: NodeJS.ProcessEnv;
  runtimeDir: string;
  settingsDir: string;
}

export interface Fleet {
  local: RuntimeProvider;
  hosts: ReadonlyMap<string, RuntimeProvider>;
  /** The provider a session runs on. */
  providerOf(session: string): RuntimeProvider;
  /** The host a session runs on; null for this machine. */
  hostOf(session: string): string | null;
  tmux: TmuxClient;
}

/** `sessionHosts` is read once, when a session is first routed, and again after a session is created. */
export function createFleet(
  ctx: FleetContext,
  hosts: readonly HostConfig[],
  sessionHosts: () => ReadonlyMap<string, string>,
): Fleet {
  const local = localProvider(ctx);
  const byHost = new Map(hosts.map((h) => [h.name, isK8sHost(h) ? k8sProvider(h, ctx) : sshProvider(h, ctx)] as const));
  let placed: ReadonlyMap<string, string> | undefined;
  const hostOf = (session: string): string | null => {
    placed ??= sessionHosts();
    const h = placed.get(session);
    return h !== undefined && byHost.has(h) ? h : null;
  };
  const providerOf = (session: string): RuntimeProvider => {
    const h = hostOf(session);
    return h === null ? local : byHost.get(h)!;
  };
  const t = (session: string): TmuxClient => providerOf(session).tmux;
  const all = [local, ...byHost.values()];

  const tmux: TmuxClient = {
    ...local.tmux,
    // This machine's server only: its sessions' processes are this machine's (a host's pids are not).
    killServer: (graceMs) => local.tmux.killServer(graceMs),
    newSession: async (spec) => {
      placed = undefined;
      await t(spec.name).newSession(spec);
    },
    hasSession: (n) => t(n).hasSession(n),
    killSession: (n) => t(n).killSession(n),
    async listSessions(): Promise<SessionInfo[]> {
      const lists = await Promise.all(all.map((p) => (p === local ? p.tmux.listSessions() : listHost(ctx, p))));
      // A host's sessions count only for agents placed there: one left behind by an agent moved away (its host was
      // lost, then came back) has the name of the agent's new session and is stopped by the reconcile step.
      return lists.flatMap((list, i) =>
        all[i] === local ? list : list.filter((x) => hostOf(x.name) === all[i]!.host),
      );
    },
    capturePane: (n, o) => t(n).capturePane(n, o),
    snapshot: (n) => t(n).snapshot(n),
    async snapshotMany(names): Promise<Map<string, PaneSnapshot>> {
      const groups = new Map<RuntimeProvider, string[]>();
      for (const n of names) groups.set(providerOf(n), [...(groups.get(providerOf(n)) ?? []), n]);
      const out = new Map<string, PaneSnapshot>();
      await Promise.all(
        [...groups].map(async ([p, ns]) => {
          const got = await p.tmux
            .snapshotMany(ns)
            .catch((e: unknown) => (p === local ? Promise.reject(e) : new Map<string, PaneSnapshot>()));
          for (const [k, v] of got) out.set(k, v);
        }),
      );
      return out;
    },
    sendText: (n, text) => t(n).sendText(n, text),
    sendKeys: (n, ...keys) => t(n).sendKeys(n, ...keys),
    exitCopyMode: (n) => t(n).exitCopyMode(n),
    wake: (n) => t(n).wake(n),
    detachClients: (n) => t(n).detachClients(n),
    attachCommand: (n) => t(n).attachCommand(n),
    setOption: (n, option, value, o) => t(n).setOption(n, option, value, o),
    setEnvironment: (n, key, value) => t(n).setEnvironment(n, key, value),
  };
  return { local, hosts: byHost, providerOf, hostOf, tmux };
}

/** When each host last failed to answer a listing (by town socket and host): it is not asked again for a while. */
const downSince = new Map<string, number>();
const DOWN_RETRY_MS = 10_000;

/** A host's sessions; none while it does not answer (asked again after DOWN_RETRY_MS, so a tick does not wait on it). */
async function listHost(ctx: FleetContext, p: RuntimeProvider): Promise<SessionInfo[]> {
  const key = `${ctx.socket}\0${p.name}`;
  const down = downSince.get(key);
  if (down !== undefined && Date.now() - down < DOWN_RETRY_MS) return [];
  try {
    const list = await p.tmux.listSessions();
    downSince.delete(key);
    return list;
  } catch {
    downSince.set(key, Date.now());
    return [];
  }
}
