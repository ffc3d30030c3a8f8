// Every table of a town, each a schema part owned by the module of its concept. `gt install` creates them all with
// the store; a town missing some (made by an older gt, or by the demo) gets each on its first use.
import type { SchemaPart } from '../../beads/index.ts';
import { USAGE_PART } from '../../costs/index.ts';
import { TOWN_EVENTS_PART } from '../../town/index.ts';
import { AGENTS_PART } from '../../agents/index.ts';
import { MAIL_PART } from '../../work/mail/index.ts';
import { MERGE_REQUESTS_PART } from '../../work/merge-requests.ts';
import { POLECATS_PART } from '../../work/polecats/index.ts';
import { SLING_QUEUE_PART } from '../../work/sling/queue.ts';
import { PULL_REQUESTS_PART } from '../../refinery/pr-store.ts';
import { API_TOKENS_PART } from '../../server/tokens.ts';

export const TOWN_PARTS: readonly SchemaPart[] = [
  AGENTS_PART,
  MAIL_PART,
  POLECATS_PART,
  MERGE_REQUESTS_PART,
  SLING_QUEUE_PART,
  TOWN_EVENTS_PART,
  USAGE_PART,
  PULL_REQUESTS_PART,
  API_TOKENS_PART,
];
