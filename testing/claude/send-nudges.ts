// Test helper run as its own process: sends numbered nudges to a Claude Code session through the real protocol and
// prints one JSON line per nudge: {message, sentAt, result}.
// Usage: node send-nudges.ts <socket> <session> <runtimeDir> <sender> <count> <mode>
import { builtinPreset, nudge, type NudgeMode } from '../../src/agents/index.ts';
import { createTmux } from '../../src/tmux/index.ts';

const [socket, session, runtimeDir, sender, count, mode] = process.argv.slice(2);
if (!socket || !session || !runtimeDir || !sender || !count || !mode) {
  process.stderr.write('usage: send-nudges.ts <socket> <session> <runtimeDir> <sender> <count> <mode>\n');
  process.exit(2);
}
const tmux = createTmux({ socket });
const claude = builtinPreset('claude')!;
const signals = { prompt: claude.ready.prompt, busy: claude.busy };
for (let i = 0; i < Number(count); i++) {
  const message = nudgeText(Number(sender), i);
  const sentAt = Date.now();
  const result = await nudge(
    tmux,
    { runtimeDir, lockTimeoutMs: 170_000, idleTimeoutMs: 60_000, onIdleTimeout: 'immediate' },
    { session, message, mode: mode as NudgeMode, signals },
  );
  process.stdout.write(`${JSON.stringify({ message, sentAt, result })}\n`);
}

/** A message with quotes, shell and tmux key words in it, unique per sender and index. */
function nudgeText(sender: number, i: number): string {
  return `sender ${sender} message ${i}: "quoted" it's; $HOME & Enter C-c done-${sender}-${i}`;
}
