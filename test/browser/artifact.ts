/**
 * Screenshots the browser tests leave in test-artifacts/browser/ for a reader: a picture, never a check. Under load
 * (the full suite on two shared cores) Chromium sometimes answers "Unable to capture screenshot" to a full-page
 * capture of a long page; that failed register-layout.test.ts once although the layout it measures was right. So a
 * capture is tried twice, and if it still fails a note beside the missing picture says why, and the test goes on:
 * its assertions (the DOM measured in the page) decide alone. A page that is really broken still fails them.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';

export const ARTIFACT_ATTEMPTS = 2;

/** Saves `page`'s screenshot at `path` (full page unless told); resolves false, with `<path>.missing.txt`, if it cannot. */
export async function saveScreenshot(
  page: Pick<Page, 'screenshot'>,
  path: string,
  options: { fullPage?: boolean } = {},
): Promise<boolean> {
  mkdirSync(dirname(path), { recursive: true });
  const errors: string[] = [];
  for (let attempt = 1; attempt <= ARTIFACT_ATTEMPTS; attempt++) {
    try {
      // Bounded: a capture that hangs must not spend the test's own time limit.
      await page.screenshot({ path, fullPage: options.fullPage ?? true, timeout: 15_000 });
      rmSync(`${path}.missing.txt`, { force: true });
      return true;
    } catch (err) {
      errors.push(`attempt ${attempt}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const note = `screenshot not saved (the test's assertions do not depend on it):\n${errors.join('\n')}\n`;
  try {
    writeFileSync(`${path}.missing.txt`, note);
  } catch {
    // Nowhere to write the note either: the warning below still says it.
  }
  console.warn(`${path}: ${note}`);
  return false;
}
