// The text `gt prime` prints for each role (pure): who you are, the rules of your role, your hook in full, its
// steps as a checklist, a handoff, unread mail, and what to do next.
import { formatMailSummary } from '../mail/index.ts';
import type { PrimeContext } from './gather.ts';

/** Long fields beyond this are cut, pointing at `bd show`; a typical polecat prime stays well under 4 KB. */
const FIELD_LIMIT = 2000;

export function renderPrime(c: PrimeContext, opts: { light?: boolean } = {}): string {
  const out: string[] = [`# Gas Town: you are ${c.role.text} (${roleName(c)}) in town "${c.town}"`];
  if (c.role.mismatch)
    out.push(`Note: your environment says ${c.role.text}, but ${c.role.mismatch}. The environment wins.`);
  if (!opts.light) out.push('', ...rulesOf(c));
  out.push('', ...hookSection(c));
  if (c.handoff)
    out.push(
      '',
      `## Handoff from your previous session (${c.handoff.id})`,
      c.handoff.subject,
      clip(c.handoff.body, c.handoff.id, 'gt mail read'),
    );
  const mail = formatMailSummary(c.mail);
  if (mail) out.push('', '## Mail', mail);
  const next = opts.light ? [] : nextOf(c);
  if (next.length) out.push('', ...next);
  return `${out.join('\n')}\n`;
}

function roleName(c: PrimeContext): string {
  return c.role.address.kind;
}

function rulesOf(c: PrimeContext): string[] {
  switch (c.role.address.kind) {
    case 'polecat': {
      // Every byte here is re-sent with each model request of the session: only what changes behaviour.
      const hook = c.hooked?.id ?? '<hook id>';
      return [
        '## Rules of a polecat',
        'Start the work on your hook at once: no announcing, no waiting. Never push to main or merge: finish with `gt done`, which commits what is left (no separate commit needed), pushes your branch and queues the merge.',
        `New work you find: bd create "<title>" --deps discovered-from:${hook}. Blocked or scope growing: gt mail send mayor -s "<subject>" -m "<question>".`,
      ];
    }
    case 'mayor':
      return [
        '## Rules of the Mayor',
        "You coordinate: you turn the overseer's goals into beads, group them in convoys and sling them to polecats.",
        'You do not write the code yourself. Keep the overseer informed; escalate what needs a human.',
        '',
        '### From a goal to running work',
        "1. Break the goal into beads, one reviewable change each, filed in the rig that will do it (--rig: the rig's id prefix; hq- beads are the town's own and are not slung to rigs):",
        '   bd create "Add login form" --rig <rig> -t feature -p 1 -d "<what and why, acceptance>" --parent <epic id>',
        '   bd create "Wire login API" --rig <rig> --deps blocks:<login form id>     (runs after it)',
        '2. Track them together: gt convoy create "Login" <id> <id> …',
        '3. Start each ready bead on a rig: gt sling <id> <rig>   (bd ready lists what can start now)',
        '4. Watch: gt convoy list, gt agents, gt peek <rig>/<polecat>; talk: gt nudge <agent> "<message>".',
        '5. Landed work closes its bead; the convoy tells you when all of it is in.',
      ];
    case 'crew':
      return [
        '## Rules of a crew workspace',
        "- This is a person's full clone; you work with them, on their instructions.",
        '- Commit with the crew identity already configured; push only when the person asks.',
        '- Use `bd` for tracking (bd ready, bd create, bd update <id> --claim) and mail for the Mayor.',
      ];
    case 'refinery':
      return [
        '## Rules of the refinery',
        '- You land merge requests on the default branch in order; never rewrite history others share.',
      ];
    case 'witness':
      return [
        '## Rules of the witness',
        "- You watch the rig's polecats: nudge the stalled, report the stuck to the Mayor.",
      ];
    default:
      return [];
  }
}

function hookSection(c: PrimeContext): string[] {
  const b = c.hooked;
  if (!b) return ['## Your hook: empty'];
  // Only what differs from a plain hooked bead (a P2 task in progress): the defaults tell the agent nothing.
  const facts = [
    b.type !== 'task' && b.type,
    b.priority !== 2 && `P${b.priority}`,
    b.status !== 'hooked' && b.status !== 'in_progress' && b.status,
    b.labels.length > 0 && `labels ${b.labels.join(', ')}`,
  ].filter(Boolean);
  const out = [`## Your hook: ${b.id} ${b.title}`, ...(facts.length ? [facts.join(', ')] : [])];
  for (const [name, text] of [
    ['Description', b.description],
    ['Design', b.design],
    ['Acceptance', b.acceptance],
    ['Notes', b.notes],
  ] as const) {
    if (text.trim()) out.push('', `### ${name}`, clip(text, b.id, 'bd show'));
  }
  const comments = b.comments.slice(-3);
  if (comments.length) out.push('', '### Latest comments', ...comments.map((m) => `- ${m.author}: ${oneLine(m.text)}`));
  if (c.steps.length) {
    out.push(
      '',
      `### Steps (${c.steps.filter((s) => s.done).length}/${c.steps.length} done; close each with bd close <id>)`,
    );
    out.push(...c.steps.map((s) => `${'  '.repeat(s.depth)}- [${s.done ? 'x' : ' '}] ${s.id} ${s.title}`));
  }
  return out;
}

function nextOf(c: PrimeContext): string[] {
  const kind = c.role.address.kind;
  if (c.hooked) {
    if (kind === 'polecat') return []; // its rules say it: start at once, finish with gt done
    return ['## Now', `Continue ${c.hooked.id}. bd show ${c.hooked.id} has the details.`];
  }
  if (kind === 'mayor') {
    const rigs = c.rigs.length ? `Rigs: ${c.rigs.join(', ')}.` : 'No rigs yet: gt rig add <name> <git-url|path>.';
    return ['## Now', `${rigs} Ask the overseer what to build, or look at bd ready and gt convoy list.`];
  }
  if (kind === 'polecat')
    return [
      '## Now',
      'Nothing is on your hook. Check your mail; if there is none, tell the Mayor you are free: gt mail send mayor -s "free" -m "no work on my hook"',
    ];
  return ['## Now', 'Nothing is hooked. bd ready shows work that can start.'];
}

function clip(text: string, id: string, cmd: string): string {
  const t = text.trim();
  return t.length <= FIELD_LIMIT ? t : `${t.slice(0, FIELD_LIMIT)}\n… (cut; the whole text: ${cmd} ${id})`;
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}
