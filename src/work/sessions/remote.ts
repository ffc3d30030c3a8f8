// Starting an agent on an SSH host (docs/hosts.md): the host's master connection with the tunnel to the town API,
// a token for the agent, shims for gt and bd, a clone of its rig through the town's git endpoint (`gt workspace
// clone`), and the environment its session starts with. The town stays the only writer of its store: on the host,
// gt and bd are clients of the town API through the tunnel.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GtError, isGtError, TOWN_EVENTS } from '../../kernel/index.ts';
import { addWorktree, checkoutRev, revParse } from '../../git/index.ts';
import { shellQuote, type NewSessionSpec } from '../../tmux/index.ts';
import {
  choosePlace,
  ensureMaster,
  findHost,
  LOCAL,
  loadHosts,
  loadPlacementRules,
  hostsFile,
  isK8sHost,
  listPlacements,
  placeAgent,
  placementOf,
  sshStartSession,
  unplaceAgent,
  type HostStartOutcome,
  type HostConfig,
  type PlaceChoice,
  type PlaceLoad,
  type Placement,
} from '../../providers/index.ts';
import { openTownStore, recordTownEvent, townFleet, townSocket, townTmux, type TownContext } from '../../town/index.ts';
import { getPolecat, listPolecats } from '../polecats/table.ts';
import { identityOf, type AgentIdentity } from './identity.ts';
import { workspaceScript } from './remote-workspace.ts';
import { prepareK8s } from './remote-k8s.ts';

/** Town API tokens for agents on hosts (the server's tokens module; the CLI sets it at start: work/ is below server/). */
export interface TokenIssuer {
  /** A new token for the agent (its older ones revoked), returned. */
  issue(town: TownContext, address: string): string;
  /** Revoke every token of the agent. */
  revoke(town: TownContext, address: string): void;
}

let issuer: TokenIssuer | undefined;

export function setTokenIssuer(t: TokenIssuer): void {
  issuer = t;
}

/** One town store for `fn`, closed after it. */
export function withStore<T>(town: TownContext, fn: (s: ReturnType<typeof openTownStore>) => T): T {
  const store = openTownStore(town);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

export interface RemoteStart {
  host: HostConfig;
  workdir: string;
  env: Record<string, string>;
  /** The host's preparation (token file, shims, workspace): run by the start's one ssh call (startOnHost). */
  prepare: string;
  /** The token, for the preparation's standard input. */
  input: string;
}

/** The host an agent is placed on, if any. */
export function placedOn(town: TownContext, address: string): Placement | undefined {
  if (!existsSync(hostsFile(town.paths.settingsDir))) return undefined; // no hosts: everything runs here
  return withStore(town, (s) => placementOf(s, address));
}

/** The town API's port on this machine, from the file `gt serve` writes. */
export function townApiPort(town: TownContext): number {
  const file = join(town.paths.runtime, 'town-api.json');
  const url = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { url?: string }).url : undefined;
  const port = url ? Number(new URL(url).port) : NaN;
  if (!Number.isInteger(port) || port <= 0) {
    throw new GtError('GT_NO_TOWN_API', 'the town API is not running, so an agent on a host cannot reach the town', {
      hint: 'start the daemon (gt daemon start starts gt serve when hosts are configured) or run gt serve',
    });
  }
  return port;
}

/** Polecats at work (working, or holding a bead) on each host, and on this machine (under `local`). */
export function polecatsAtWork(store: ReturnType<typeof openTownStore>): Map<string, number> {
  const where = new Map(listPlacements(store).map((p) => [p.address, p.host]));
  const out = new Map<string, number>();
  for (const p of listPolecats(store)) {
    if (p.bead === null && p.state !== 'working') continue;
    const at = where.get(`${p.rig}/${p.name}`) ?? LOCAL;
    out.set(at, (out.get(at) ?? 0) + 1);
  }
  return out;
}

