// The town's file formats as zod schemas: town.json, settings/config.json and <rig>/rig.json (docs/formats/town-config.md).
// zod/mini, zod's functional form: the classic one with its methods cost every gt call 30 ms or more to load.
import * as z from 'zod/mini';

// English messages, as classic zod sets them. A gt command parses its few files once: compiling each schema into a
// JavaScript function first (zod's default) costs more than it saves, in every process.
z.config({ ...z.locales.en(), jitless: true });

/** A string of at least one character. */
function nonEmpty(): z.ZodMiniString {
  return z.string().check(z.minLength(1));
}

/** A whole number, at least `min`. */
function whole(min: number): z.ZodMiniNumber {
  return z.number().check(z.int(), z.gte(min));
}

/** `town.json`: the marker `gt` finds by walking up. */
export const TownMetaSchema = z.strictObject({
  name: nonEmpty(),
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
const agentName = z.string().check(z.regex(NAME, 'expected an agent name (letters, digits, ".", "-", "_")'));

/** A custom agent: the program to run, its arguments and extra environment. */
export const AgentDefinitionSchema = z.strictObject({
  command: nonEmpty(),
  args: z._default(z.array(z.string()), []),
  env: z.optional(
    z.record(
      z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')),
      z.string(),
    ),
  ),
  /** The built-in preset whose behaviour (ready prompt, hooks, resume) it shares; inferred from `command` if absent. */
  preset: z.optional(z.string()),
  /** Regular expression matching a screen row when the agent waits for input (overrides the base preset's). */
  ready_prompt: z.optional(z.string().check(z.minLength(1), z.refine(isRegex, 'expected a valid regular expression'))),
  /** Milliseconds after start at which the agent counts as ready when no prompt shows. */
  ready_delay_ms: z.optional(z.number().check(z.int(), z.gte(0), z.lte(600_000))),
});
export type AgentDefinition = z.infer<typeof AgentDefinitionSchema>;

const roleAgents = z.strictObject({
  mayor: z.optional(agentName),
  polecat: z.optional(agentName),
  crew: z.optional(agentName),
});

const count = whole(1);

const usd = z.number().check(z.nonnegative());

/** `budgets` in settings: each cap optional; absent means no cap. */
export const BudgetsSchema = z.strictObject({
  per_convoy_usd: z.optional(usd),
  per_agent_usd: z.optional(usd),
  per_day_usd: z.optional(usd),
});
export type Budgets = z.infer<typeof BudgetsSchema>;

/** One model's price, US dollars per million tokens of each kind. */
export const PriceSchema = z.strictObject({ input: usd, output: usd, cache_read: usd, cache_write: usd });
export type Price = z.infer<typeof PriceSchema>;

/** `settings/config.json`. */
export const TownSettingsSchema = z.strictObject({
  version: z._default(z.literal(1), 1),
  default_agent: z._default(agentName, 'claude'),
  agents: z._default(z.record(z.string().check(z.regex(NAME, 'expected an agent name')), AgentDefinitionSchema), {}),
  role_agents: z._default(roleAgents, {}),
  caps: z.prefault(
    z.strictObject({
      polecats_per_rig: z._default(count, 4),
      polecats_per_town: z._default(count, 12),
    }),
    {},
  ),
  /** Spending caps in US dollars (docs/costs.md): reached, the daemon slings no new work under them. */
  budgets: z._default(BudgetsSchema, {}),
  /** Cost accounting: price overrides per model (US dollars per million tokens). */
  costs: z.optional(z.strictObject({ prices: z._default(z.record(nonEmpty(), PriceSchema), {}) })),
  daemon: z.prefault(
    z.strictObject({
      tick_seconds: z._default(count, 30),
      stuck_after_seconds: z._default(count, 600),
      restart_dead: z._default(z.boolean(), true),
    }),
    {},
  ),
  /** What `gt done` does with the polecat's session: keep it (default, it takes the next hook) or stop it. */
  polecats: z.optional(z.strictObject({ stop_after_done: z._default(z.boolean(), false) })),
  /**
   * Agents `gt up` starts besides the Mayor (and stops with `gt down` like any other): crew members by address,
   * `<rig>/crew/<name>`. Polecats start with their work (`gt sling`), so they cannot be listed.
   */
  always_on: z.optional(
    z.array(
      z
        .string()
        .check(
          z.regex(
            /^[a-z0-9][a-z0-9_-]*\/crew\/[A-Za-z0-9][A-Za-z0-9._-]*$/i,
            'expected a crew member as <rig>/crew/<name> (polecats start with their work: gt sling)',
          ),
        ),
    ),
  ),
  /**
   * Per-rig runtimes here, as the seeds' FAQ puts them (the same keys as a rig.json's; the rig.json's win where both
   * name one): `"rigs": { "web": { "default_agent": "codex", "role_agents": { "polecat": "gemini" } } }`.
   */
  rigs: z.optional(
    z.record(
      z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]*$/i, 'expected a rig name')),
      z.strictObject({
        default_agent: z.optional(agentName),
        role_agents: z.optional(roleAgents),
      }),
    ),
  ),
});
export type TownSettings = z.infer<typeof TownSettingsSchema>;

