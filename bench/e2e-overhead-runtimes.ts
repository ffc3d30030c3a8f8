// What Gas Town costs in tokens on the runtimes besides Claude Code (`npm run bench:e2e`, after the Claude Code part;
// `node bench/e2e-overhead-runtimes.ts opencode` for one): one scripted task (write a file, commit it) carried out by
// the real CLI against the loopback model server in its dialect, twice: as a polecat under Gas Town (slung, primed as
// the runtime allows, finishing with `gt done`) and plainly in a clone of the same repository (write, then one
// `git commit`). Prints the input and output tokens the server reported for each run's turns (side queries such as
// titles left out), their ratio against the target (≤ 1.15), and how the prime reached the polecat with its size.
// Prints; asserts nothing. Each runtime differs only by the data in RUNTIMES.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTmux } from '../src/tmux/index.ts';
import { GEMINI_BIN, geminiTestEnv, prepareGeminiHome } from '../testing/gemini/index.ts';
import {
  bash,
  geminiResponder,
  openCodeResponder,
  scriptedModel,
  scriptedPolecat,
  startModelServer,
  write,
  type AgentScript,
  type ChatRequest,
  type GeminiRequest,
  type ModelServer,
  type ModelServerOptions,
  type Responder,
} from '../testing/model-server/index.ts';
import { OPENCODE_BIN, openCodeTestEnv, prepareOpenCodeConfig } from '../testing/opencode/index.ts';
import { beadStatus, cleanEnv, must, run, until, type Run } from './e2e-support.ts';

const GT = resolve(import.meta.dirname, '../bin/gt.js');
const BIN_DIR = resolve(import.meta.dirname, '../node_modules/.bin');
const TARGET = 1.15;
const GIT_AUTHOR = {
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@b',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@b',
};

/** What one runtime's measurement needs. */
interface RuntimeBench {
  /** The CLI's name in the report, and its pinned package (for the version). */
  title: string;
  pkg: string;
  /** The gt agent name. */
  agent: string;
  /** The plain run's task. */
  task: string;
  /** The caller's variables that must not reach the runs. */
  drop: RegExp;
  /** The model server's options answering the runtime's dialect with a Messages responder. */
  serve: (respond: Responder) => ModelServerOptions;
  /** The runtime's environment (server URL, a directory for its own files). */
  env: (url: string, base: string) => Record<string, string>;
  /** The plain run: program, arguments, extra environment. */
  plain: (task: string) => { bin: string; args: string[]; env: Record<string, string> };
  /** Whether a recorded request body is a conversation turn (it offers tools). */
  isTurn: (body: unknown) => boolean;
  /** How the prime reached the polecat, and its size in characters, from the polecat's requests. */
  prime: (bodies: readonly unknown[]) => { how: string; chars: number };
}

const RUNTIMES: Readonly<Record<string, RuntimeBench>> = {
  gemini: {
    title: 'Gemini CLI',
    pkg: '@google/gemini-cli',
    agent: 'gemini',
    task: 'Write greet.txt containing "Hello, world" and commit it.',
    drop: /^(GT_|BD_|TMUX|GEMINI|GOOGLE)/,
    serve: (respond) => ({ respondGemini: geminiResponder(respond) }),
    env: (url, base) => geminiTestEnv(url, prepareGeminiHome(join(base, 'gemini home'))),
    plain: (task) => ({
      bin: GEMINI_BIN,
      args: ['--approval-mode', 'yolo', '--output-format', 'json', '-p', task],
      env: { GEMINI_CLI_TRUST_WORKSPACE: 'true' },
    }),
    isTurn: (body) => ((body as GeminiRequest)?.tools?.length ?? 0) > 0,
    prime: (bodies) => {
      const primed =
        bodies
          .map((b) => JSON.stringify((b as GeminiRequest)?.contents ?? ''))
          .find((t) => t.includes('<hook_context>')) ?? '';
      return {
        how: 'its SessionStart hook',
        chars: /<hook_context>([^]*?)<\/hook_context>/.exec(primed)?.[1]?.length ?? 0,
      };
    },
  },
  opencode: {
    title: 'OpenCode',
    pkg: 'opencode-ai',
    agent: 'opencode',
    /** No quotes: `opencode run` hands its message words to the model quoted and escaped. */
    task: 'Write greet.txt with a greeting and commit it.',
    drop: /^(GT_|BD_|TMUX|OPENCODE|XDG_)/,
    serve: (respond) => ({ respondChat: openCodeResponder(respond) }),
    env: (url, base) =>
      openCodeTestEnv(prepareOpenCodeConfig(join(base, 'opencode config'), url), join(base, 'opencode home')),
    plain: (task) => ({
      bin: OPENCODE_BIN,
      args: ['run', '--format', 'json', task],
      env: { OPENCODE_PERMISSION: '{"*":"allow"}' },
    }),
    isTurn: (body) => ((body as ChatRequest)?.tools?.length ?? 0) > 0,
    prime: (bodies) => {
      // The file gt wrote, named in the system prompt ("Instructions from: <file>"); read while the town still exists.
      const system = bodies.flatMap((b) =>
        ((b as ChatRequest)?.messages ?? [])
          .filter((m) => (m as { role?: string }).role === 'system')
          .map((m) => String((m as { content?: unknown }).content)),
      );
      const file = system.map((t) => /Instructions from: (\S+prime\.md)/.exec(t)?.[1]).find(Boolean);
      return { how: 'an instructions file in its inline config', chars: file ? readFileSync(file, 'utf8').length : 0 };
    },
  },
};

