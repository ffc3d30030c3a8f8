// gt seance: an agent's previous sessions (when, which bead, its last prompts, tool calls and final message, from
// the runtime's own transcript), and talking to one again (a forked resume of its recorded session id).
import type { Command } from 'commander';
import { GtError, safeLine, usageError } from '../../../kernel/index.ts';
import { runInteractive, runSync } from '../../../proc/index.ts';
import { currentAddress } from '../../../work/index.ts';
import { seanceCommand, seanceSessions, type SeanceSession } from '../../../work/seance.ts';
import { withStore } from '../../../work/sessions/index.ts';
import { emit, ExitSignal } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerSeance(program: Command, ctx: GtCtx): void {
  program
    .command('seance')
    .description(
      "an agent's previous sessions: when, which bead, its last prompts, tool calls and final message; --talk resumes one (forked: the old one is not changed)",
    )
    .argument('[address]', 'the agent (default: who runs this: gt whoami)')
    .option('-n, --recent <n>', 'at most this many sessions, the newest first', '5')
    .option('-t, --talk <session-id>', 'talk to this session again: its runtime resumes it here, forked where it can')
    .option('-p, --prompt <question>', 'with --talk: ask one question and print the answer')
    .addHelpText(
      'after',
      '\nSessions are the ids runtimes report at start (their session-start hook); transcripts are read where the runtime keeps them (Claude Code: ~/.claude/projects).\n\nExamples:\n  gt seance myproject/furiosa\n  gt seance myproject/furiosa --talk 3f1c… -p "why did you stop?"\n  gt seance mayor -n 1 --json',
    )
    .action(async (address: string | undefined, o: { recent: string; talk?: string; prompt?: string }) => {
      const n = Number(o.recent);
      if (!Number.isInteger(n) || n < 1 || n > 1000)
        throw usageError('GT_BAD_LIMIT', `--recent must be a whole number from 1 to 1000, not "${o.recent}"`);
      if (o.prompt !== undefined && o.talk === undefined)
        throw usageError(
          'GT_SEANCE_PROMPT',
          '--prompt asks a session a question, so it needs --talk <session-id>',
          'list the sessions first: gt seance <address>',
        );
      const town = ctx.town();
      const who = currentAddress(town, address).text;
      if (o.talk === undefined) {
        const list = withStore(town, (s) => seanceSessions(town, s, who, n));
        emit(ctx.io, ctx.json(), {
          data: list,
          text: list.length
            ? list.map(render).join('\n\n')
            : `No recorded sessions of ${who} (runtimes report them at start, through gt prime --hook).`,
        });
        return;
      }
      const talk = o.talk;
      const all = withStore(town, (s) => seanceSessions(town, s, who, 100_000));
      const found = all.filter((x) => x.session_id === talk || x.session_id.startsWith(talk));
      if (found.length !== 1) {
        throw new GtError(
          'GT_SEANCE_UNKNOWN',
          found.length
            ? `"${talk}" starts ${found.length} sessions of ${who}`
            : `${who} has no recorded session "${talk}"`,
          { kind: 'usage', hint: `list them with gt seance ${who}` },
        );
      }
      const cmd = seanceCommand(town, found[0]!, o.prompt);
      const env: NodeJS.ProcessEnv = { ...process.env, ...cmd.env };
      for (const k of cmd.unsetEnv) delete env[k];
      if (cmd.oneShot) {
        const r = runSync(cmd.argv[0]!, cmd.argv.slice(1), {
          ...(cmd.cwd ? { cwd: cmd.cwd } : {}),
          env,
          timeoutMs: 600_000,
        });
        if (r.status !== 0)
          throw new GtError(
            'GT_SEANCE_FAILED',
            `${found[0]!.runtime} exited ${r.status} answering: ${(r.stderr.trim() || r.stdout.trim()).split('\n')[0] ?? ''}`,
            { hint: 'check the runtime is logged in (gt doctor), then ask again' },
          );
        const answer = answerOf(r.stdout);
        emit(ctx.io, ctx.json(), { data: { session: found[0]!.session_id, question: o.prompt, answer }, text: answer });
        return;
      }
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        throw new GtError(
          'GT_NO_TERMINAL',
          `talking to session ${found[0]!.session_id} needs an interactive terminal`,
          { hint: `ask one question instead: gt seance ${who} --talk ${found[0]!.session_id} -p "<question>"` },
        );
      }
      const code = runInteractive(cmd.argv[0]!, cmd.argv.slice(1), { ...(cmd.cwd ? { cwd: cmd.cwd } : {}), env });
      if (code !== 0) throw new ExitSignal(code);
    });
}

/** A one-shot run's answer: the `result` of a JSON reply (Claude Code's --output-format json), else its output. */
function answerOf(stdout: string): string {
  try {
    const j = JSON.parse(stdout) as { result?: unknown };
    if (typeof j.result === 'string') return j.result;
  } catch {
    // not JSON: the runtime printed text
  }
  return stdout.trimEnd();
}

function render(s: SeanceSession): string {
  const lines = [
    `${s.at.slice(0, 19).replace('T', ' ')}  ${s.session_id}  ${s.runtime ?? '?'}${s.bead ? `  on ${s.bead}` : ''}`,
  ];
  const m = s.summary;
  if (!m)
    lines.push(
      s.transcript
        ? `  transcript: ${s.transcript} (unreadable)`
        : '  no transcript found (only Claude Code transcripts are read)',
    );
  else {
    if (m.started_at)
      lines.push(
        `  ran ${m.started_at.slice(0, 19).replace('T', ' ')} → ${(m.ended_at ?? '').slice(0, 19).replace('T', ' ')}; ${m.tool_calls} tool call${m.tool_calls === 1 ? '' : 's'}${m.last_tools.length ? ` (last: ${m.last_tools.join(', ')})` : ''}`,
      );
    for (const p of m.prompts) lines.push(`  > ${p.split('\n')[0]}`);
    if (m.final_message) lines.push(`  last words: ${m.final_message.split('\n')[0]}`);
  }
  return lines.map((l) => safeLine(l)).join('\n');
}
