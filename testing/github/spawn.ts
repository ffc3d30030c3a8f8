// Start the GitHub fake in a child process and drive it over HTTP: tests can then run gt with spawnSync.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export interface FakeGitHubProcess {
  url: string;
  root: string;
  /** A call to the fake: its control routes (/_fake/...) or the API as `token`'s user. */
  call<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; data: T }>;
  stop(): Promise<void>;
}

export async function spawnFakeGitHub(
  root: string,
  tokens: Record<string, string>,
  admins: string[] = [],
): Promise<FakeGitHubProcess> {
  const child = spawn(
    process.execPath,
    [resolve(import.meta.dirname, 'main.ts'), root, JSON.stringify(tokens), JSON.stringify(admins)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((ok, fail) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n') && line) ok((JSON.parse(line) as { url: string }).url);
    });
    child.on('exit', (code) => fail(new Error(`the GitHub fake exited with ${code}`)));
  });
  return {
    url,
    root,
    async call<T>(method: string, path: string, body?: unknown, token?: string) {
      // Each call on its own connection: tests block their event loop with spawnSync between calls, and a kept-alive
      // socket the fake closed meanwhile would fail the next call with "other side closed".
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          'content-type': 'application/json',
          connection: 'close',
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, data: (text ? JSON.parse(text) : undefined) as T };
    },
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        child.on('exit', () => ok());
        child.kill('SIGTERM');
      }),
  };
}
