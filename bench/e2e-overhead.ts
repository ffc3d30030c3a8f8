// What Gas Town costs in tokens (`npm run bench:e2e`): one scripted task (write a file, commit it) carried out by the
// real Claude Code CLI against the loopback model server, twice: as a polecat under Gas Town (slung, primed by the
// SessionStart hook, finishing with `gt done` as its prime says, every Stop recorded by `gt costs record`) and
// plainly with `claude -p` in a clone of the same repository (Write, then one `git commit`). Prints the tokens each
// sent, the ratio (target ≤ 1.15), where the difference comes from (per source, per request, and which tools and
// context lines only the polecat's requests carry), and checks that `gt costs` counted exactly what the server
// reported for the polecat. Prints; asserts nothing. BENCH_DUMP=<dir> writes every request of both runs there.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTmux } from '../src/tmux/index.ts';
import { CLAUDE_BIN, claudeTestEnv, prepareClaudeConfigDir } from '../testing/claude/index.ts';
import {
  bash,
  scriptedModel,
  scriptedPolecat,
  startModelServer,
  write,
  type AgentScript,
  type MessagesRequest,
  type ModelServer,
  type ScriptLogEntry,
} from '../testing/model-server/index.ts';
import { beadStatus, cleanEnv as cleanEnvWithout, must, run, until } from './e2e-support.ts';

const GT = resolve(import.meta.dirname, '../bin/gt.js');
const BIN_DIR = resolve(import.meta.dirname, '../node_modules/.bin');
const FILE = 'greet.txt';
const CONTENT = 'Hello, world\n';
const TASK = `Write ${FILE} containing "Hello, world" and commit it.`;
const TARGET = 1.15;

const cleanEnv = (extra: Record<string, string>): NodeJS.ProcessEnv =>
  cleanEnvWithout(/^(GT_|BD_|TMUX|CLAUDE|ANTHROPIC)/, extra);

// ---- what one request carries, by source (pure) ----

const SOURCES = [
  'system prompt',
  'tools offered',
  'Claude Code context',
  'Claude Code git-worktree note',
  'gt prime (SessionStart hook)',
  'other hook output (mail, nudges)',
  'prompt (task / start prompt)',
  'tool calls, results, answers',
  'request framing',
] as const;
type Source = (typeof SOURCES)[number];
type Parts = Record<Source, number>;

/** A main request: it offers tools (side queries such as titles do not). */
interface MainRequest {
  index: number;
  body: MessagesRequest;
  bytes: number;
  inputTokens: number;
  outputTokens: number;
  answered: string;
}

const size = (v: unknown): number => Buffer.byteLength(JSON.stringify(v) ?? '');
const textSize = (s: string): number => size(s) - 2;
const zero = (): Parts => Object.fromEntries(SOURCES.map((s) => [s, 0])) as Parts;
const HOOK = /(?:^|\n)(\w+)(?::\w+)? hook success: /g;
/** The environment lines Claude Code adds in a git worktree (where every polecat works). */
const WORKTREE = /\bgit (worktree|stash)\b/;

/** Splits a context text into hook outputs (by event) and the rest, which Claude Code wrote itself. */
function hookSegments(text: string): { hooks: { event: string; text: string }[]; rest: string } {
  const marks = [...text.matchAll(HOOK)];
  if (marks.length === 0) return { hooks: [], rest: text };
  const hooks: { event: string; text: string }[] = [];
  let rest = text.slice(0, marks[0]!.index);
  marks.forEach((m, i) => {
    const from = m.index;
    const next = marks[i + 1]?.index ?? text.length;
    const env = text.indexOf('\n# Environment\n', from);
    const to = env !== -1 && env < next ? env : next;
    hooks.push({ event: m[1]!, text: text.slice(from, to) });
    rest += text.slice(to, next);
  });
  return { hooks, rest };
}

