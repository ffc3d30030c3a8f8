// The town's file formats as zod schemas: town.json, settings/config.json and <rig>/rig.json (docs/formats/town-config.md).
import { z } from 'zod';

// A gt command parses its few files once: compiling each schema into a JavaScript function first (zod's default)
// costs more than it saves, in every process.
z.config({ jitless: true });

/** `town.json`: the marker `gt` finds by walking up. */
export const TownMetaSchema = z.strictObject({
  name: z.string().min(1),
  version: z.literal(1),
  created: z.iso.datetime(),
});
export type TownMeta = z.infer<typeof TownMetaSchema>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function isRegex(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}
const agentName = z.string().regex(NAME, 'expected an agent name (letters, digits, ".", "-", "_")');

/** A custom agent: the program to run, its arguments and extra environment. */
export const AgentDefinitionSchema = z.strictObject({
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'), z.string())
    .optional(),
  /** The built-in preset whose behaviour (ready prompt, hooks, resume) it shares; inferred from `command` if absent. */
  preset: z.string().optional(),
  /** Regular expression matching a screen row when the agent waits for input (overrides the base preset's). */
  ready_prompt: z.string().min(1).refine(isRegex, 'expected a valid regular expression').optional(),
  /** Milliseconds after start at which the agent counts as ready when no prompt shows. */
  ready_delay_ms: z.number().int().min(0).max(600_000).optional(),
});
export type AgentDefinition = z.infer<typeof AgentDefinitionSchema>;

const roleAgents = z.strictObject({
  mayor: agentName.optional(),
  polecat: agentName.optional(),
  crew: agentName.optional(),
});

const count = z.number().int().min(1);

const usd = z.number().nonnegative();

/** `budgets` in settings: each cap optional; absent means no cap. */
export const BudgetsSchema = z.strictObject({
  per_convoy_usd: usd.optional(),
  per_agent_usd: usd.optional(),
  per_day_usd: usd.optional(),
});
export type Budgets = z.infer<typeof BudgetsSchema>;

/** One model's price, US dollars per million tokens of each kind. */
export const PriceSchema = z.strictObject({ input: usd, output: usd, cache_read: usd, cache_write: usd });
export type Price = z.infer<typeof PriceSchema>;

/** `settings/config.json`. */
export const TownSettingsSchema = z.strictObject({
  version: z.literal(1).default(1),
  default_agent: agentName.default('claude'),
  agents: z.record(z.string().regex(NAME, 'expected an agent name'), AgentDefinitionSchema).default({}),
  role_agents: roleAgents.default({}),
  caps: z
    .strictObject({
      polecats_per_rig: count.default(4),
      polecats_per_town: count.default(12),
    })
    .prefault({}),
  /** Spending caps in US dollars (docs/costs.md): reached, the daemon slings no new work under them. */
  budgets: BudgetsSchema.default({}),
  /** Cost accounting: price overrides per model (US dollars per million tokens). */
  costs: z.strictObject({ prices: z.record(z.string().min(1), PriceSchema).default({}) }).optional(),
  daemon: z
    .strictObject({
      tick_seconds: count.default(30),
      stuck_after_seconds: count.default(600),
      restart_dead: z.boolean().default(true),
    })
    .prefault({}),
  /** What `gt done` does with the polecat's session: keep it (default, it takes the next hook) or stop it. */
  polecats: z.strictObject({ stop_after_done: z.boolean().default(false) }).optional(),
  /**
   * Agents `gt up` starts besides the Mayor (and stops with `gt down` like any other): crew members by address,
   * `<rig>/crew/<name>`. Polecats start with their work (`gt sling`), so they cannot be listed.
   */
  always_on: z
    .array(
      z
        .string()
        .regex(
          /^[a-z0-9][a-z0-9_-]*\/crew\/[A-Za-z0-9][A-Za-z0-9._-]*$/i,
          'expected a crew member as <rig>/crew/<name> (polecats start with their work: gt sling)',
        ),
    )
    .optional(),
  /**
   * Per-rig runtimes here, as the seeds' FAQ puts them (the same keys as a rig.json's; the rig.json's win where both
   * name one): `"rigs": { "web": { "default_agent": "codex", "role_agents": { "polecat": "gemini" } } }`.
   */
  rigs: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'expected a rig name'),
      z.strictObject({
        default_agent: agentName.optional(),
        role_agents: roleAgents.optional(),
      }),
    )
    .optional(),
});
export type TownSettings = z.infer<typeof TownSettingsSchema>;

const gate = z.strictObject({
  command: z.string().min(1),
  timeout_seconds: count.default(600),
});
export type Gate = z.infer<typeof gate>;

export const MERGE_STRATEGIES = ['mr', 'direct', 'local', 'pr'] as const;
export type MergeStrategy = (typeof MERGE_STRATEGIES)[number];

/** `<rig>/rig.json`. */
export const RigConfigSchema = z.strictObject({
  version: z.literal(1).default(1),
  name: z.string().min(1),
  git_url: z.string().min(1),
  default_branch: z.string().min(1),
  prefix: z.string().regex(/^[a-z][a-z0-9]{0,15}$/, 'expected 1–16 lowercase letters or digits starting with a letter'),
  created: z.iso.datetime(),
  gates: z.strictObject({ setup: gate.optional(), build: gate.optional(), test: gate.optional() }).default({}),
  merge_strategy: z.enum(MERGE_STRATEGIES).default('mr'),
  /** The refinery's merge queue (docs/refinery.md); absent means the defaults. */
  merge_queue: z
    .strictObject({
      batch: count.default(1),
      push: z.enum(['auto', 'always', 'never']).default('auto'),
    })
    .optional(),
  /** Landing through pull requests (`merge_strategy: "pr"` or `gt sling --merge pr`; docs/refinery.md "Pull requests"). */
  pr: z
    .strictObject({
      /** `owner/name` on GitHub; default: read from origin's URL. */
      repo: z
        .string()
        .regex(/^[\w.-]+\/[\w.-]+$/, 'expected owner/name')
        .optional(),
      /** Where branches are pushed: a remote name of the rig's repository or a URL (a fork); default origin. */
      remote: z.string().min(1).optional(),
      /** REST base: https://api.github.com, or GitHub Enterprise Server's https://<host>/api/v3; default GITHUB_API_URL or github.com. */
      api_url: z.url().optional(),
      merge_method: z.enum(['merge', 'squash', 'rebase']).default('squash'),
      /** Wait for at least one approving review, whatever the branch protection says. */
      require_review: z.boolean().default(false),
      /** Checks (check-run names or status contexts) that must be present and green; every reported check must pass anyway. */
      required_checks: z.array(z.string().min(1)).default([]),
      /** Let GitHub merge once its requirements are met (GraphQL enablePullRequestAutoMerge) instead of merging through the API. */
      auto_merge: z.boolean().default(false),
      /** Put the PR in the base branch's GitHub merge queue (GraphQL enqueuePullRequest). */
      merge_queue: z.boolean().default(false),
      /** How often the daemon looks at open PRs. */
      poll_seconds: count.default(60),
    })
    .optional(),
  default_agent: agentName.optional(),
  role_agents: roleAgents.optional(),
});
export type RigConfig = z.infer<typeof RigConfigSchema>;
