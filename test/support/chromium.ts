// Debian's Chromium for the dashboard's browser tests: launched with the flags that work here, or a loud error.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `CHROMIUM IS MISSING: ${CHROMIUM} does not exist, so the dashboard's browser tests cannot run (apt-get install chromium)`,
    );
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  } catch (e) {
    throw new Error(
      `CHROMIUM COULD NOT START (${CHROMIUM}), so the dashboard's browser tests cannot run: ${(e as Error).message}`,
      { cause: e },
    );
  }
}
