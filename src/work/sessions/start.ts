// Starting an agent in its tmux session: the runtime's command with the role's environment, its hook settings,
// past any startup dialog to the ready prompt, and recorded in the agents table.
import { GtError, installRoot, isoNow, messageOf } from '../../kernel/index.ts';
import { findOnPath } from '../../proc/index.ts';
import { buildCommand, dialogReason, resolvePreset, nudge, type AgentPreset } from '../../agents/index.ts';
import { openTownStore, townSocket, type TownContext } from '../../town/index.ts';
import { getAgent, recordStart, setAgentState, type AgentState } from '../../agents/table.ts';
import { ensureShims, roleEnv } from './env.ts';
import { requireWorkdir, type AgentIdentity } from './identity.ts';
import { prepareRuntime, startupGate, type RuntimeSetup, type StartupGate } from './runtime-setup.ts';
import { captureDeadPane, clearLastExit, howItEnded, lastWords, recordLastExit, type LastExit } from './last-exit.ts';
import { townTmux } from '../../town/index.ts';
import { isHostLost, moveHere, placedOn, prepareRemote, startOnHost } from './remote.ts';
import { remoteRuntime } from './remote-runtime.ts';
import { createTmux, type PaneSnapshot } from '../../tmux/index.ts';
import type { HostStartOutcome } from '../../providers/index.ts';
import { markStarting } from './starting.ts';
import { placeOnK8sEarly } from './remote-k8s.ts';

export interface StartRequest {
  identity: AgentIdentity;
  /** Agent name (preset or defined in settings). */
  agent: string;
  /** The first prompt, as is; default: for runtimes without a session-start hook, an instruction to run `gt prime`. */
  prompt?: string;
  /**
   * What to tell the agent after who it is (e.g. "Your hook holds gt-abc."), when no `prompt` is given: after the
   * instruction to run `gt prime` for a runtime without a session-start hook, after its name alone for one whose
   * hook has primed it already (the prime context holds the hook; a second prime would only repeat it).
   */
  message?: string;
  /**
   * Run it on this SSH host (settings/hosts.json; docs/hosts.md). Without one, an agent placed on a host before
   * (its restarts) starts there again, any other here.
   */
  host?: string;
  /** Resume the runtime's own conversation (restart), when the runtime can and a session id was recorded. */
  resume?: boolean;
  readyTimeoutMs?: number;
}

export type StartResult =
  | {
      status: 'started';
      address: string;
      session: string;
      agent: string;
      state: AgentState;
      readyBy: 'prompt' | 'delay' | 'busy';
      dialogsAnswered: string[];
      elapsedMs: number;
      resumed: boolean;
    }
  | {
      status: 'already-running';
      address: string;
      session: string;
      agent: string;
      /** The session appeared between this start's look and its own start: it was started just now, for the current hook. */
      startedElsewhere?: true;
    };

/** The runtime the agent's record says runs in its session (the request's when none is recorded). */
function recordedRuntime(town: TownContext, req: StartRequest): string {
  return withStore(town, (s) => getAgent(s, req.identity.address))?.runtime ?? req.agent;
}

/** The session runs already; `elsewhere`: another starter made it just now, for the current hook. */
function alreadyRunning(req: StartRequest, agent: string, elsewhere = false): StartResult {
  return {
    status: 'already-running',
    address: req.identity.address,
    session: req.identity.session,
    agent,
    ...(elsewhere ? { startedElsewhere: true as const } : {}),
  };
}

export async function startAgent(town: TownContext, req: StartRequest): Promise<StartResult> {
  // One starter at a time per session, marked for the daemon too (starting.ts): a start on a host takes seconds
  // before its session exists, and a second start meanwhile would run a second agent on the same hook.
  const release = markStarting(town, req.identity.session);
  if (!release) {
    return alreadyRunning(req, recordedRuntime(town, req), true);
  }
  try {
    return await startMarked(town, req);
  } finally {
    release();
  }
}

