// Telling the person at the keyboard: a terminal bell when one is attached, a desktop notification where the
// platform has one. Best effort: it never fails and never waits more than a few seconds.
import { runSync, findOnPath } from '../../proc/index.ts';

/** What reached the person: 'bell', 'desktop'; empty when nothing was available. */
export type AlertFn = (title: string, body: string) => string[];

export function alertHuman(title: string, body: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  try {
    if (process.stderr.isTTY) {
      process.stderr.write('\x07');
      out.push('bell');
    }
    const path = env.PATH ?? '';
    const desktop =
      process.platform === 'darwin'
        ? findOnPath('osascript', path)
          ? ['osascript', '-e', `display notification ${JSON.stringify(body)} with title ${JSON.stringify(title)}`]
          : undefined
        : findOnPath('notify-send', path) && (env.DISPLAY || env.WAYLAND_DISPLAY || env.DBUS_SESSION_BUS_ADDRESS)
          ? ['notify-send', title, body]
          : undefined;
    if (desktop && runSync(desktop[0]!, desktop.slice(1), { env, timeoutMs: 3000 }).status === 0) out.push('desktop');
  } catch {
    // A missing or hanging notifier must never fail the caller.
  }
  return out;
}
