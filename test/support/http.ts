// fetch for tests that also block their event loop (spawnSync, execFileSync). A kept-alive connection can be closed
// by the server while the loop is blocked; the next fetch then reuses a socket whose close was not yet seen and fails
// with "other side closed". Each request here asks for its own connection.
export function fetchFresh(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('connection', 'close');
  return fetch(url, { ...init, headers });
}
