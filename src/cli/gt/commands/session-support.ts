// What the session commands share: starting an agent by address, attaching this terminal to its session, and
// the one-line summaries they print.
import { GtError } from '../../../kernel/index.ts';
import { runInteractive } from '../../../proc/index.ts';
import { agentForRole, loadRig, parseAddress, requireKnownAgent, type AgentRole } from '../../../town/index.ts';
import {
  identityOf,
  startAgent,
  townTmux,
  type AgentIdentity,
  type StartResult,
} from '../../../work/sessions/index.ts';
import { ExitSignal } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function identityFor(ctx: GtCtx, address: string): AgentIdentity {
  const town = ctx.town();
  return identityOf(town, parseAddress(town, address));
}

/** The agent a role runs here, or the one asked for (checked against the town's known agents). */
export function chooseAgent(ctx: GtCtx, id: AgentIdentity, asked: string | undefined): string {
  const town = ctx.town();
  if (asked !== undefined) return requireKnownAgent(town.settings, asked);
  const role: AgentRole = id.role === 'crew' ? 'crew' : id.role === 'mayor' ? 'mayor' : 'polecat';
  return agentForRole(town.settings, role, id.rig ? loadRig(town, id.rig) : undefined);
}

export async function ensureStarted(ctx: GtCtx, id: AgentIdentity, agent: string | undefined): Promise<StartResult> {
  return startAgent(ctx.town(), { identity: id, agent: chooseAgent(ctx, id, agent) });
}

export function describeStart(r: StartResult): string {
  if (r.status === 'already-running')
    return `${r.address} is already running (${r.agent}) in tmux session ${r.session}`;
  return `Started ${r.address} (${r.agent}) in tmux session ${r.session}: ${r.state}, ${r.readyBy === 'busy' ? 'at work' : `ready by ${r.readyBy}`} after ${(r.elapsedMs / 1000).toFixed(1)} s${r.dialogsAnswered.length ? ` (answered: ${r.dialogsAnswered.join(', ')})` : ''}${r.resumed ? ', conversation resumed' : ''}`;
}

/** Attach this terminal to the session until the person detaches; refused without a terminal. */
export function attachTerminal(ctx: GtCtx, id: AgentIdentity): number {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new GtError('GT_NO_TERMINAL', `attaching to ${id.address} needs an interactive terminal`, {
      hint: `the agent is running in tmux session ${id.session}; read its screen with gt peek ${id.address}, or talk to it with gt nudge ${id.address} "<message>"`,
    });
  }
  const a = townTmux(ctx.town()).attachCommand(id.session);
  return runInteractive(a.bin, a.args, { env: a.env });
}

/** Start the agent if it is not running (saying so on stderr), then attach this terminal to it. */
export async function startAndAttach(ctx: GtCtx, id: AgentIdentity, agent: string | undefined): Promise<void> {
  const r = await ensureStarted(ctx, id, agent);
  if (r.status === 'started') ctx.io.err(`${describeStart(r)}\n`);
  const code = attachTerminal(ctx, id);
  if (code !== 0) throw new ExitSignal(code);
}

/** The line a command prints when its automatic daemon start failed: what waits for it, and how to look. */
export function daemonWarning(error: string): string {
  return `Warning: the daemon did not start (${error}): queued work is not drained, dead agents are not restarted and finished work does not land until it runs; see gt daemon logs, then gt daemon start`;
}
