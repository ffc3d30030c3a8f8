// Running a gt or bd command for a caller of the town API: the same command modules as a local call, in this
// process, with the caller's identity (from its token) as the environment and its output captured. Running the very
// same code is what keeps output, exit codes and errors identical to local; in-process keeps the call cheap (no Node
// start per call). The policy check runs between parsing and the action (see policy.ts).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Store } from '../beads/index.ts';
import type { TownContext } from '../town/index.ts';
import { identityOf } from '../work/sessions/index.ts';
import type { Principal } from './auth.ts';
import { checkCommand } from './policy.ts';

export interface RunRequest {
  program: 'gt' | 'bd';
  argv: string[];
  stdin?: string;
}

export interface RunReply {
  stdout: string;
  stderr: string;
  code: number;
}

/** The entry points of the two CLIs, passed in (the server sits below cli/ in the layers). */
export interface Clis {
  gt(
    argv: readonly string[],
    io: CliLikeIo,
    opts: { guard: (cmd: Command, program: 'gt' | 'bd') => void },
  ): Promise<number>;
  bd(
    argv: readonly string[],
    io: CliLikeIo,
    opts: { guard: (cmd: Command, program: 'gt' | 'bd') => void },
  ): Promise<number>;
}

export interface CliLikeIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  stdin(): string;
}

/** Variables of the server's own environment a command may see (the rest belongs to whoever started the server). */
const PASSED = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TMPDIR',
  'TMUX_TMPDIR',
  'GT_TMUX_SOCKET',
  'GT_DAEMON',
  'GT_DAEMON_TICK_MS',
  'GT_PROCESS_NAMES',
  'SHELL',
  'USER',
  'NODE_OPTIONS',
  'NODE_COMPILE_CACHE',
];

/** The environment and directory a principal's commands run with: who it is, as its local session would have it. */
export function principalEnv(town: TownContext, p: Principal): { env: NodeJS.ProcessEnv; cwd: string } {
  const env: NodeJS.ProcessEnv = { GT_ROOT: town.root };
  for (const k of PASSED) if (town.env[k] !== undefined) env[k] = town.env[k];
  if (p.kind === 'owner') return { env: { ...env, BD_ACTOR: 'overseer' }, cwd: town.root };
  const id = identityOf(town, p.agent);
  Object.assign(env, {
    GT_ROLE: id.role,
    GT_NAME: id.name,
    GT_ADDRESS: id.address,
    GT_SESSION: id.session,
    BD_ACTOR: id.address,
    GIT_AUTHOR_NAME: id.git.name,
    GIT_AUTHOR_EMAIL: id.git.email,
    GIT_COMMITTER_NAME: id.git.name,
    GIT_COMMITTER_EMAIL: id.git.email,
    ...(id.rig ? { GT_RIG: id.rig } : {}),
  });
  return { env, cwd: existsSync(id.workdir) ? id.workdir : town.root };
}

export async function runForPrincipal(
  town: TownContext,
  store: Store,
  p: Principal,
  req: RunRequest,
  clis: Clis,
): Promise<RunReply> {
  let stdout = '';
  let stderr = '';
  const { env, cwd } = principalEnv(town, p);
  const io: CliLikeIo = {
    cwd,
    env,
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    stdin: () => req.stdin ?? '',
  };
  const guard = (cmd: Command, program: 'gt' | 'bd'): void => checkCommand({ town, store, principal: p }, program, cmd);
  const code = await (req.program === 'gt' ? clis.gt(req.argv, io, { guard }) : clis.bd(req.argv, io, { guard }));
  return { stdout, stderr, code };
}