async function startMarked(town: TownContext, req: StartRequest): Promise<StartResult> {
  const preset = resolvePreset(req.agent, town.settings.agents);
  const hostName = req.host ?? placedOn(town, req.identity.address)?.host;
  if (req.host !== undefined) placeOnK8sEarly(town, req.identity, req.host);
  let tmux = townTmux(town);
  // Here: this machine's server alone (not every host's). On a host: the start's own ssh call looks (startOnHost).
  const existing =
    hostName === undefined
      ? (await createTmux({ socket: townSocket(town), env: town.env }).listSessions()).find(
          (s) => s.name === req.identity.session,
        )
      : undefined;
  if (existing && !existing.paneDead) {
    return alreadyRunning(req, recordedRuntime(town, req));
  }
  if (existing) await tmux.killSession(req.identity.session); // a pane kept after its program exited: nothing runs there
  // On a host: its workspace, token and environment there, and its runtime's hook settings (remoteRuntime).
  let remote: Awaited<ReturnType<typeof prepareRemote>> | undefined;
  if (hostName !== undefined) {
    try {
      remote = await prepareRemote(town, req.identity, hostName);
    } catch (e) {
      // Another starter (the daemon, a sling) has its session starting there already (a pod takes seconds).
      if (e instanceof GtError && e.code === 'TMUX_SESSION_EXISTS') return alreadyRunning(req, req.agent, true);
      // The host it was placed on is lost (a restart, not a new placement): the hook carries on here.
      if (req.host !== undefined || !isHostLost(e)) throw e;
      moveHere(town, req.identity, hostName, messageOf(e));
      tmux = townTmux(town);
    }
  }
  if (remote) tmux = townTmux(town); // routes the session to its host now that it is placed
  const id = remote ? { ...req.identity, workdir: remote.workdir } : req.identity;
  if (!remote) requireWorkdir(id);
  const env = remote ? remote.env : roleEnv(town, id, ensureShims(town));
  if (!remote) requireProgram(preset, req.agent, env.PATH!);
  let setup: RuntimeSetup;
  if (remote) ({ setup, remote } = remoteRuntime(town, id, preset, remote));
  else setup = prepareRuntime(town, id, preset, env);
  const previous = req.resume ? withStore(town, (s) => getAgent(s, id.address)) : undefined;
  // Only a conversation of the same runtime can be resumed (the polecat's agent may have changed since).
  const resumeId =
    previous?.session_id && preset.resume && previous.runtime === req.agent ? previous.session_id : undefined;
  // A resumed conversation already has its context; it still needs the caller's prompt (e.g. "carry on") to act.
  const prompt = resumeId
    ? (req.prompt ?? req.message)
    : (req.prompt ?? firstPrompt(id, setup.primesItself, req.message));
  const cmd = buildCommand(preset, {
    prompt,
    ...(resumeId ? { resumeId } : {}),
    ...('settingsPath' in setup && setup.settingsPath ? { settingsPath: setup.settingsPath } : {}),
    env: { ...env, ...('env' in setup ? setup.env : {}) },
    ...('args' in setup && setup.args?.length ? { extraArgs: setup.args } : {}),
    nodePath: remote ? remote.host.node : process.execPath,
    packageRoot: remote ? remote.host.gt_root : installRoot(),
  });
  // Its task on its command line: it works from its first moment (else it waits for a prompt typed below, or none).
  const startedWithTask = prompt !== undefined && !cmd.promptToType;
  const started = Date.now();
  // Kept after its program exits until it is up, so an agent that dies at start-up leaves its screen and status.
  const spec = {
    name: id.session,
    cwd: id.workdir,
    argv: cmd.argv,
    env: cmd.env,
    unsetEnv: cmd.unsetEnv,
    remainOnExit: true,
  };
  // On a host, one ssh call readies it, starts the session and waits there for the ready prompt; the gate below
  // then judges the screen it brought back before it looks again.
  let onHost: HostStartOutcome | undefined;
  try {
    if (remote) onHost = await startOnHost(town, remote, spec, preset.ready.prompt);
    else await tmux.newSession(spec);
  } catch (e) {
    // Another starter (the daemon, a second sling) made the session since the look above: it runs, started by them.
    if (!(e instanceof GtError && e.code === 'TMUX_SESSION_EXISTS')) throw e;
    return alreadyRunning(req, req.agent, true);
  }
  if (onHost?.status === 'exists') {
    return alreadyRunning(req, recordedRuntime(town, req));
  }
  const firstScreen = onHost?.status === 'created' ? onHost.snapshot : undefined;
  withStore(town, (s) =>
    recordStart(s, {
      address: id.address,
      role: id.role,
      rig: id.rig ?? null,
      name: id.name,
      runtime: req.agent,
      session: id.session,
      workdir: id.workdir,
      state: 'starting',
      started_at: isoNow(),
      last_activity: isoNow(),
    }),
  );
  const gate = await startupGate(firstScreen ? withFirstScreen(tmux, firstScreen) : tmux, id.session, preset, {
    timeoutMs: req.readyTimeoutMs ?? 60_000,
    startedAt: started,
    busyMeansStarted: startedWithTask,
  });
  let exit: LastExit | undefined;
  if (!gate.ready && gate.reason === 'exited') {
    exit = {
      address: id.address,
      session: id.session,
      runtime: req.agent,
      at: isoNow(),
      ...(await captureDeadPane(tmux, id.session)),
    };
    recordLastExit(town, exit);
    await tmux.killSession(id.session);
  } else {
    clearLastExit(town, id.session);
    // From now on an exit ends the session as before (the daemon and gt agents see it gone); the host turned it
    // off itself when it saw the ready prompt.
    if (!(onHost?.status === 'created' && onHost.readySeen))
      await tmux.setOption(id.session, 'remain-on-exit', 'off', { window: true }).catch(() => undefined);
  }
  let state: AgentState = gate.ready
    ? startedWithTask
      ? 'working'
      : 'idle'
    : gate.reason === 'exited'
      ? 'dead'
      : 'stuck';
  if (gate.ready && cmd.promptToType) {
    const r = await nudge(
      tmux,
      { runtimeDir: town.paths.runtime },
      { session: id.session, message: cmd.promptToType, mode: 'immediate' },
    );
    if (r.status === 'delivered') state = 'working';
  }
  withStore(town, (s) => setAgentState(s, id.address, state, isoNow()));
  if (!gate.ready) {
    throw new GtError(
      gate.reason === 'exited' ? 'GT_AGENT_EXITED' : 'GT_AGENT_NOT_READY',
      startFailure(id, req.agent, gate, exit),
      {
        hint: exit
          ? `gt peek ${id.address} shows its last screen; fix what it says (a login, a flag it refuses), then start it again; gt doctor checks the runtime`
          : `look at its screen with gt peek ${id.address}; stop it with the matching stop command (e.g. gt mayor stop)`,
      },
    );
  }
  return {
    status: 'started',
    address: id.address,
    session: id.session,
    agent: req.agent,
    state,
    readyBy: gate.by,
    dialogsAnswered: gate.dialogsPassed,
    elapsedMs: Date.now() - started,
    resumed: resumeId !== undefined,
  };
}

