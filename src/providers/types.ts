// The runtime provider seam: where an agent's session runs (this machine's tmux, another machine's over ssh) behind
// one small interface. Each operation is one call; `list` answers for every session at once.
import type { NudgeMode, NudgeResult } from '../agents/index.ts';
import type { NewSessionSpec, SessionInfo, TmuxClient } from '../tmux/index.ts';

export interface Capacity {
  /** How many agents this provider takes (a host's `max_polecats`); null: no cap of its own (the town's caps apply). */
  max: number | null;
  /** Live sessions now. */
  running: number;
}

export interface AttachCommand {
  bin: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface RuntimeProvider {
  /** `local`, or the host's name. */
  readonly name: string;
  /** The host's name; null for this machine. */
  readonly host: string | null;
  /** Start a session running `spec.argv` in `spec.cwd` (on the provider's machine) with `spec.env`. */
  start(spec: NewSessionSpec): Promise<void>;
  /** Stop a session and its agent; false when none ran. */
  stop(session: string): Promise<boolean>;
  alive(session: string): Promise<boolean>;
  /** Every session, in one call. */
  list(): Promise<SessionInfo[]>;
  /** The visible screen, or the last `lines` lines. */
  peek(session: string, lines?: number): Promise<string[]>;
  /** Type a message into the agent with the nudge protocol (wait for idle, verify the draft was taken, then Enter). */
  nudge(session: string, message: string, o?: { mode?: NudgeMode; from?: string }): Promise<NudgeResult>;
  /** The command that attaches a terminal to the session (run it with the terminal inherited). */
  attachCommand(session: string): AttachCommand;
  capacity(): Promise<Capacity>;
  /** The terminal client underneath, for the start-up gate and batched snapshots. */
  readonly tmux: TmuxClient;
}
