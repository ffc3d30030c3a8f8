// One tmux invocation on a private socket (`-L`), with tmux's failures turned into GtErrors.
import { GtError, isGtError } from '../kernel/index.ts';
import { run, type RunResult } from '../proc/index.ts';

export interface TmuxOptions {
  /** The private server's socket name (`tmux -L <socket>`): one per town, never the user's default server. */
  socket: string;
  /** tmux binary (default `tmux` on PATH). */
  bin?: string;
  /**
   * Environment for the tmux client; the server, when this call starts it, inherits it. TMUX and TMUX_PANE (set
   * inside someone's tmux) are removed; TMUX_TMPDIR, which says where sockets live, is kept.
   */
  env?: NodeJS.ProcessEnv;
  /** Config file read when the server starts (default /dev/null: the user's ~/.tmux.conf never changes our panes). */
  configFile?: string;
  /** Per-call timeout (default 15 s). */
  timeoutMs?: number;
  /**
   * How a tmux command line is run elsewhere (a runtime provider: over ssh on another machine): given tmux's argv
   * (binary first), the program and arguments to run instead. Default: run it here.
   */
  wrap?: (argv: readonly string[]) => { bin: string; args: string[] };
  /**
   * How a tmux command line is run when no local process can carry it (a runtime provider: exec into a Kubernetes
   * pod over the API's WebSocket): given tmux's argv (binary first), its exit status and output. Wins over `wrap`.
   */
  runner?: (argv: readonly string[], o: { timeoutMs: number }) => Promise<RunResult>;
}

const SOCKET_NAME = /^[A-Za-z0-9._-]+$/;

export function checkSocketName(socket: string): void {
  if (!SOCKET_NAME.test(socket)) {
    throw new GtError('TMUX_BAD_SOCKET', `tmux socket name ${JSON.stringify(socket)} is not valid`, {
      hint: 'use letters, digits, dot, dash and underscore only',
      kind: 'usage',
    });
  }
}

export function clientEnv(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env ?? process.env)) if (k !== 'TMUX' && k !== 'TMUX_PANE') out[k] = v;
  return out;
}

/** Kinds of tmux failure callers branch on; anything else is TMUX_FAILED. */
export function classifyTmuxError(
  stderr: string,
): 'TMUX_NO_SERVER' | 'TMUX_NO_SESSION' | 'TMUX_SESSION_EXISTS' | 'TMUX_FAILED' {
  if (/no server running|error connecting to|server exited unexpectedly/i.test(stderr)) return 'TMUX_NO_SERVER';
  if (/can't find (session|pane|window)|session not found/i.test(stderr)) return 'TMUX_NO_SESSION';
  if (/duplicate session/i.test(stderr)) return 'TMUX_SESSION_EXISTS';
  return 'TMUX_FAILED';
}

/** Run `tmux -L <socket> -f <config> args…` and return its stdout; a non-zero exit throws a classified GtError. */
export async function tmuxExec(opts: TmuxOptions, args: readonly string[]): Promise<string> {
  const r = await tmuxRaw(opts, args);
  if (r.status !== 0) {
    const code = classifyTmuxError(r.stderr);
    const what = r.stderr.trim() || `exit status ${r.status}`;
    throw new GtError(code, `tmux ${args[0] ?? ''} failed on socket ${opts.socket}: ${what}`, {
      details: { args, stderr: r.stderr },
    });
  }
  return r.stdout;
}

export async function tmuxRaw(opts: TmuxOptions, args: readonly string[]): Promise<RunResult> {
  checkSocketName(opts.socket);
  const bin = opts.bin ?? 'tmux';
  try {
    const argv = [bin, '-u', '-L', opts.socket, '-f', opts.configFile ?? '/dev/null', ...args];
    if (opts.runner) return await opts.runner(argv, { timeoutMs: opts.timeoutMs ?? 15_000 });
    const how = opts.wrap ? opts.wrap(argv) : { bin, args: argv.slice(1) };
    return await run(how.bin, how.args, {
      env: clientEnv(opts.env),
      timeoutMs: opts.timeoutMs ?? 15_000,
    });
  } catch (e) {
    if (isGtError(e) && e.code === 'PROC_NOT_FOUND') {
      throw new GtError('TMUX_MISSING', `tmux is not installed or not on PATH (looked for ${bin})`, {
        hint: 'install tmux 3.0 or newer (for example `apt-get install tmux` or `brew install tmux`), then run `gt doctor`',
      });
    }
    throw e;
  }
}
