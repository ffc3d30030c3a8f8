#!/usr/bin/env node
// The simulated coding agent (the `sim` runtime): behaves like an agent CLI in tmux with no model. At start, and
// whenever a line is typed at its `sim> ` prompt (a nudge) or its idle poll comes round, it reads its hook
// (`gt hook --json`); when that holds work it runs `gt prime`, carries out the action script in the bead's
// description (a ```sim fenced block, see docs/work-loop.md), commits and runs `gt done`. A molecule (a poured
// formula) is worked step by step, each step bead closed before the next (workSteps). It shows
// `sim: working …` while busy, as agents show a busy marker.
// Usage: node sim-agent.js [first prompt]
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';

const out = (s) => process.stdout.write(s);
const prompt = () => out('sim> ');
/** A line of its own, replacing the status line (or the prompt) the cursor is on. */
const say = (text) => out(`\r\x1b[2K${text}\n`);
const IDLE_POLL_MS = Number(process.env.GT_SIM_POLL_MS ?? 10_000);

let busy = false;
let again = false;
let line = '';

function gt(args, opts = {}) {
  return execFileSync('gt', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/** The action script: the lines of the first ```sim block of the description. */
export function parseScript(description) {
  const m = /```sim[^\n]*\n([\s\S]*?)```/.exec(description ?? '');
  if (!m) return undefined;
  return m[1]
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean)
    .map(parseAction);
}

function parseAction(text) {
  const [verb, ...rest] = text.split(/\s+/);
  const arg = text.slice(verb.length).trim();
  switch (verb) {
    case 'write':
    case 'append': {
      const mm = /^(\S+)\s+"((?:[^"\\]|\\.)*)"$/.exec(arg);
      if (!mm) return { verb: 'fail', reason: `bad ${verb} line: ${text}` };
      return { verb, path: mm[1], content: JSON.parse(`"${mm[2]}"`) };
    }
    case 'run':
      return { verb, command: arg };
    case 'sleep':
      return { verb, seconds: Number(rest[0] ?? 1) };
    case 'fail':
      return { verb, reason: arg.replace(/^"|"$/g, '') || 'failed' };
    case 'hang':
    case 'crash':
      return { verb };
    default:
      return { verb: 'fail', reason: `unknown action: ${text}` };
  }
}

async function perform(action, cwd) {
  switch (action.verb) {
    case 'write':
    case 'append': {
      const path = join(cwd, action.path);
      mkdirSync(dirname(path), { recursive: true });
      if (action.verb === 'write') writeFileSync(path, action.content);
      else appendFileSync(path, action.content);
      return undefined;
    }
    case 'run': {
      const r = spawnSync('/bin/sh', ['-c', action.command], { cwd, encoding: 'utf8' });
      return r.status === 0
        ? undefined
        : `command failed (${r.status}): ${action.command}\n${(r.stdout + r.stderr).slice(-500)}`;
    }
    case 'sleep':
      await sleep(action.seconds * 1000);
      return undefined;
    case 'fail':
      return action.reason;
    case 'hang':
      for (;;) await sleep(60_000);
    case 'crash':
      process.exit(3);
  }
  return undefined;
}

async function performAll(script, cwd) {
  for (const action of script) {
    const failure = await perform(action, cwd);
    if (failure) return failure;
  }
  return undefined;
}

