// The web dashboard: a Hono server over the town (server/) and the page it serves (web/, browser code only).
export * from './server/index.ts';
