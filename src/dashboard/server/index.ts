// The dashboard's server: the Hono app over the town context, and serving it (docs/dashboard.md).
export { createApp, createDashboard, BODY_LIMIT, type AppOptions, type Dashboard } from './app.ts';
export { serveDashboard, type ServeOptions, type RunningDashboard } from './serve.ts';
export { eventsAfter, feedEvents, lastEventId } from './feed.ts';
export { cookieName, derivedSecret, isLoopback, loadOrCreateToken, tokenPath, type TownToken } from './security.ts';
export { PANELS, panelsOfKind, type LiveMessage, type Panel } from './live.ts';
export { toneOfKind, viewOf, type EventView, type Tone } from './event-view.ts';
