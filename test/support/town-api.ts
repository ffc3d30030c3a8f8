// The town API in tests: `gt serve --port 0` as a real process (from source, or built), its address, and the env a
// remote workspace's gt and bd run with.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { cleanEnv } from './bd.ts';
import { GT_BIN } from './gt.ts';

export interface RunningServe {
  url: string;
  child: ChildProcess;
  stderr(): string;
  stop(): Promise<void>;
}

/** Start `gt serve --port 0 --json` in `town`; resolves once it printed its address. */
export function startServe(
  town: string,
  opts: { built?: boolean; env?: Record<string, string> } = {},
): Promise<RunningServe> {
  const bin = opts.built ? resolve(import.meta.dirname, '../../bin/gt.js') : GT_BIN;
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--json'], {
    cwd: town,
    env: cleanEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((res) => child.on('close', () => res()));
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`gt serve did not start: ${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (!out.includes('\n') || !line) return;
      clearTimeout(timer);
      const url = (JSON.parse(line) as { url: string }).url;
      res({
        url,
        child,
        stderr: () => err,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      rej(new Error(`gt serve exited ${code}: ${err}`));
    });
  });
}

/** The environment of gt and bd in a workspace away from the town, for the agent whose token file this is. */
export function remoteEnv(url: string, tokenFile: string): Record<string, string> {
  return { GT_TOWN_URL: url, GT_TOWN_TOKEN_FILE: tokenFile };
}

/** git talking to the town with a token (in the environment, as gt done does). */
export function gitAuthEnv(token: string): Record<string, string> {
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Bearer ${token}`,
    GIT_TERMINAL_PROMPT: '0',
  };
}
