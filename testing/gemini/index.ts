// Test support for the real Gemini CLI: its home (settings) and environment against the loopback model server.
export { GEMINI_BIN, GEMINI_TEST_MODEL, geminiTestEnv, prepareGeminiHome } from './gemini-env.ts';
