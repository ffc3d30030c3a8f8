// The loopback model server for tests: the Anthropic Messages API, enough for the real Claude Code CLI.
export { startModelServer, type ModelServer, type ModelServerOptions, type MessagesRequest, type RecordedRequest } from './server.ts';
export { userTurns, isSideQuery, requestText, textBlocks, contentText, type UserTurn } from './turns.ts';
