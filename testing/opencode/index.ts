// Test support for the real OpenCode CLI: its config (a provider pointed at the loopback model server) and environment.
export { OPENCODE_BIN, openCodeTestEnv, prepareOpenCodeConfig } from './opencode-env.ts';
export { openCodeFixtureDb, OPENCODE_FIXTURES } from './fixture-db.ts';
