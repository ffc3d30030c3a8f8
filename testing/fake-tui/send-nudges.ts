// Test helper run as its own process: sends numbered nudges to one session through the real protocol and prints
// the results as JSON lines. Usage: node send-nudges.ts <socket> <session> <runtimeDir> <sender> <count> <mode>
import { nudge, type NudgeMode } from '../../src/agents/index.ts';
import { createTmux } from '../../src/tmux/index.ts';

const [socket, session, runtimeDir, sender, count, mode] = process.argv.slice(2);
if (!socket || !session || !runtimeDir || !sender || !count || !mode) {
  process.stderr.write('usage: send-nudges.ts <socket> <session> <runtimeDir> <sender> <count> <mode>\n');
  process.exit(2);
}
const tmux = createTmux({ socket });
const signals = { prompt: '^>(\\s|$)', busy: 'esc to interrupt' };
for (let i = 0; i < Number(count); i++) {
  const message = `sender ${sender} message ${i}: "quoted"; $HOME & Enter C-c done-${sender}-${i}`;
  const result = await nudge(
    tmux,
    { runtimeDir, lockTimeoutMs: 120_000, idleTimeoutMs: 60_000, onIdleTimeout: 'immediate' },
    {
      session,
      message,
      mode: mode as NudgeMode,
      signals,
    },
  );
  process.stdout.write(`${JSON.stringify({ message, result })}\n`);
}
