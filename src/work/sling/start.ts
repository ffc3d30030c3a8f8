// Starting (or waking) the polecat's agent on its new hook.
import { messageOf } from '../../kernel/index.ts';
import { agentForRole, loadRig, type TownContext } from '../../town/index.ts';
import { identityOf, primeInstruction, startAgent } from '../sessions/index.ts';
import { nudgeAgent } from '../nudge-agent.ts';
import type { Polecat } from '../polecats/index.ts';

export interface HookStart {
  session: string;
  /** Set when the agent runs but something about its start deserves a look. */
  warning?: string;
}

/**
 * Start the agent in the polecat's session; a session that was already running (a reused idle polecat) is nudged
 * instead, and one another starter made meanwhile is left to prime itself.
 */
export async function startOnHook(
  town: TownContext,
  p: Polecat,
  bead: string,
  o: { agent?: string; message?: string; host?: string },
): Promise<HookStart> {
  const id = identityOf(town, { kind: 'polecat', rig: p.rig, name: p.name });
  const agent = o.agent ?? agentForRole(town.settings, 'polecat', loadRig(town, p.rig));
  const told = `Your hook holds ${bead}.${o.message ? ` Note from the sender: ${o.message}` : ''}`;
  const r = await startAgent(town, {
    identity: id,
    agent,
    message: told,
    ...(o.host !== undefined ? { host: o.host } : {}),
  });
  if (r.status === 'started') return { session: r.session };
  // Started by someone else (the daemon) after this bead was hooked: it primes itself with this hook.
  if (r.startedElsewhere) return { session: r.session };
  try {
    // A running session was primed for its previous hook, and no session-start hook fires again: it primes anew.
    await nudgeAgent(town, id.address, `${primeInstruction(id)} ${told}`, { agent: r.agent });
    return { session: r.session };
  } catch (e) {
    return { session: r.session, warning: `the running session was not told about its new hook: ${messageOf(e)}` };
  }
}
