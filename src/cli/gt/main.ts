// Entry point of `gt`, the Gas Town orchestrator. Town commands arrive with the town issue; `gt bd` reaches beads.
import { Command } from 'commander';
import { processIo, runProgram, type CliIo } from '../shared/runtime.ts';
import { VERSION } from '../../kernel/version.ts';
import { leaveWalOnClose } from '../../beads/index.ts';
import { exitQuietlyOnClosedPipe, runBd } from '../bd/main.ts';
import { createGtCtx } from './context.ts';
import { commandOf } from '../../client/index.ts';
import { runRemote, type Guard } from '../shared/remote.ts';
import { runRemoteDone } from './remote-done.ts';
import { runRemoteMqSubmit } from './remote-mq-submit.ts';
import { runRemoteCostsRecord } from './remote-costs.ts';
import { registerInstall } from './commands/install.ts';
import { registerRig } from './commands/rig.ts';
import { registerCrew } from './commands/crew.ts';
import { registerConfig } from './commands/config.ts';
import { registerMail } from './commands/mail.ts';
import { registerNudge } from './commands/nudge.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerCompletion } from './commands/completion.ts';
import { registerMayor } from './commands/mayor.ts';
import { registerAgents } from './commands/agents.ts';
import { registerPeek } from './commands/peek.ts';
import { registerPrime } from './commands/prime.ts';
import { registerHooks } from './commands/hooks.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDaemon } from './commands/daemon.ts';
import { registerStatus } from './commands/status.ts';
import { registerConvoy } from './commands/convoy.ts';
import { registerEscalate } from './commands/escalate.ts';
import { registerHandoff } from './commands/handoff.ts';
import { registerDone } from './commands/done.ts';
import { registerRefinery } from './commands/refinery.ts';
import { registerMq } from './commands/mq.ts';
import { registerSling } from './commands/sling.ts';
import { registerPolecat } from './commands/polecat.ts';
import { registerHook } from './commands/hook.ts';
import { registerUnsling } from './commands/unsling.ts';
import { registerDashboard } from './commands/dashboard.ts';
import { registerFeed } from './commands/feed.ts';
import { registerServe } from './commands/serve.ts';
import { registerToken } from './commands/token.ts';
import { registerWorkspace } from './commands/workspace.ts';
import { registerHost } from './commands/host.ts';
import { registerAttach } from './commands/host-attach.ts';
import { setTokenIssuer } from '../../work/sessions/index.ts';
import { issueToken, revokeTokens } from '../../server/tokens.ts';
import { openTownStore } from '../../town/index.ts';
import { registerCosts } from './commands/costs.ts';
import { registerLifecycle } from './commands/lifecycle.ts';
import { registerDiag } from './commands/diag.ts';
import { registerSeance } from './commands/seance.ts';
import { groupCommands } from './commands/help-groups.ts';

// Agents started on SSH hosts get a town API token made by the server's token module (work/ sits below server/).
const withTokens = <T>(
  town: Parameters<typeof openTownStore>[0],
  fn: (s: ReturnType<typeof openTownStore>) => T,
): T => {
  const store = openTownStore(town, { actor: 'gt' });
  try {
    return fn(store);
  } finally {
    store.close();
  }
};
setTokenIssuer({
  // The agent's earlier tokens are revoked: only the newest session's stays valid.
  issue: (town, address) =>
    withTokens(town, (s) => (revokeTokens(town, s, address), issueToken(town, s, address).token)),
  revoke: (town, address) => void withTokens(town, (s) => revokeTokens(town, s, address)),
});

/**
 * Run gt with `argv` (without the program name). With GT_TOWN_URL set, gt is a client of the town API (docs/town-api.md)
 * and the command runs in the town; `guard` is how the town's server runs it for a caller (checked before the action).
 */
export async function runGt(argv: readonly string[], io: CliIo, opts: { guard?: Guard } = {}): Promise<number> {
  if (!opts.guard && io.env.GT_TOWN_URL) {
    const cmd = commandOf(argv);
    if (cmd === 'done') return runRemoteDone(argv, io);
    if (cmd === 'mq' && argv.includes('submit')) return runRemoteMqSubmit(argv, io);
    if (cmd === 'costs' && argv.includes('record') && !argv.includes('--help')) return runRemoteCostsRecord(argv, io);
    if (cmd !== 'workspace') return runRemote('gt', argv, io);
  }
  if (argv[0] === 'bd') return runBd(argv.slice(1), io, opts);
  const program = buildGtProgram(io);
  const guard = opts.guard;
  if (guard) program.hook('preAction', (_root, action) => guard(action, 'gt'));
  return runProgram(program, argv, io, () => argv.includes('--json'));
}

/** The gt command tree with every command registered (also walked by completion and the help test). */
export function buildGtProgram(io: CliIo): Command {
  const program = new Command('gt')
    .description('Gas Town: run many coding agents in parallel on your projects')
    .version(VERSION, '-V, --version')
    .option('--json', 'print results as JSON')
    .addHelpText('after', '\nIssue tracking: `gt bd <command>` runs bd (see `bd --help`).');
  const ctx = createGtCtx(io, program);
  for (const register of [
    registerInstall,
    registerRig,
    registerCrew,
    registerConfig,
    registerMail,
    registerNudge,
    registerDoctor,
    registerCompletion,
    registerMayor,
    registerAgents,
    registerPeek,
    registerAttach,
    registerPrime,
    registerHooks,
    registerDemo,
    registerDaemon,
    registerStatus,
    registerConvoy,
    registerEscalate,
    registerHandoff,
    registerDone,
    registerRefinery,
    registerMq,
    registerSling,
    registerPolecat,
    registerHook,
    registerUnsling,
    registerCosts,
    registerDashboard,
    registerFeed,
    registerServe,
    registerToken,
    registerWorkspace,
    registerHost,
    registerLifecycle,
    registerDiag,
    registerSeance,
  ]) {
    register(program, ctx);
  }
  groupCommands(program);
  return program;
}

export async function main(): Promise<void> {
  exitQuietlyOnClosedPipe();
  leaveWalOnClose(); // most gt commands are short-lived: the next process takes the WAL over (src/beads/sqlite.ts)
  process.exitCode = await runGt(process.argv.slice(2), processIo());
}
