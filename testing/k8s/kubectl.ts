// A `kubectl` for tests, enough for `kubectl [--kubeconfig F] [--context C] [-n NS] exec [-i] [-t] [-c C] POD --
// CMD...` (what `gt attach` runs for a pod): the real client's Exec over WebSocket, the terminal raw with -t, its
// size sent as resizes, and the remote command's exit code as ours. No real kubectl is installed here.
// Usage: node testing/k8s/kubectl.ts …, or writeKubectl(dir) for a `kubectl` to put on PATH.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Writes `<dir>/kubectl` running this stand-in with this Node; returns `dir` (to put first on PATH). */
export function writeKubectl(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'kubectl');
  writeFileSync(file, `#!/bin/sh\nexec '${process.execPath}' '${resolve(import.meta.dirname, 'kubectl.ts')}' "$@"\n`);
  chmodSync(file, 0o755);
  return dir;
}

async function main(argv: string[]): Promise<number> {
  const { Exec, KubeConfig } = await import('@kubernetes/client-node');
  const opt: Record<string, string> = {};
  const flags = new Set<string>();
  const rest: string[] = [];
  let command: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      command = argv.slice(i + 1);
      break;
    }
    const eq = /^(--[a-z-]+)=(.*)$/.exec(a);
    if (eq) opt[eq[1]!] = eq[2]!;
    else if (['--kubeconfig', '--context', '-n', '--namespace', '-c', '--container'].includes(a))
      opt[a] = argv[++i] ?? '';
    else if (/^-[it]+$/.test(a)) for (const f of a.slice(1)) flags.add(f);
    else if (a === '--stdin' || a === '--tty') flags.add(a[2]!);
    else rest.push(a);
  }
  const [verb, pod] = rest;
  if (verb !== 'exec' || !pod || command.length === 0) {
    process.stderr.write(
      'this test kubectl knows only: kubectl [--kubeconfig F] [--context C] [-n NS] exec [-i] [-t] [-c C] POD -- CMD...\n',
    );
    return 2;
  }
  const kc = new KubeConfig();
  kc.loadFromFile(opt['--kubeconfig'] ?? process.env.KUBECONFIG ?? join(homedir(), '.kube', 'config'));
  if (opt['--context']) kc.setCurrentContext(opt['--context']);
  const ns = opt['-n'] ?? opt['--namespace'] ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const tty = flags.has('t');
  const stdin = flags.has('i') ? process.stdin : null;
  if (tty && process.stdin.isTTY) process.stdin.setRawMode(true);
  const code = await new Promise<number>((ok, fail) => {
    new Exec(kc)
      .exec(
        ns,
        pod,
        opt['-c'] ?? opt['--container'] ?? '',
        command,
        process.stdout,
        process.stderr,
        stdin,
        tty,
        (s) => {
          const cause = s.details?.causes?.find((c) => c.reason === 'ExitCode');
          ok(s.status === 'Success' ? 0 : Number(cause?.message ?? 1));
        },
      )
      .then((ws) => ws.on('close', () => ok(0)))
      .catch(fail);
  });
  return code;
}

if (import.meta.filename === resolve(process.argv[1] ?? '')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(1);
    },
  );
}
