// Nudging an agent by its address: find its tmux session on the town socket, read its runtime's idle signals, and
// hand the message to the nudge protocol (src/agents/nudge.ts). Used by `gt nudge` and by mail notifications.
import { GtError, usageError } from '../kernel/index.ts';
import {
  nudge,
  readySignals,
  resolvePreset,
  sanitizeMessage,
  type NudgeMode,
  type NudgePriority,
  type NudgeResult,
  type NudgeSettings,
  type NudgeTmux,
  type ReadySignals,
} from '../agents/index.ts';
import {
  agentForRole,
  formatAddress,
  loadRig,
  parseAddress,
  sessionNameOf,
  townSocket,
  townTmux,
  type AgentAddress,
  type TownContext,
} from '../town/index.ts';

export const NUDGE_MODES: readonly NudgeMode[] = ['wait-idle', 'queue', 'immediate'];

/** The session one agent runs in; refused for addresses that are not one agent (overseer, a whole rig). */
export function agentSession(town: TownContext, address: AgentAddress): string {
  const session = sessionNameOf(town, address);
  if (session === undefined) {
    const what =
      address.kind === 'overseer'
        ? 'the overseer is a person, not an agent session'
        : `"${formatAddress(address)}" is a whole rig`;
    throw usageError(
      'GT_NOT_AN_AGENT',
      `cannot nudge ${formatAddress(address)}: ${what}`,
      'nudge one agent (mayor, <rig>/<polecat>, <rig>/crew/<name>, <rig>/refinery, <rig>/witness); mail reaches people and rigs: gt mail send',
    );
  }
  return session;
}

/** The agent (preset or defined) an address runs: `override` if given, else what the town and rig settings choose. */
export function agentNameFor(town: TownContext, address: AgentAddress): string {
  const rig = 'rig' in address ? loadRig(town, address.rig) : undefined;
  switch (address.kind) {
    case 'mayor':
    case 'polecat':
    case 'crew':
      return agentForRole(town.settings, address.kind, rig);
    default:
      return rig?.default_agent ?? town.settings.default_agent;
  }
}

/** The runtime's ready prompt and busy marker for an agent, so wait-idle knows when it may type. */
export function readySignalsFor(town: TownContext, address: AgentAddress, agent?: string): ReadySignals {
  const preset = resolvePreset(agent ?? agentNameFor(town, address), town.settings.agents);
  return readySignals(preset);
}

/** The command that starts an agent, for "no live session" errors. */
export function startHint(address: AgentAddress): string {
  switch (address.kind) {
    case 'mayor':
      return 'start it with gt mayor start';
    case 'crew':
      return `start it with gt crew at ${address.name} --rig ${address.rig} --no-attach`;
    case 'polecat':
      return `a polecat runs while it has work: gt sling <bead> ${address.rig}`;
    case 'refinery':
    case 'witness':
      return `the ${address.kind} of ${address.rig} is not running; gt agents lists the agents that run`;
    default:
      return 'gt agents lists the agents that run';
  }
}

export interface NudgeAgentOptions {
  mode?: NudgeMode;
  /** Agent preset or definition whose signals to use, instead of the one the settings choose. */
  agent?: string;
  from?: string;
  priority?: NudgePriority;
  /** Protocol settings beyond the runtime directory (timeouts). */
  settings?: Omit<NudgeSettings, 'runtimeDir'>;
  tmux?: NudgeTmux;
}

export interface NudgeAgentResult {
  to: string;
  session: string;
  mode: NudgeMode;
  /** Delivered (typed and seen) or queued for the agent's prompt hook. */
  result: Extract<NudgeResult, { status: 'delivered' | 'queued' }>;
}

/**
 * Nudge the agent at `target`. Refused (GtError) for a malformed address, an unknown rig, an empty message, an
 * agent with no live session, and a failed delivery (the protocol's reason is in the message).
 */
export async function nudgeAgent(
  town: TownContext,
  target: string | AgentAddress,
  message: string,
  opts: NudgeAgentOptions = {},
): Promise<NudgeAgentResult> {
  const address = typeof target === 'string' ? parseAddress(town, target) : target;
  const to = formatAddress(address);
  const session = agentSession(town, address);
  const mode = opts.mode ?? 'wait-idle';
  if (!NUDGE_MODES.includes(mode))
    throw usageError(
      'GT_BAD_NUDGE_MODE',
      `nudge mode "${String(mode)}" is not known`,
      `modes: ${NUDGE_MODES.join(', ')}`,
    );
  if (sanitizeMessage(message) === '')
    throw usageError(
      'GT_EMPTY_MESSAGE',
      `the nudge for ${to} is empty`,
      'give the message text after the address: gt nudge <address> <message…>',
    );
  const signals = readySignalsFor(town, address, opts.agent);
  const tmux = opts.tmux ?? townTmux(town);
  if (!(await tmux.hasSession(session))) {
    throw new GtError(
      'GT_NO_SESSION',
      `${to} is not running (no tmux session ${session} on socket ${townSocket(town)})`,
      { hint: startHint(address) },
    );
  }
  const result = await nudge(
    tmux,
    { ...opts.settings, runtimeDir: town.paths.runtime },
    {
      session,
      message,
      mode,
      signals,
      ...(opts.from !== undefined ? { from: opts.from } : {}),
      ...(opts.priority ? { priority: opts.priority } : {}),
    },
  );
  if (result.status === 'failed') {
    const hint =
      result.reason === 'no-session'
        ? startHint(address)
        : result.reason === 'queue-full'
          ? `the agent is not draining its queue; look at it: tmux -L ${townSocket(town)} attach -t ${session}`
          : "try again, or use --mode queue to leave it for the agent's next prompt";
    throw new GtError(
      result.reason === 'no-session' ? 'GT_NO_SESSION' : 'GT_NUDGE_FAILED',
      `nudge to ${to} failed: ${result.detail}`,
      { hint },
    );
  }
  return { to, session, mode, result };
}
