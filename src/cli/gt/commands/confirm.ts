// Confirming a removal that loses work from the town (it is saved to a bundle first): the name typed again.
import { readSync } from 'node:fs';
import type { GtCtx } from '../context.ts';

/**
 * The name to check against: `--yes <name>` when given, else one line read from stdin after a prompt on stderr
 * (a terminal or a pipe); an empty answer (no input) confirms nothing.
 */
export function confirmName(ctx: GtCtx, given: string | undefined, prompt: string): string {
  if (given !== undefined) return given;
  ctx.io.err(prompt);
  const buf = Buffer.alloc(1);
  let line = '';
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, 1, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      break;
    }
    if (n === 0) break;
    const ch = buf.toString('utf8', 0, 1);
    if (ch === '\n') break;
    line += ch;
  }
  if (!line) ctx.io.err('\n');
  return line.trim();
}