const gate = z.strictObject({
  command: nonEmpty(),
  timeout_seconds: z._default(count, 600),
});
export type Gate = z.infer<typeof gate>;

export const MERGE_STRATEGIES = ['mr', 'direct', 'local', 'pr'] as const;
export type MergeStrategy = (typeof MERGE_STRATEGIES)[number];

/** `<rig>/rig.json`. */
export const RigConfigSchema = z.strictObject({
  version: z._default(z.literal(1), 1),
  name: nonEmpty(),
  git_url: nonEmpty(),
  default_branch: nonEmpty(),
  prefix: z
    .string()
    .check(z.regex(/^[a-z][a-z0-9]{0,15}$/, 'expected 1–16 lowercase letters or digits starting with a letter')),
  created: z.iso.datetime(),
  gates: z._default(z.strictObject({ setup: z.optional(gate), build: z.optional(gate), test: z.optional(gate) }), {}),
  merge_strategy: z._default(z.enum(MERGE_STRATEGIES), 'mr'),
  /** The refinery's merge queue (docs/refinery.md); absent means the defaults. */
  merge_queue: z.optional(
    z.strictObject({
      batch: z._default(count, 1),
      push: z._default(z.enum(['auto', 'always', 'never']), 'auto'),
    }),
  ),
  /** Landing through pull requests (`merge_strategy: "pr"` or `gt sling --merge pr`; docs/refinery.md "Pull requests"). */
  pr: z.optional(
    z.strictObject({
      /** `owner/name` on GitHub; default: read from origin's URL. */
      repo: z.optional(z.string().check(z.regex(/^[\w.-]+\/[\w.-]+$/, 'expected owner/name'))),
      /** Where branches are pushed: a remote name of the rig's repository or a URL (a fork); default origin. */
      remote: z.optional(nonEmpty()),
      /** REST base: https://api.github.com, or GitHub Enterprise Server's https://<host>/api/v3; default GITHUB_API_URL or github.com. */
      api_url: z.optional(z.url()),
      merge_method: z._default(z.enum(['merge', 'squash', 'rebase']), 'squash'),
      /** Wait for at least one approving review, whatever the branch protection says. */
      require_review: z._default(z.boolean(), false),
      /** Checks (check-run names or status contexts) that must be present and green; every reported check must pass anyway. */
      required_checks: z._default(z.array(nonEmpty()), []),
      /** Let GitHub merge once its requirements are met (GraphQL enablePullRequestAutoMerge) instead of merging through the API. */
      auto_merge: z._default(z.boolean(), false),
      /** Put the PR in the base branch's GitHub merge queue (GraphQL enqueuePullRequest). */
      merge_queue: z._default(z.boolean(), false),
      /** How often the daemon looks at open PRs. */
      poll_seconds: z._default(count, 60),
    }),
  ),
  default_agent: z.optional(agentName),
  role_agents: z.optional(roleAgents),
});
export type RigConfig = z.infer<typeof RigConfigSchema>;
