// What Gas Town costs in tokens (`npm run bench:e2e`): one scripted task (write a file, commit it) carried out by the
// real Claude Code CLI against the loopback model server, twice: as a polecat under Gas Town (slung, primed by the
// SessionStart hook, finishing with `gt done`, every Stop recorded by `gt costs record`) and plainly with
// `claude -p` in a clone of the same repository. Prints the tokens each sent and the ratio (target ≤ 1.15).
// Also checks that `gt costs` counted exactly what the server reported for the polecat. Prints; asserts nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createTmux } from '../src/tmux/index.ts';
import { CLAUDE_BIN, claudeTestEnv, prepareClaudeConfigDir } from '../testing/claude/index.ts';
import { bash, scriptedModel, scriptedPolecat, startModelServer, write, type AgentScript, type ModelServer, type UsageReport } from '../testing/model-server/index.ts';

const GT = resolve(import.meta.dirname, '../bin/gt.js');
const BIN_DIR = resolve(import.meta.dirname, '../node_modules/.bin');
const FILE = 'greet.txt';
const CONTENT = 'Hello, world\n';
const TASK = `Write ${FILE} containing "Hello, world" and commit it.`;

interface Run { code: number; stdout: string; stderr: string }

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<Run> {
  return new Promise((res) => {
    const p = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GT_|BD_|TMUX|CLAUDE|ANTHROPIC)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The plain run's script: the same edit and commit, for the conversation that carries the task's words. */
function plainScript(dir: string): AgentScript {
  return {
    name: 'plain',
    matches: (c) => c.text.includes(TASK),
    plan: () => [write('write', join(dir, FILE), CONTENT), bash('commit', `git add -A && git commit -q -m ${JSON.stringify(TASK)}`)],
    finish: 'Done: greet.txt is committed.',
  };
}

interface Figures { requests: number; main: number; input: number; output: number; bytes: number }

function figures(server: ModelServer, u: UsageReport): Figures {
  const main = u.requests.filter((r) => {
    const body = server.requests[r.index]?.body as { tools?: unknown[] } | undefined;
    return Array.isArray(body?.tools) && body.tools.length > 0;
  });
  return {
    requests: u.requests.length,
    main: main.length,
    input: u.total.input_tokens,
    output: u.total.output_tokens,
    bytes: u.requests.reduce((n, r) => n + (server.requests[r.index]?.bytes ?? 0), 0),
  };
}

async function gasTownRun(base: string): Promise<{ f: Figures; counted: { input: number; output: number; responses: number }; mainInput: number; mainOutput: number }> {
  const script = scriptedModel([scriptedPolecat()]);
  const server = await startModelServer({ respond: script.respond });
  const socket = `gt-bench-e2e-${process.pid}`;
  const tmux = createTmux({ socket });
  const configDir = prepareClaudeConfigDir(join(base, 'gt claude config'));
  const env = cleanEnv({ ...claudeTestEnv(server.url), CLAUDE_CONFIG_DIR: configDir, GT_TMUX_SOCKET: socket, PATH: `${BIN_DIR}:${process.env.PATH ?? ''}` });
  try {
    const town = join(base, 'town');
    const src = join(base, 'src');
    await must(run('git', ['init', '-q', '-b', 'main', src], base, env));
    await must(run('sh', ['-c', 'echo "# app" > README.md && git add -A && git -c user.name=B -c user.email=b@x commit -q -m first'], src, env));
    await must(run(process.execPath, [GT, 'install', town], base, env));
    await must(run(process.execPath, [GT, 'rig', 'add', 'web', src], town, env));
    const bead = JSON.parse((await must(run(process.execPath, [GT, 'bd', 'create', 'Greet the world', '-d', `File: "${FILE}" Content: "Hello, world\\n"`, '--json'], join(town, 'web'), env))).stdout) as { id: string };
    await must(run(process.execPath, [GT, 'sling', bead.id, 'web', '--json'], town, env));
    const db = join(town, '.beads', 'beads.db');
    await until(() => status(db, bead.id) === 'in_progress' && script.log.some((l) => l.agent === 'polecat' && l.text), 'the polecat to finish with gt done');
    // The Stop hook runs after the last answer: wait until the usage table holds every main request.
    const mainCount = (): number => figures(server, server.usage()).main;
    const counted = await until(async () => {
      const r = await run(process.execPath, [GT, 'costs', '--json'], town, env);
      const v = JSON.parse(r.stdout) as { total: { input: number; output: number; responses: number } };
      return v.total.responses >= mainCount() ? v.total : undefined;
    }, 'gt costs to count every response', 60_000);
    const u = server.usage();
    const main = u.requests.filter((r) => Array.isArray((server.requests[r.index]?.body as { tools?: unknown[] })?.tools) && ((server.requests[r.index]?.body as { tools: unknown[] }).tools.length > 0));
    return { f: figures(server, u), counted, mainInput: main.reduce((n, r) => n + r.usage.input_tokens, 0), mainOutput: main.reduce((n, r) => n + r.usage.output_tokens, 0) };
  } finally {
    await tmux.killServer();
    await server.close();
  }
}

async function plainRun(base: string): Promise<Figures> {
  const dir = join(base, 'plain');
  const script = scriptedModel([plainScript(dir)]);
  const server = await startModelServer({ respond: script.respond });
  const configDir = prepareClaudeConfigDir(join(base, 'plain claude config'), { trustedDirs: [dir] });
  const env = cleanEnv({ ...claudeTestEnv(server.url), CLAUDE_CONFIG_DIR: configDir, GIT_AUTHOR_NAME: 'B', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'B', GIT_COMMITTER_EMAIL: 'b@x' });
  try {
    await must(run('git', ['init', '-q', '-b', 'main', dir], base, env));
    await must(run('sh', ['-c', 'echo "# app" > README.md && git add -A && git commit -q -m first'], dir, env));
    await must(run(CLAUDE_BIN, ['-p', TASK, '--dangerously-skip-permissions'], dir, env));
    await must(run('git', ['show', `HEAD:${FILE}`], dir, env));
    return figures(server, server.usage());
  } finally {
    await server.close();
  }
}

function status(db: string, id: string): string | undefined {
  const d = new DatabaseSync(db);
  try {
    d.exec('PRAGMA busy_timeout = 10000');
    return (d.prepare('SELECT status FROM issues WHERE id = ?').get(id) as { status: string } | undefined)?.status;
  } finally {
    d.close();
  }
}

async function must(p: Promise<Run>): Promise<Run> {
  const r = await p;
  if (r.code !== 0) throw new Error(`command failed (${r.code}): ${r.stderr || r.stdout}`);
  return r;
}

const base = mkdtempSync(join(tmpdir(), 'gt bench e2e '));
try {
  const plain = await plainRun(base);
  const gt = await gasTownRun(base);
  const row = (name: string, f: Figures): string =>
    `  ${name.padEnd(22)} ${String(f.requests).padStart(8)} ${String(f.main).padStart(6)} ${f.input.toLocaleString('en-US').padStart(12)} ${f.output.toLocaleString('en-US').padStart(8)} ${f.bytes.toLocaleString('en-US').padStart(12)}`;
  console.log(`One scripted task ("${TASK}") on the real Claude Code CLI against the loopback model server`);
  console.log(`  ${'run'.padEnd(22)} ${'requests'.padStart(8)} ${'main'.padStart(6)} ${'input tok'.padStart(12)} ${'output'.padStart(8)} ${'bytes sent'.padStart(12)}`);
  console.log(row('plain claude -p', plain));
  console.log(row('polecat under Gas Town', gt.f));
  const ratio = gt.f.input / plain.input;
  const perRequest = (gt.f.input / gt.f.main) / (plain.input / plain.main);
  console.log(`  overhead ratio (input tokens, Gas Town / plain): ${ratio.toFixed(3)} (target ≤ 1.15)${ratio <= 1.15 ? '' : '  ABOVE TARGET'}`);
  console.log(`  per main request: ${perRequest.toFixed(3)}; the polecat makes ${gt.f.main - plain.main} more request(s) (gt done) and carries its prime context in each`);
  const exact = gt.counted.input === gt.mainInput && gt.counted.output === gt.mainOutput;
  console.log(`  gt costs counted ${gt.counted.responses} responses, ${gt.counted.input.toLocaleString('en-US')} input / ${gt.counted.output.toLocaleString('en-US')} output tokens: ${exact ? 'exactly what the server reported' : `server reported ${gt.mainInput} / ${gt.mainOutput} (MISMATCH)`}`);
} finally {
  rmSync(base, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}
