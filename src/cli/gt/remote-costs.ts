// `gt costs record` as a client of the town API: the runtime's Stop hook runs it where the agent runs, so the
// transcript is read here and sent to the town (src/client/usage.ts). Like the local command it never fails a hook:
// problems are one stderr line and exit 0.
import { messageOf } from '../../kernel/index.ts';
import { reportUsage, townClient } from '../../client/index.ts';
import type { CliIo } from '../shared/runtime.ts';

function option(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name) return argv[i + 1];
    if (argv[i]!.startsWith(`${name}=`)) return argv[i]!.slice(name.length + 1);
  }
  return undefined;
}

export async function runRemoteCostsRecord(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    let path = option(argv, '--transcript');
    let session = option(argv, '--session');
    if (!path) {
      const input = JSON.parse(io.stdin() || '{}') as { transcript_path?: unknown; session_id?: unknown };
      path = typeof input.transcript_path === 'string' ? input.transcript_path : undefined;
      session ??= typeof input.session_id === 'string' ? input.session_id : undefined;
    }
    if (!path) {
      io.err('gt costs record: no transcript (give --transcript, or the hook JSON with transcript_path on stdin)\n');
      return 0;
    }
    session ??= path.replace(/^.*\//, '').replace(/\.jsonl$/, '');
    const r = await reportUsage(townClient(io.env), session, path);
    for (const w of r.warnings ?? []) io.err(`warning: ${w}\n`);
    if (argv.includes('--json')) io.out(`${JSON.stringify(r.results ?? [], null, 2)}\n`);
  } catch (e) {
    io.err(`gt costs record: ${messageOf(e).split('\n')[0]}\n`);
  }
  return 0;
}