/** Tokens the server reported for the conversation turns from request `from` on. */
function turnTokens(
  server: ModelServer,
  from: number,
  isTurn: (body: unknown) => boolean,
): { input: number; output: number; turns: number } {
  const turns = new Set(server.requests.flatMap((r, i) => (i >= from && isTurn(r.body) ? [i] : [])));
  const rows = server.usage().requests.filter((u) => turns.has(u.index));
  return {
    input: rows.reduce((n, u) => n + u.usage.input_tokens, 0),
    output: rows.reduce((n, u) => n + u.usage.output_tokens, 0),
    turns: rows.length,
  };
}

async function measure(name: string, rt: RuntimeBench): Promise<void> {
  const plain: AgentScript = {
    name: 'plain',
    matches: (c) => c.text.includes(rt.task) && !c.text.includes('Gas Town: you are'),
    plan: (c) =>
      c.cwd
        ? [
            write('write', join(c.cwd, 'greet.txt'), 'Hello, world\n'),
            bash('commit', 'git add greet.txt && git commit -q -m "Greet"'),
          ]
        : [],
    finish: 'Done.',
  };
  const base = mkdtempSync(join(tmpdir(), `gt-bench-${name}-`));
  const socket = `gt-bench-${name}-${process.pid}`;
  const script = scriptedModel([plain, scriptedPolecat()]);
  const server = await startModelServer(rt.serve(script.respond));
  const env = cleanEnv(rt.drop, {
    ...rt.env(server.url, base),
    GT_TMUX_SOCKET: socket,
    GT_DAEMON_TICK_MS: '1000',
    PATH: `${BIN_DIR}:${process.env.PATH ?? ''}`,
  });
  const gt = (cwd: string, ...args: string[]): Promise<Run> => must(run(process.execPath, [GT, ...args], cwd, env));
  const town = join(base, 'town');
  try {
    const src = join(base, 'web-src');
    await must(run('git', ['init', '-q', '-b', 'main', src], base, env));
    await must(
      run(
        'sh',
        ['-c', 'echo "# web" > README.md && git add . && git -c user.name=b -c user.email=b@b commit -q -m init'],
        src,
        env,
      ),
    );
    await gt(base, 'install', town);
    await gt(town, 'rig', 'add', 'web', src);

    // Plain: the CLI's one-shot mode in a clone.
    const clone = join(base, 'plain');
    await must(run('git', ['clone', '-q', src, clone], base, env));
    const from = server.requests.length;
    const p = rt.plain(rt.task);
    await must(run(p.bin, p.args, clone, { ...env, ...p.env, ...GIT_AUTHOR }));
    const plainTokens = turnTokens(server, from, rt.isTurn);

    // Under Gas Town: a slung polecat.
    const polecatFrom = server.requests.length;
    await gt(town, 'daemon', 'start');
    const id = (
      JSON.parse(
        (
          await gt(
            join(town, 'web'),
            'bd',
            'create',
            'Greet',
            '-d',
            'File: "greet.txt" Content: "Hello, world\\n"',
            '--json',
          )
        ).stdout,
      ) as { id: string }
    ).id;
    // Exit 1 with the bead hooked when the agent's start-up outlasts gt's wait (a loaded machine): the daemon starts it again.
    await run(process.execPath, [GT, 'sling', id, 'web', '--agent', rt.agent], town, env);
    await until(
      () => beadStatus(town, id) === 'closed' && script.log.some((e) => e.agent === 'polecat' && e.text),
      `the ${rt.title} polecat to land its bead`,
      300_000,
    );
    const polecatTokens = turnTokens(server, polecatFrom, rt.isTurn);
    const prime = rt.prime(server.requests.slice(polecatFrom).map((r) => r.body));

    const total = (t: { input: number; output: number }): number => t.input + t.output;
    const ratio = total(polecatTokens) / total(plainTokens);
    const version = (
      JSON.parse(readFileSync(join(BIN_DIR, '..', rt.pkg, 'package.json'), 'utf8')) as { version: string }
    ).version;
    console.log(`${rt.title} ${version} — one task, write a file and commit it`);
    console.log(
      `  plain            : ${plainTokens.turns} turns, ${plainTokens.input} in + ${plainTokens.output} out = ${total(plainTokens)} tokens`,
    );
    console.log(
      `  Gas Town polecat : ${polecatTokens.turns} turns, ${polecatTokens.input} in + ${polecatTokens.output} out = ${total(polecatTokens)} tokens (prime by ${prime.how}, ≈ ${Math.ceil(prime.chars / 4)} tokens a turn)`,
    );
    console.log(`  ratio ${ratio.toFixed(2)}× (target ≤ ${TARGET}×) ${ratio <= TARGET ? 'OK' : 'OVER'}`);
  } finally {
    await run(process.execPath, [GT, 'daemon', 'stop'], town, env).catch(() => undefined);
    await createTmux({ socket })
      .killServer()
      .catch(() => undefined);
    await server.close();
    rmSync(base, { recursive: true, force: true });
  }
}

const names = process.argv.slice(2);
for (const n of names)
  if (!Object.hasOwn(RUNTIMES, n))
    throw new Error(`unknown runtime "${n}"; known: ${Object.keys(RUNTIMES).join(', ')}`);
for (const n of names.length ? names : Object.keys(RUNTIMES)) await measure(n, RUNTIMES[n]!);