function bd(args, opts = {}) {
  return execFileSync('bd', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/**
 * A molecule on the hook (a poured formula): its steps in order, each worked as a bead is (its ```sim block, else
 * its `run` command, else a note file) and closed with `bd close` before the next; a step with steps of its own is
 * done when they are. The first failure stops it, the step left open.
 */
async function workSteps(molecule, cwd) {
  let steps;
  try {
    steps = JSON.parse(bd(['mol', 'show', molecule.id, '--json'])).steps;
  } catch (e) {
    return `could not read the steps of ${molecule.id}: ${String(e.stderr ?? e.message).trim()}`;
  }
  const groups = new Set(steps.map((s) => s.parent));
  for (const step of steps) {
    if (step.status === 'closed' || groups.has(step.id)) continue;
    out(`\r\x1b[2Ksim: working on ${molecule.id} step ${step.id} ${step.title}`);
    const [full] = JSON.parse(bd(['show', step.id, '--json']));
    const script =
      parseScript(full?.description) ??
      (step.run
        ? [{ verb: 'run', command: step.run }]
        : [{ verb: 'write', path: `SIM-${step.id}.md`, content: `# ${step.title}\n\n${full?.description ?? ''}\n` }]);
    const failure = await performAll(script, cwd);
    if (failure) return `step ${step.id} ${step.title}: ${failure}`;
    try {
      bd(['close', step.id, '--reason', 'done by the sim agent']);
    } catch (e) {
      return `could not close step ${step.id}: ${String(e.stderr ?? e.message).trim()}`;
    }
    say(`sim: closed ${step.id} ${step.title}`);
  }
  return undefined;
}

async function work() {
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  try {
    do {
      again = false;
      await workOnce();
    } while (again);
  } finally {
    busy = false;
    out('\r\x1b[2K');
    prompt();
  }
}

async function workOnce() {
  let hook;
  try {
    hook = JSON.parse(gt(['hook', '--json']));
  } catch (e) {
    say(
      `sim: could not read my hook: ${
        String(e.stderr ?? e.message)
          .trim()
          .split('\n')[0]
      }`,
    );
    return;
  }
  const bead = hook?.bead;
  if (!bead || (bead.status !== 'hooked' && bead.status !== 'in_progress')) return;
  if (bead.status === 'in_progress' && hook.polecat?.hook_state === 'completed') return;
  // Escalated or deferred: the work waits for someone to act; doing it again would only escalate it again.
  if (hook.suspended) return;
  // Primes only when there is work: an idle poll is one `gt hook` call (thirty idle sims polling prime and hook
  // every two seconds kept two cores busy).
  try {
    gt(['prime']);
  } catch (e) {
    say(
      `sim: gt prime failed: ${
        String(e.stderr ?? e.message)
          .trim()
          .split('\n')[0]
      }`,
    );
    return;
  }
  // The busy marker stays the last line while the work runs, as an agent's status line does.
  out(`\r\x1b[2Ksim: working on ${bead.id} ${bead.title}`);
  const cwd = process.cwd();
  const failure =
    (bead.type ?? bead.issue_type) === 'molecule'
      ? await workSteps(bead, cwd)
      : await performAll(
          parseScript(bead.description) ?? [{ verb: 'write', path: `SIM-${bead.id}.md`, content: `# ${bead.title}\n` }],
          cwd,
        );
  if (failure) {
    say(`sim: giving up on ${bead.id}: ${failure.split('\n')[0]}`);
    try {
      gt(['done', '--status', 'escalated', '-m', failure]);
    } catch (e) {
      say(`sim: gt done failed: ${String(e.stderr ?? e.message).trim()}`);
    }
    return;
  }
  spawnSync('git', ['add', '-A'], { cwd });
  spawnSync('git', ['commit', '-q', '-m', `${bead.id}: ${bead.title}`], { cwd });
  try {
    gt(['done']);
    say(`sim: done ${bead.id}`);
  } catch (e) {
    say(`sim: gt done failed: ${String(e.stderr ?? e.message).trim()}`);
  }
}

function onKey(chunk) {
  for (const ch of chunk.toString('utf8')) {
    if (ch === '\u0003') process.exit(0);
    if (ch === '\r' || ch === '\n') {
      out('\n');
      line = '';
      void work();
    } else if (ch === '\u007f') {
      line = line.slice(0, -1);
      out('\b \b');
    } else if (ch >= ' ') {
      line += ch;
      out(ch);
    }
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  process.stdin.on('data', onKey);
  out(`sim agent ${process.env.GT_ADDRESS ?? ''}\n`);
  prompt();
  void work();
  setInterval(() => {
    if (!busy) void work();
  }, IDLE_POLL_MS).unref?.();
  setInterval(() => {}, 1 << 30);
}