/** Refuse a host at its cap: its placed agents whose polecat holds work count. */
export function requireHostRoom(town: TownContext, hostName: string): HostConfig {
  const h = findHost(town.paths.settingsDir, hostName);
  const busy = withStore(town, (s) => polecatsAtWork(s).get(h.name) ?? 0);
  if (busy >= h.max_polecats) {
    throw new GtError(
      'GT_HOST_FULL',
      `host ${h.name} runs ${busy} polecat(s), its cap (max_polecats ${h.max_polecats})`,
      {
        hint: `sling to another host or to this machine, or raise the cap with gt host add ${h.name} ${h.url} --max-polecats N`,
      },
    );
  }
  return h;
}

/**
 * Where the town places a new polecat of `rig` (no --host given): this machine or a host, by load, caps and the
 * affinity in settings/hosts.json (providers/placement.ts). Undefined when the town has no hosts.
 */
export function choosePolecatPlace(town: TownContext, rig: string): PlaceChoice | undefined {
  const hosts = loadHosts(town.paths.settingsDir);
  if (hosts.length === 0) return undefined;
  const rules = loadPlacementRules(
    town.paths.settingsDir,
    hosts.map((h) => h.name),
  );
  const busy = withStore(town, polecatsAtWork);
  const loads: PlaceLoad[] = [
    {
      name: LOCAL,
      running: busy.get(LOCAL) ?? 0,
      max: rules.local_max_polecats ?? town.settings.caps.polecats_per_town,
    },
    ...hosts.map((h) => ({ name: h.name, running: busy.get(h.name) ?? 0, max: h.max_polecats })),
  ];
  return choosePlace(loads, rules, rig, 'polecat');
}

/** Record a polecat's host as soon as its hook is claimed there, so the next placement counts it. */
export function placeClaimed(town: TownContext, rig: string, name: string, hostName: string): void {
  const h = findHost(town.paths.settingsDir, hostName);
  const id = identityOf(town, { kind: 'polecat', rig, name });
  withStore(town, (s) =>
    placeAgent(s, { address: id.address, session: id.session, host: h.name, workdir: remoteWorkdir(h, id) }),
  );
}

/** A claim given back: the polecat is no longer placed anywhere. */
export function unplaceClaimed(town: TownContext, address: string): void {
  if (existsSync(hostsFile(town.paths.settingsDir))) withStore(town, (s) => unplaceAgent(s, address));
}

/** Where a polecat works on a host. */
export function remoteWorkdir(h: HostConfig, id: AgentIdentity): string {
  return `${h.dir}/work/${id.rig ?? 'town'}/${id.name}`;
}

/**
 * Make the town ready for the agent on the host and place it there: tunnel, token; and the script that readies the
 * host (token file, shims, workspace cloned once: a restart on the same host keeps it), run by startOnHost in the
 * same ssh call as the session's start. Returns the session's working directory and environment on the host.
 */
