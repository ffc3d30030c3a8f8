// The town's HTTP surface for agents: the town API (commands run as the caller's token says) and git over HTTP.
export { createTownApi, RUN_BODY_LIMIT, type TownApi, type TownApiOptions } from './app.ts';
export { serveTownApi, apiInfoPath, type RunningTownApi, type ServeApiOptions } from './serve.ts';
export {
  issueToken,
  listTokens,
  revokeTokens,
  tokenFileOf,
  ensureTokensTable,
  type IssuedToken,
  type TokenRow,
} from './tokens.ts';
export type { Clis, CliLikeIo } from './run-command.ts';
export { GIT_BODY_LIMIT } from './git-http.ts';
