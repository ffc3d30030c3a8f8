// The test Kubernetes API server in a child process (main.ts), with the same handle as startKubeApi: its test
// controls go over HTTP to /_test/ routes. Use it when the test blocks its own event loop (spawnSync of gt).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { KubeApi, KubeApiOptions, KubeRequest } from './types.ts';

export async function spawnKubeApi(o: KubeApiOptions): Promise<KubeApi> {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, 'main.ts'), JSON.stringify(o)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const info = await new Promise<{ url: string; token: string; kubeconfigPath: string; dir: string }>((ok, fail) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n') && line)
        ok(JSON.parse(line) as { url: string; token: string; kubeconfigPath: string; dir: string });
    });
    child.on('exit', (code) => fail(new Error(`the test Kubernetes API server exited with ${code}`)));
  });
  const call = async <T = unknown>(path: string, body: Record<string, unknown> = {}): Promise<T> => {
    // Each call on its own connection: a kept-alive socket may have been closed while the test's loop was blocked.
    const res = await fetch(`${info.url}/_test/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify(body),
    });
    const data = (await res.json()) as T;
    if (!res.ok) throw new Error(`test control ${path}: ${res.status} ${JSON.stringify(data)}`);
    return data;
  };
  return {
    ...info,
    requests: () => call<KubeRequest[]>('requests'),
    evict: async (ns, pod) => void (await call('evict', { ns, pod })),
    oomKill: async (ns, pod) => void (await call('oom-kill', { ns, pod })),
    loseNode: async () => void (await call('lose-node')),
    restoreNode: async () => void (await call('restore-node')),
    setCapacity: async (n) => void (await call('capacity', { n })),
    failImage: async (name, failing = true) => void (await call('fail-image', { name, failing })),
    throttleNext: async (n, seconds = 1) => void (await call('throttle', { n, seconds })),
    compact: async () => void (await call('compact')),
    podPid: async (ns, pod) => (await call<{ pid: number | null }>('pod-pid', { ns, pod })).pid ?? undefined,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        child.on('exit', () => ok());
        child.stdin.end();
      }),
  };
}
