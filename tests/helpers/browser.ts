/**
 * A real browser for end-to-end tests: Debian's Chromium driven by
 * playwright-core (never a downloaded browser), axe-core checks injected
 * into pages, and screenshots kept under var/ (git-ignored).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../../scripts/console/chromium';

/** Where the console tests' screenshots go. */
export const SCREENSHOT_DIR = path.resolve(__dirname, '..', '..', 'var', 'test-screenshots', 'console');

/** Starts headless Debian Chromium (see scripts/console/chromium.ts). */
export const launchBrowser = launchChromium;

/** What axe checks: WCAG 2.1 levels A and AA, and its best practices. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** One axe-core finding, as the test reports it. */
export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.1 A and AA, and best practices) on the page as it is
 * and gives the serious and critical violations. It is evaluated through the
 * DevTools protocol, so the page's CSP (no inline script) stays in force.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(AXE_SOURCE);
  // A string, run in the page: its DOM types are not this program's.
  const violations = (await page.evaluate(`axe
    .run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} } })
    .then((result) => result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((node) => node.target.map(String).join(' ')),
    })))`)) as AxeFinding[];
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** Saves a full-page screenshot as `<name>.png` under {@link SCREENSHOT_DIR}. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
