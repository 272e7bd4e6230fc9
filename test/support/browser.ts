/**
 * Debian's chromium for the browser tests, driven by playwright-core (never a downloaded browser). The flags keep
 * it off the network (this machine's closed network refuses Chromium's background connections) and headless.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Skip only on a developer machine without chromium; in CI (.ci/run installs it) a missing browser fails. */
export const canRunBrowser = existsSync(CHROMIUM) || process.env.CI !== undefined;

/** A fresh headless chromium with a temporary profile of its own (removed on close). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}
