// The loopback model server for tests: the Anthropic Messages API, enough for the real Claude Code CLI, answering
// from a reply function or a scenario script (text and tool calls), with usage by a fixed rule (docs/testing.md).
export {
  startModelServer,
  sumUsage,
  type ModelServer,
  type ModelServerOptions,
  type MessagesRequest,
  type RecordedRequest,
  type Reply,
  type Responder,
  type UsageReport,
  type UsageRow,
} from './server.ts';
export { userTurns, isSideQuery, requestText, textBlocks, contentText, type UserTurn } from './turns.ts';
export { usageFor, type ContentBlock, type Usage } from './wire.ts';
export { toolExchanges, workingDirectory, type ToolExchange } from './conversation.ts';
export {
  scriptedModel,
  stepKeyOf,
  bash,
  write,
  edit,
  read,
  type AgentScript,
  type ScriptContext,
  type ScriptedModel,
  type ScriptLogEntry,
  type ScriptOptions,
  type Step,
} from './script.ts';
export { primedAs, primedHook, primedHandoff, type PrimedHook } from './prime.ts';
export {
  scriptedPolecat,
  polecatDirectives,
  shq,
  type PolecatDirectives,
  type PolecatScriptOptions,
} from './polecat-script.ts';
export { responseObject, responsesEvents } from './responses.ts';
export {
  geminiResponder,
  geminiResponse,
  geminiEvents,
  messagesFromGemini,
  geminiToolCall,
  isGeminiSideQuery,
  sampleOf,
  type GeminiRequest,
  type GeminiPart,
} from './gemini.ts';
export {
  openCodeResponder,
  messagesFromChat,
  openCodeToolCall,
  chatCompletion,
  chatEvents,
  type ChatRequest,
} from './openai-chat.ts';
