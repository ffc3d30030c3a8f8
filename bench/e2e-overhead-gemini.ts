// What Gas Town costs in tokens on the Gemini CLI (`npm run bench:e2e`, after the Claude Code part): one scripted
// task (write a file, commit it) carried out by the real Gemini CLI against the loopback model server, twice: as a
// polecat under Gas Town (slung, primed by its SessionStart hook, finishing with `gt done`) and plainly with
// `gemini -p` in a clone of the same repository (write_file, then one `git commit`). Prints the input and output
// tokens the server reported for each run's turns (side queries left out) and their ratio (target ≤ 1.15); the
// part the prime adds is printed beside it. Prints; asserts nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createTmux } from '../src/tmux/index.ts';
import { GEMINI_BIN, geminiTestEnv, prepareGeminiHome } from '../testing/gemini/index.ts';
import { bash, geminiResponder, scriptedModel, scriptedPolecat, startModelServer, write, type AgentScript, type GeminiRequest, type ModelServer } from '../testing/model-server/index.ts';

const GT = resolve(import.meta.dirname, '../bin/gt.js');
const BIN_DIR = resolve(import.meta.dirname, '../node_modules/.bin');
const TASK = 'Write greet.txt containing "Hello, world" and commit it.';
const TARGET = 1.15;

interface Run { code: number; stdout: string; stderr: string }

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<Run> {
  return new Promise((res) => {
    // PWD too: OpenCode takes its project folder from it, not from the process's working directory.
    const p = spawn(cmd, args, { cwd, env: { ...env, PWD: cwd }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => {
      clearTimeout(timer);
      res({ code: code ?? -1, stdout, stderr });
    });
  });
}

async function must(p: Promise<Run>): Promise<Run> {
  const r = await p;
  if (r.code !== 0) throw new Error(`command failed (${r.code}): ${r.stderr || r.stdout}`);
  return r;
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GT_|BD_|TMUX|GEMINI|GOOGLE)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** Tokens the server reported for the conversation turns (requests offering tools) from request `from` on. */
function turnTokens(server: ModelServer, from: number): { input: number; output: number; turns: number } {
  const turns = new Set(server.requests.flatMap((r, i) => (i >= from && (r.body as GeminiRequest)?.tools?.length ? [i] : [])));
  const rows = server.usage().requests.filter((u) => turns.has(u.index));
  return { input: rows.reduce((n, u) => n + u.usage.input_tokens, 0), output: rows.reduce((n, u) => n + u.usage.output_tokens, 0), turns: rows.length };
}

const plain: AgentScript = {
  name: 'plain',
  matches: (c) => c.text.includes(TASK) && !c.text.includes('# Gas Town: you are'),
  plan: (c) => (c.cwd ? [write('write', join(c.cwd, 'greet.txt'), 'Hello, world\n'), bash('commit', 'git add greet.txt && git commit -q -m "Greet"')] : []),
  finish: 'Done.',
};

const base = mkdtempSync(join(tmpdir(), 'gt-bench-gemini-'));
const socket = `gt-bench-gemini-${process.pid}`;
const script = scriptedModel([plain, scriptedPolecat()]);
const server = await startModelServer({ respondGemini: geminiResponder(script.respond) });
const home = prepareGeminiHome(join(base, 'gemini home'));
const env = cleanEnv({ ...geminiTestEnv(server.url, home), GT_TMUX_SOCKET: socket, GT_DAEMON_TICK_MS: '1000', PATH: `${BIN_DIR}:${process.env.PATH ?? ''}` });
const gt = (cwd: string, ...args: string[]): Promise<Run> => must(run(process.execPath, [GT, ...args], cwd, env));
try {
  const town = join(base, 'town');
  const src = join(base, 'web-src');
  await must(run('git', ['init', '-q', '-b', 'main', src], base, env));
  await must(run('sh', ['-c', 'echo "# web" > README.md && git add . && git -c user.name=b -c user.email=b@b commit -q -m init'], src, env));
  await gt(base, 'install', town);
  await gt(town, 'rig', 'add', 'web', src);

  // Plain: gemini -p in a clone.
  const clone = join(base, 'plain');
  await must(run('git', ['clone', '-q', src, clone], base, env));
  const from = server.requests.length;
  await must(run(GEMINI_BIN, ['--approval-mode', 'yolo', '--output-format', 'json', '-p', TASK], clone, { ...env, GEMINI_CLI_TRUST_WORKSPACE: 'true', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' }));
  const plainTokens = turnTokens(server, from);

  // Under Gas Town: a slung polecat.
  const polecatFrom = server.requests.length;
  await gt(town, 'daemon', 'start');
  const id = (JSON.parse((await gt(join(town, 'web'), 'bd', 'create', 'Greet', '-d', 'File: "greet.txt" Content: "Hello, world\\n"', '--json')).stdout) as { id: string }).id;
  await gt(town, 'sling', id, 'web', '--agent', 'gemini');
  const deadline = Date.now() + 240_000;
  const status = (): string | undefined => {
    const d = new DatabaseSync(join(town, '.beads', 'beads.db'));
    try {
      d.exec('PRAGMA busy_timeout = 10000');
      return (d.prepare('SELECT status FROM issues WHERE id = ?').get(id) as { status: string } | undefined)?.status;
    } finally {
      d.close();
    }
  };
  while (!(status() === 'closed' && script.log.some((e) => e.agent === 'polecat' && e.text)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  if (status() !== 'closed') throw new Error('the Gemini polecat did not land its bead in 4 minutes');
  const polecatTokens = turnTokens(server, polecatFrom);
  const primed = server.requests.slice(polecatFrom).map((r) => JSON.stringify((r.body as GeminiRequest)?.contents ?? '')).find((t) => t.includes('<hook_context>')) ?? '';
  const primeBytes = /<hook_context>([^]*?)<\/hook_context>/.exec(primed)?.[1]?.length ?? 0;

  const total = (t: { input: number; output: number }): number => t.input + t.output;
  const ratio = total(polecatTokens) / total(plainTokens);
  const version = (JSON.parse(readFileSync(join(BIN_DIR, '../@google/gemini-cli/package.json'), 'utf8')) as { version: string }).version;
  console.log(`Gemini CLI ${version} — one task, write a file and commit it`);
  console.log(`  plain gemini -p : ${plainTokens.turns} turns, ${plainTokens.input} in + ${plainTokens.output} out = ${total(plainTokens)} tokens`);
  console.log(`  Gas Town polecat: ${polecatTokens.turns} turns, ${polecatTokens.input} in + ${polecatTokens.output} out = ${total(polecatTokens)} tokens (prime context ≈ ${Math.ceil(primeBytes / 4)} tokens a turn)`);
  console.log(`  ratio ${ratio.toFixed(2)}× (target ≤ ${TARGET}×) ${ratio <= TARGET ? 'OK' : 'OVER'}`);
} finally {
  await run(process.execPath, [GT, 'daemon', 'stop'], join(base, 'town'), env).catch(() => undefined);
  await createTmux({ socket }).killServer().catch(() => undefined);
  await server.close();
  rmSync(base, { recursive: true, force: true });
}
