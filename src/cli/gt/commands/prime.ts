// gt prime [--hook]: the role's context for the agent running here (identity, rules, hook, steps, mail).
import { appendFileSync } from 'node:fs';
import type { Command } from 'commander';
import { messageOf } from '../../../kernel/index.ts';
import { rigNames } from '../../../town/index.ts';
import {
  claimOwedPrime,
  detectRole,
  gatherPrime,
  owePrime,
  parseHookInput,
  renderPrime,
  wantsLightPrime,
} from '../../../work/prime/index.ts';
import { ensureShims, sessionEnvScript, withStore } from '../../../work/sessions/index.ts';
import { recordAgentSession } from '../../../work/seance.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerPrime(program: Command, ctx: GtCtx): void {
  program
    .command('prime')
    .description("print your role's context: who you are, your rules, the work on your hook, its steps, unread mail")
    .option(
      '--hook [format]',
      "run as a session-start hook: read the runtime's JSON on stdin and record its session id; format gemini answers with Gemini CLI's hook JSON (gemini-turn: its per-prompt hook, which brings a resumed session its context)",
    )
    .option('--light', 'only identity, hook and mail (what a resumed or compacted session needs)')
    .addHelpText(
      'after',
      '\nExamples:\n  gt prime\n  echo \'{"session_id":"abc","source":"startup"}\' | gt prime --hook',
    )
    .action((o: { hook?: boolean | string; light?: boolean }) => {
      if (!o.hook) return prime(ctx, { light: o.light ?? false });
      if (o.hook === 'gemini') return geminiHook(ctx, o.light ?? false);
      if (o.hook === 'gemini-turn') return geminiTurnHook(ctx);
      try {
        const input = parseHookInput(ctx.io.stdin());
        // Claude Code's SessionStart hooks get $CLAUDE_ENV_FILE: keep this gt and bd on the PATH of its Bash tool.
        const envFile = ctx.io.env.CLAUDE_ENV_FILE;
        if (envFile) appendFileSync(envFile, sessionEnvScript(ensureShims(ctx.town()), ctx.io.env.PATH));
        prime(ctx, { light: (o.light ?? false) || wantsLightPrime(input), sessionId: input.sessionId });
      } catch (e) {
        // A hook must not stop the session from starting; the agent reads this instead of its context.
        ctx.io.out(primeFailed(e));
      }
    });
}

/** Gemini CLI's SessionStart/PreCompress hook: the prime, as Gemini's hook JSON. */
function geminiHook(ctx: GtCtx, light: boolean): void {
  let text: string;
  try {
    const input = parseHookInput(ctx.io.stdin());
    const town = ctx.town();
    const role = detectRole(town, ctx.io.cwd, ctx.io.env);
    if (input.sessionId) withStore(town, (s) => recordAgentSession(s, role.text, input.sessionId!));
    // Resumed: context added now may be dropped when Gemini loads the saved conversation (gemini-settings.ts), and
    // that conversation holds none. The first prompt brings the whole prime instead (geminiTurnHook).
    if (input.source === 'resume' && input.sessionId) {
      owePrime(town, input.sessionId);
      return ctx.io.out('{}\n');
    }
    text = renderPrime(gatherPrime(town, role, rigNames(town)), { light: light || wantsLightPrime(input) });
  } catch (e) {
    text = primeFailed(e);
  }
  ctx.io.out(geminiHookJson('SessionStart', text));
}

/**
 * Gemini CLI's BeforeAgent hook (every prompt): the whole prime for the first prompt after a resume, appended to it,
 * once; nothing otherwise.
 */
function geminiTurnHook(ctx: GtCtx): void {
  let text: string;
  try {
    const input = parseHookInput(ctx.io.stdin());
    const town = ctx.town();
    if (!input.sessionId || !claimOwedPrime(town, input.sessionId)) return;
    text = renderPrime(gatherPrime(town, detectRole(town, ctx.io.cwd, ctx.io.env), rigNames(town)), { light: false });
  } catch (e) {
    text = primeFailed(e);
  }
  ctx.io.out(geminiHookJson('BeforeAgent', text));
}

/** What Gemini adds to the conversation from a hook: JSON, `hookSpecificOutput.additionalContext` (text is only shown). */
function geminiHookJson(event: 'SessionStart' | 'BeforeAgent', context: string): string {
  return `${JSON.stringify({ hookSpecificOutput: { hookEventName: event, additionalContext: context } })}\n`;
}

function primeFailed(e: unknown): string {
  return `Gas Town could not load your role context: ${messageOf(e)}\nDo not run gt done. Run gt prime again, or tell the Mayor: gt mail send mayor -s "prime failed" -m "<what you saw>"\n`;
}

function prime(ctx: GtCtx, o: { light: boolean; sessionId?: string }): void {
  const town = ctx.town();
  const role = detectRole(town, ctx.io.cwd, ctx.io.env);
  if (o.sessionId) {
    const id = o.sessionId;
    withStore(town, (s) => recordAgentSession(s, role.text, id));
  }
  const c = gatherPrime(town, role, rigNames(town));
  emit(ctx.io, ctx.json(), {
    data: { ...c, session_id: o.sessionId ?? null },
    text: renderPrime(c, { light: o.light }),
  });
}