export async function prepareRemote(town: TownContext, id: AgentIdentity, hostName: string): Promise<RemoteStart> {
  if (id.role !== 'polecat' || !id.rig) {
    throw new GtError('GT_HOST_ROLE', `${id.address} is a ${id.role}; only polecats run on hosts for now`, {
      kind: 'usage',
      hint: 'sling polecat work with --host; other roles run in the town',
    });
  }
  if (!issuer) throw new GtError('INTERNAL', 'no token issuer is set for starting agents on hosts');
  const h = findHost(town.paths.settingsDir, hostName);
  if (isK8sHost(h)) return prepareK8s(town, id, h, () => issuer!.issue(town, id.address));
  const paths = { settingsDir: town.paths.settingsDir, runtimeDir: town.paths.runtime };
  await ensureMaster(h, paths, townApiPort(town));
  // The branch must not be checked out in the town, or the town's git refuses the host's pushes to it.
  const local = withStore(town, (s) => getPolecat(s, id.rig!, id.name));
  if (local && existsSync(local.worktree)) checkoutRev(local.worktree, { detach: true });
  const branchAt = local?.branch ? revParse(town.paths.repo(id.rig), local.branch) : undefined;
  const token = issuer.issue(town, id.address);
  const workdir = remoteWorkdir(h, id);
  const bin = `${h.dir}/bin`;
  const tokenFile = `${h.dir}/tokens/${id.address.replaceAll('/', '_')}.token`;
  const url = `http://127.0.0.1:${h.tunnel_port}`;
  const q = shellQuote;
  const shim = (tool: string): string =>
    `cat > ${q(`${bin}/${tool}`)} <<'GT_SHIM'\n#!/bin/sh\nexec ${q(h.node)} ${q(`${h.gt_root}/bin/${tool}.js`)} "$@"\nGT_SHIM\nchmod 755 ${q(`${bin}/${tool}`)}`;
  const prepare = [
    'umask 077',
    `mkdir -p ${q(`${h.dir}/tokens`)} ${q(bin)} ${q(`${h.dir}/work/${id.rig}`)} ${q(`${h.dir}/no-forge-credentials`)}`,
    `cat > ${q(tokenFile)}`,
    'umask 022',
    shim('gt'),
    shim('bd'),
    // One clone of the rig per host, a worktree per polecat (remote-workspace.ts); without a branch in the town's
    // record (not expected for a polecat with work), the agent's own `gt workspace clone`.
    local?.branch
      ? workspaceScript({
          dir: h.dir,
          rig: id.rig,
          workdir,
          branch: local.branch,
          ...(branchAt ? { commit: branchAt } : {}),
          gitUrl: `${url}/git/${encodeURIComponent(id.rig)}.git`,
          tokenFile,
          gt: `${bin}/gt`,
        })
      : `if [ ! -e ${q(`${workdir}/.git`)} ]; then GT_TOWN_URL=${q(url)} GT_TOWN_TOKEN_FILE=${q(tokenFile)} ${q(`${bin}/gt`)} workspace clone ${q(workdir)} >/dev/null; fi`,
    'umask 022',
  ].join('\n');
  withStore(town, (s) => placeAgent(s, { address: id.address, session: id.session, host: h.name, workdir }));
  const env: Record<string, string> = {
    GT_ROLE: id.role,
    GT_NAME: id.name,
    GT_ADDRESS: id.address,
    GT_SESSION: id.session,
    GT_RIG: id.rig,
    GT_HOST: h.name,
    GT_TOWN_URL: url,
    GT_TOWN_TOKEN_FILE: tokenFile,
    BD_ACTOR: id.address,
    GIT_AUTHOR_NAME: id.git.name,
    GIT_AUTHOR_EMAIL: id.git.email,
    GIT_COMMITTER_NAME: id.git.name,
    GIT_COMMITTER_EMAIL: id.git.email,
    PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
    // As in the town (env.ts): a polecat has no forge credentials.
    GITHUB_TOKEN: '',
    GH_TOKEN: '',
    GH_ENTERPRISE_TOKEN: '',
    GITHUB_ENTERPRISE_TOKEN: '',
    GH_CONFIG_DIR: `${h.dir}/no-forge-credentials`,
  };
  if (town.env.GT_SIM_POLL_MS) env.GT_SIM_POLL_MS = town.env.GT_SIM_POLL_MS;
  return { host: h, workdir, env, prepare, input: `${token}\n` };
}