/** Claude Code's own context text of a request (environment, git status, tool and agent lists), hook output left out. */
function contextText(body: MessagesRequest): string {
  const out: string[] = [];
  for (const m of body.messages ?? []) {
    for (const t of texts(m.content)) {
      if (m.role === 'system') out.push(hookSegments(t).rest);
      else if (m.role === 'user' && t.trimStart().startsWith('<system-reminder>')) out.push(hookSegments(t).rest);
    }
  }
  return out.join('\n');
}

function texts(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  return (content as { type?: string; text?: unknown }[])
    .filter((b) => b?.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string);
}

function partsOf(body: MessagesRequest, bytes: number): Parts {
  const p = zero();
  p['system prompt'] = size(body.system ?? '');
  p['tools offered'] = size(body.tools ?? []);
  const context = (t: string): void => {
    const { hooks, rest } = hookSegments(t);
    for (const h of hooks)
      p[h.event === 'SessionStart' ? 'gt prime (SessionStart hook)' : 'other hook output (mail, nudges)'] += textSize(
        h.text,
      );
    const worktree = rest
      .split('\n')
      .filter((l) => WORKTREE.test(l))
      .reduce((n, l) => n + textSize(l) + 2, 0);
    p['Claude Code git-worktree note'] += worktree;
    p['Claude Code context'] += textSize(rest) - worktree;
  };
  for (const m of body.messages ?? []) {
    if (typeof m.content === 'string') {
      if (m.role === 'system') context(m.content);
      else
        p[m.role === 'user' ? 'prompt (task / start prompt)' : 'tool calls, results, answers'] += textSize(m.content);
      continue;
    }
    for (const b of (Array.isArray(m.content) ? m.content : []) as { type?: string; text?: string }[]) {
      if (b.type !== 'text' || typeof b.text !== 'string') p['tool calls, results, answers'] += size(b);
      else if (m.role === 'system' || (m.role === 'user' && b.text.trimStart().startsWith('<system-reminder>')))
        context(b.text);
      else if (m.role === 'user') p['prompt (task / start prompt)'] += textSize(b.text);
      else p['tool calls, results, answers'] += textSize(b.text);
    }
  }
  p['request framing'] = bytes - SOURCES.filter((s) => s !== 'request framing').reduce((n, s) => n + p[s], 0);
  return p;
}

function mainRequests(server: ModelServer, log: readonly ScriptLogEntry[]): MainRequest[] {
  return server.usage().requests.flatMap((u) => {
    const r = server.requests[u.index]!;
    const body = r.body as MessagesRequest;
    if (!Array.isArray(body?.tools) || body.tools.length === 0) return [];
    const l = log.find((e) => e.index === u.index);
    return [
      {
        index: u.index,
        body,
        bytes: r.bytes,
        inputTokens: u.usage.input_tokens,
        outputTokens: u.usage.output_tokens,
        answered: l?.step ?? (l?.text ? `"${l.text}"` : '?'),
      },
    ];
  });
}

// ---- the two runs ----

interface Measured {
  requests: number;
  main: MainRequest[];
  input: number;
  output: number;
  bytes: number;
}

function measure(server: ModelServer, log: readonly ScriptLogEntry[], dumpName: string): Measured {
  if (process.env.BENCH_DUMP)
    writeFileSync(join(process.env.BENCH_DUMP, `${dumpName}.json`), JSON.stringify(server.requests, null, 1));
  const u = server.usage();
  return {
    requests: u.requests.length,
    main: mainRequests(server, log),
    input: u.total.input_tokens,
    output: u.total.output_tokens,
    bytes: u.requests.reduce((n, r) => n + (server.requests[r.index]?.bytes ?? 0), 0),
  };
}