/** The client with its first snapshot of `screen` already taken (the host's start brought it back). */
function withFirstScreen<T extends { snapshot(name: string): Promise<PaneSnapshot> }>(
  tmux: T,
  screen: PaneSnapshot,
): T {
  let first: PaneSnapshot | undefined = screen;
  return {
    ...tmux,
    snapshot: (name: string) => {
      const s = first;
      first = undefined;
      return s ? Promise.resolve(s) : tmux.snapshot(name);
    },
  };
}

/** The default first prompt of a fresh session; none for a self-priming runtime with nothing to be told. */
export function firstPrompt(id: AgentIdentity, primesItself: boolean, message: string | undefined): string | undefined {
  if (!primesItself) return message ? `${primeInstruction(id)} ${message}` : primeInstruction(id);
  return message ? `${agentGreeting(id)} ${message}` : undefined;
}

/** Who the agent is: how every prompt Gas Town starts an agent with begins. */
function agentGreeting(id: AgentIdentity): string {
  return `Gas Town: you are ${id.address} (${id.role}).`;
}

/** The first prompt for a runtime that cannot load its role context through a hook (or must load it again). */
export function primeInstruction(id: AgentIdentity): string {
  return `${agentGreeting(id)} Run \`gt prime\` now and follow what it says.`;
}

function requireProgram(preset: AgentPreset, agent: string, pathVar: string): void {
  const program = preset.command === '{node}' ? process.execPath : preset.command;
  if (findOnPath(program, pathVar)) return;
  throw new GtError(
    'GT_AGENT_CLI_MISSING',
    `agent "${agent}" needs the program "${program}", which is not on PATH; the session was not started`,
    {
      hint: `${preset.npmPackage ? `install it (npm install -g ${preset.npmPackage}) or ` : 'install it or '}choose another agent with --agent; gt doctor lists every runtime the town is configured to use`,
    },
  );
}

function startFailure(
  id: AgentIdentity,
  agent: string,
  gate: Exclude<StartupGate, { ready: true }>,
  exit: LastExit | undefined,
): string {
  if (gate.reason === 'exited') {
    const words = exit && lastWords(exit.lines);
    return `${id.address} (${agent}) ${exit ? howItEnded(exit) : 'exited'} during start-up${words ? `: ${JSON.stringify(words)}` : ''}`;
  }
  if (gate.reason === 'stuck-on-dialog') return `${id.address} (${agent}) is stuck at start-up, ${dialogReason(gate)}`;
  return `${id.address} (${agent}) did not show its ready prompt in time; the session is left running`;
}

export function withStore<T>(town: TownContext, fn: (s: ReturnType<typeof openTownStore>) => T): T {
  const store = openTownStore(town);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}