/** Ready the host and start the session there, in one ssh call that also waits there for the ready prompt. */
export async function startOnHost(
  town: TownContext,
  remote: RemoteStart,
  session: NewSessionSpec,
  readyPattern: string | undefined,
): Promise<HostStartOutcome> {
  // A Kubernetes host: the provider creates the pod (which clones and starts the agent) and follows it until it runs.
  if (isK8sHost(remote.host)) {
    await townTmux(town).newSession(session);
    return { status: 'created', snapshot: undefined, readySeen: false };
  }
  const paths = { settingsDir: town.paths.settingsDir, runtimeDir: town.paths.runtime };
  return sshStartSession(remote.host, paths, townSocket(town), {
    prepare: remote.prepare,
    input: remote.input,
    session,
    ...(readyPattern !== undefined ? { readyPattern } : {}),
  });
}

/** Errors that say the host itself is gone (not reachable, or no longer the host whose key Gas Town trusts). */
export function isHostLost(e: unknown): boolean {
  return isGtError(e) && ['GT_HOST_UNREACHABLE', 'GT_HOST_KEY', 'GT_HOST_AUTH'].includes(e.code);
}

/**
 * An agent whose host is lost carries on here: it is no longer placed there, its tokens are revoked (the session
 * left on the host, if it still runs, can no longer reach the town, push or land anything), and the polecat's
 * worktree in the town is put on its branch as last pushed from the host (each commit there was pushed at once).
 */
export function moveHere(town: TownContext, id: AgentIdentity, hostName: string, why: string): void {
  withStore(town, (s) => unplaceAgent(s, id.address));
  issuer?.revoke(town, id.address);
  const p = withStore(town, (s) => getPolecat(s, id.rig!, id.name));
  let head: string | null = null;
  if (p?.branch) {
    const repo = town.paths.repo(p.rig);
    if (!existsSync(p.worktree)) addWorktree(repo, p.worktree, p.branch);
    else if (!checkoutRev(p.worktree, p.branch))
      throw new GtError(
        'GIT_FAILED',
        `cannot check out ${p.branch} in ${p.worktree}: it holds changes that would be overwritten`,
      );
    head = revParse(p.worktree, 'HEAD') ?? null;
  }
  withStore(town, (s) =>
    recordTownEvent(s, {
      kind: TOWN_EVENTS.polecat.moved,
      subject: p?.bead ?? id.address,
      reason: `${id.address}: host ${hostName} is lost (${why}); its hook carries on on this machine${head ? ` from ${p!.branch} at ${head.slice(0, 12)}` : ''}`,
      data: { from_host: hostName, to: 'local', head },
    }),
  );
}

const lastReconcile = new Map<string, number>();

/**
 * Stop sessions left on a host for agents no longer placed there (moved away while the host was lost). Each host is
 * looked at most every `everyMs`; one that does not answer is skipped. Returns what was stopped.
 */
export async function reconcileHosts(town: TownContext, everyMs = 5000): Promise<{ host: string; session: string }[]> {
  if (!existsSync(hostsFile(town.paths.settingsDir))) return [];
  const stopped: { host: string; session: string }[] = [];
  const fleet = townFleet(town);
  const placed = withStore(town, (s) => listPlacements(s));
  for (const [name, provider] of fleet.hosts) {
    const key = `${town.root}\0${name}`;
    if ((lastReconcile.get(key) ?? 0) > Date.now()) continue;
    lastReconcile.set(key, Date.now() + everyMs);
    let sessions;
    try {
      sessions = await provider.list();
    } catch {
      lastReconcile.set(key, Date.now() + 4 * everyMs); // not reachable now: looked at again later
      continue;
    }
    const mine = new Set(placed.filter((p) => p.host === name).map((p) => p.session));
    for (const x of sessions) {
      if (mine.has(x.name)) continue;
      if (await provider.stop(x.name)) {
        stopped.push({ host: name, session: x.name });
        withStore(town, (s) =>
          recordTownEvent(s, {
            kind: TOWN_EVENTS.polecat.staleStopped,
            subject: x.name,
            reason: `host ${name} is back; its session ${x.name} belongs to no agent placed there now, so it was stopped (its workspace stays)`,
            data: { host: name, session: x.name },
          }),
        );
      }
    }
  }
  return stopped;
}