/** The plain run's script: what a sensible agent does for the task: write the file, commit it in one Bash call. */
function plainScript(dir: string): AgentScript {
  return {
    name: 'plain',
    matches: (c) => c.text.includes(TASK),
    plan: () => [
      write('write', join(dir, FILE), CONTENT),
      bash('commit', `git add -A && git commit -q -m ${JSON.stringify(TASK)}`),
    ],
    finish: 'Done: greet.txt is committed.',
  };
}

async function plainRun(base: string): Promise<Measured> {
  const dir = join(base, 'plain');
  const script = scriptedModel([plainScript(dir)]);
  const server = await startModelServer({ respond: script.respond });
  const configDir = prepareClaudeConfigDir(join(base, 'plain claude config'), { trustedDirs: [dir] });
  const env = cleanEnv({
    ...claudeTestEnv(server.url),
    CLAUDE_CONFIG_DIR: configDir,
    GIT_AUTHOR_NAME: 'B',
    GIT_AUTHOR_EMAIL: 'b@x',
    GIT_COMMITTER_NAME: 'B',
    GIT_COMMITTER_EMAIL: 'b@x',
  });
  try {
    await must(run('git', ['init', '-q', '-b', 'main', dir], base, env));
    await must(run('sh', ['-c', 'echo "# app" > README.md && git add -A && git commit -q -m first'], dir, env));
    await must(run(CLAUDE_BIN, ['-p', TASK, '--dangerously-skip-permissions'], dir, env));
    await must(run('git', ['show', `HEAD:${FILE}`], dir, env));
    return measure(server, script.log, 'plain');
  } finally {
    await server.close();
  }
}

interface GasTownMeasured extends Measured {
  counted: { input: number; output: number; responses: number };
}

async function gasTownRun(base: string): Promise<GasTownMeasured> {
  const script = scriptedModel([scriptedPolecat()]);
  const server = await startModelServer({ respond: script.respond });
  const socket = `gt-bench-e2e-${process.pid}`;
  const tmux = createTmux({ socket });
  const configDir = prepareClaudeConfigDir(join(base, 'gt claude config'));
  const env = cleanEnv({
    ...claudeTestEnv(server.url),
    CLAUDE_CONFIG_DIR: configDir,
    GT_TMUX_SOCKET: socket,
    PATH: `${BIN_DIR}:${process.env.PATH ?? ''}`,
  });
  try {
    const town = join(base, 'town');
    const src = join(base, 'src');
    await must(run('git', ['init', '-q', '-b', 'main', src], base, env));
    await must(
      run(
        'sh',
        ['-c', 'echo "# app" > README.md && git add -A && git -c user.name=B -c user.email=b@x commit -q -m first'],
        src,
        env,
      ),
    );
    await must(run(process.execPath, [GT, 'install', town], base, env));
    await must(run(process.execPath, [GT, 'rig', 'add', 'web', src], town, env));
    const bead = JSON.parse(
      (
        await must(
          run(
            process.execPath,
            [GT, 'bd', 'create', 'Greet the world', '-d', `File: "${FILE}" Content: "Hello, world\\n"`, '--json'],
            join(town, 'web'),
            env,
          ),
        )
      ).stdout,
    ) as { id: string };
    await must(run(process.execPath, [GT, 'sling', bead.id, 'web', '--json'], town, env));
    await until(
      () => beadStatus(town, bead.id) === 'in_progress' && script.log.some((l) => l.agent === 'polecat' && l.text),
      'the polecat to finish with gt done',
    );
    // The Stop hook runs after the last answer: wait until the usage table holds every main request.
    const counted = await until(
      async () => {
        const r = await run(process.execPath, [GT, 'costs', '--json'], town, env);
        const v = JSON.parse(r.stdout) as { total: { input: number; output: number; responses: number } };
        return v.total.responses >= mainRequests(server, script.log).length ? v.total : undefined;
      },
      'gt costs to count every response',
      60_000,
    );
    return { ...measure(server, script.log, 'gt'), counted };
  } finally {
    await tmux.killServer();
    await server.close();
  }
}

// ---- the report ----

