// Waiting for a freshly started agent to accept input: its ready prompt on screen, or its ready delay elapsed.
import { detectDialog } from './dialogs.ts';
import { pollFor, type NudgeTmux } from './nudge-deliver.ts';
import { showsReadyPrompt, type ReadySignals } from './pane-text.ts';
import type { AgentPreset } from './preset.ts';

export type Readiness =
  | { ready: true; by: 'prompt' | 'delay'; elapsedMs: number }
  | { ready: false; reason: 'exited' | 'timeout'; elapsedMs: number };

export interface ReadyOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  pollMs?: number;
  /** When the agent was started (default: now). */
  startedAt?: number;
}

/**
 * Wait until `session`'s agent is ready for input. With a ready prompt pattern, the prompt showing (and no busy
 * marker) means ready; `ready.delayMs` after start counts as ready either way, as the original's fallback does.
 * A start-up dialog on screen is never ready (its selection marker looks like a prompt): see passStartupDialogs.
 */
export async function waitForReady(
  tmux: Pick<NudgeTmux, 'hasSession' | 'snapshot'>,
  session: string,
  preset: Pick<AgentPreset, 'ready' | 'busy'> & { name?: string },
  opts: ReadyOptions = {},
): Promise<Readiness> {
  const started = opts.startedAt ?? Date.now();
  const signals = readySignals(preset);
  let outcome: Readiness | undefined;
  await pollFor(
    async () => {
      const elapsedMs = Date.now() - started;
      if (!(await tmux.hasSession(session))) return (outcome = { ready: false, reason: 'exited', elapsedMs });
      const { lines } = await tmux.snapshot(session);
      if (detectDialog(lines, preset.name)) return undefined;
      if (signals.prompt && showsReadyPrompt(lines, signals))
        return (outcome = { ready: true, by: 'prompt', elapsedMs });
      if (elapsedMs >= preset.ready.delayMs) return (outcome = { ready: true, by: 'delay', elapsedMs });
      return undefined;
    },
    (v) => v !== undefined,
    opts.timeoutMs ?? 60_000,
    opts.pollMs ?? 100,
  );
  return outcome ?? { ready: false, reason: 'timeout', elapsedMs: Date.now() - started };
}

/** The ready prompt and busy marker of a preset, as the screen checks take them. */
export function readySignals(preset: Pick<AgentPreset, 'ready' | 'busy'>): ReadySignals {
  return {
    ...(preset.ready.prompt ? { prompt: preset.ready.prompt } : {}),
    ...(preset.busy ? { busy: preset.busy } : {}),
    ...(preset.ready.promptMeansEmpty ? { promptMeansEmpty: true } : {}),
  };
}