const n = (v: number): string => Math.round(v).toLocaleString('en-US');
const signed = (v: number): string => `${v >= 0 ? '+' : '−'}${n(Math.abs(v))}`;
const tok = (bytes: number): number => bytes / 4;

function sumParts(rs: readonly MainRequest[]): Parts {
  const p = zero();
  for (const r of rs) {
    const q = partsOf(r.body, r.bytes);
    for (const s of SOURCES) p[s] += q[s];
  }
  return p;
}

/** Lines of Claude Code's context only one run has (first request of each), largest first. */
function lineDiff(a: string, b: string): { line: string; bytes: number }[] {
  const count = new Map<string, number>();
  for (const l of a.split('\n')) count.set(l, (count.get(l) ?? 0) + 1);
  const out: { line: string; bytes: number }[] = [];
  for (const l of b.split('\n')) {
    const c = count.get(l) ?? 0;
    if (c > 0) count.set(l, c - 1);
    else if (l.trim()) out.push({ line: l, bytes: Buffer.byteLength(l) + 1 });
  }
  return out.sort((x, y) => y.bytes - x.bytes);
}

/** Bytes each tool's definition took, summed over the requests. */
function toolSizes(rs: readonly MainRequest[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rs)
    for (const t of r.body.tools ?? [])
      out.set(String((t as { name?: unknown }).name), (out.get(String((t as { name?: unknown }).name)) ?? 0) + size(t));
  return out;
}

function report(plain: Measured, gt: GasTownMeasured): void {
  const row = (name: string, f: Measured): string =>
    `  ${name.padEnd(24)} ${String(f.requests).padStart(8)} ${String(f.main.length).padStart(6)} ${n(f.input).padStart(12)} ${n(f.output).padStart(8)} ${n(f.bytes).padStart(12)}`;
  console.log(`One scripted task ("${TASK}") on the real Claude Code CLI against the loopback model server`);
  console.log(
    `  ${'run'.padEnd(24)} ${'requests'.padStart(8)} ${'main'.padStart(6)} ${'input tok'.padStart(12)} ${'output'.padStart(8)} ${'bytes sent'.padStart(12)}`,
  );
  console.log(row('plain claude -p', plain));
  console.log(row('polecat under Gas Town', gt));
  const ratio = gt.input / plain.input;
  console.log(
    `  overhead ratio (input tokens, Gas Town / plain): ${ratio.toFixed(4)} (target ≤ ${TARGET})${ratio <= TARGET ? '' : '  ABOVE TARGET'}`,
  );

  console.log('\nPer main request (input tokens; what the script answered):');
  const rows = Math.max(plain.main.length, gt.main.length);
  for (let i = 0; i < rows; i++) {
    const p = plain.main[i];
    const g = gt.main[i];
    const cell = (r: MainRequest | undefined): string =>
      (r
        ? `${n(r.inputTokens).padStart(7)} → ${r.answered.length > 24 ? `${r.answered.slice(0, 23)}…` : r.answered}`
        : '-'.padStart(7)
      ).padEnd(36);
    console.log(
      `  #${i + 1}  plain ${cell(p)} gas town ${cell(g)}${p && g ? ` ×${(g.inputTokens / p.inputTokens).toFixed(3)}` : ''}`,
    );
  }

  const pp = sumParts(plain.main);
  const gp = sumParts(gt.main);
  const extra = gt.input - plain.input;
  console.log('\nWhere the extra input tokens come from (summed over main requests; tokens = bytes / 4):');
  console.log(
    `  ${'source'.padEnd(34)} ${'plain'.padStart(9)} ${'gas town'.padStart(9)} ${'extra'.padStart(8)} ${'share'.padStart(6)}`,
  );
  for (const s of SOURCES) {
    const d = tok(gp[s] - pp[s]);
    console.log(
      `  ${s.padEnd(34)} ${n(tok(pp[s])).padStart(9)} ${n(tok(gp[s])).padStart(9)} ${signed(d).padStart(8)} ${`${Math.round((100 * d) / extra)}%`.padStart(6)}`,
    );
  }
  console.log(
    `  ${'total'.padEnd(34)} ${n(plain.input).padStart(9)} ${n(gt.input).padStart(9)} ${signed(extra).padStart(8)}`,
  );
  if (gt.main.length !== plain.main.length)
    console.log(
      `  (the polecat made ${gt.main.length} main requests, the plain run ${plain.main.length}: each re-sends the whole context)`,
    );

  if (!plain.main[0] || !gt.main[0]) return;
  console.log(
    "\nWhat only the polecat's requests carry (tokens summed over main requests, context lines from the first request):",
  );
  const pt = toolSizes(plain.main);
  const gtools = toolSizes(gt.main);
  const onlyGt = [...gtools].filter(([k]) => !pt.has(k));
  const changed = [...gtools]
    .filter(([k, v]) => pt.has(k) && pt.get(k) !== v)
    .map(([k, v]) => `${k} ${signed(tok(v - pt.get(k)!))}`);
  const onlyPlain = [...pt].filter(([k]) => !gtools.has(k)).map(([k, v]) => `${k} ${n(tok(v))}`);
  console.log(
    `  tools only in the interactive session: ${onlyGt.map(([k, v]) => `${k} ${n(tok(v))}`).join(', ') || 'none'}${changed.length ? `; descriptions differ: ${changed.join(', ')}` : ''}${onlyPlain.length ? `; only with -p: ${onlyPlain.join(', ')}` : ''}`,
  );
  const p0 = plain.main[0]!.body;
  const g0 = gt.main[0]!.body;
  const gtHook = (g0.messages ?? []).flatMap((m) => texts(m.content)).flatMap((t) => hookSegments(t).hooks);
  for (const h of gtHook)
    console.log(
      `  ${h.event} hook output: ${n(textSize(h.text))} bytes, ${h.text.split('\n').length} lines, in every request`,
    );
  const lines = lineDiff(contextText(p0), contextText(g0));
  const clip = (l: string): string => (l.length > 100 ? `${l.slice(0, 100)}…` : l);
  console.log(
    `  Claude Code context lines only the polecat has (${n(lines.reduce((s, l) => s + l.bytes, 0))} bytes; the plain run has ${n(lineDiff(contextText(g0), contextText(p0)).reduce((s, l) => s + l.bytes, 0))} bytes of lines instead):`,
  );
  for (const l of lines.slice(0, 8)) console.log(`    ${String(l.bytes).padStart(5)}  ${clip(l.line.trim())}`);
  if (onlyGt.length) {
    const without = gt.input - onlyGt.reduce((s, [, v]) => s + tok(v), 0);
    console.log(
      `  estimate: without ${onlyGt.map(([k]) => k).join(', ')} in the polecat's tools the ratio would be ${(without / plain.input).toFixed(3)}`,
    );
  }

  const mainInput = gt.main.reduce((s, r) => s + r.inputTokens, 0);
  const mainOutput = gt.main.reduce((s, r) => s + r.outputTokens, 0);
  const exact =
    gt.counted.input === mainInput && gt.counted.output === mainOutput && gt.counted.responses === gt.main.length;
  console.log(
    `\ngt costs counted ${gt.counted.responses} responses, ${n(gt.counted.input)} input / ${n(gt.counted.output)} output tokens: ${exact ? 'exactly what the server reported' : `server reported ${n(mainInput)} / ${n(mainOutput)} over ${gt.main.length} main requests (MISMATCH)`}`,
  );
}

const base = mkdtempSync(join(tmpdir(), 'gt bench e2e '));
try {
  const plain = await plainRun(base);
  const gt = await gasTownRun(base);
  report(plain, gt);
} finally {
  rmSync(base, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}
