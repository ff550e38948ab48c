import { AxeBuilder } from '@axe-core/playwright';
import { expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Factories } from '../factories/index.js';
import { createTestApp, type TestApp, type TestAppOptions } from '../support/test-app.js';

/**
 * The rules every page must pass: axe's default rule set, which holds every WCAG 2.0 and 2.1 A
 * and AA rule and axe's best practices (landmarks, heading order, one h1, skip link and so on).
 */
export const AXE_RULES = 'axe-core default rules (WCAG 2.1 A and AA, best practices)';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * One app listening on a free port and one Chromium per spec file. Debian's chromium
 * (CHROMIUM_PATH, default /usr/bin/chromium) is driven by playwright-core: no browser download.
 */
export interface BrowserHarness {
  t: TestApp;
  f: Factories;
  baseUrl: string;
  browser: Browser;
  /** A fresh browser profile (cookies and all). */
  newPage(options?: {
    javaScriptEnabled?: boolean;
  }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export async function startBrowserHarness(options: TestAppOptions = {}): Promise<BrowserHarness> {
  const t = await createTestApp(options);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  // Chromium's own output (its stderr, how its process ended), the last lines kept.
  const browserLog: string[] = [];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    logger: {
      isEnabled: (name) => name === 'browser',
      log: (_name, _severity, message) => {
        browserLog.push(String(message));
        if (browserLog.length > 40) browserLog.shift();
      },
    },
  });
  let closing = false;
  browser.on('disconnected', () => {
    // Only close() may end the browser. Anything else is reported with Chromium's last words,
    // not only as "Target page, context or browser has been closed" on whatever step came next.
    if (!closing) {
      console.error(`Chromium ended before the spec file closed it:\n${browserLog.join('\n')}`);
    }
  });
  const contexts: BrowserContext[] = [];
  return {
    t,
    f: new Factories(t),
    baseUrl: `http://127.0.0.1:${port}`,
    browser,
    async newPage(pageOptions = {}) {
      const context = await browser.newContext({
        baseURL: `http://127.0.0.1:${port}`,
        javaScriptEnabled: pageOptions.javaScriptEnabled ?? true,
        locale: 'en-GB',
      });
      contexts.push(context);
      const page = await context.newPage();
      page.on('crash', () => console.error(`Chromium's renderer crashed on ${page.url()}`));
      return { context, page };
    },
    async close() {
      closing = true;
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await t.close();
    },
  };
}

/**
 * axe on the whole page: no violations, each one listed if any. axe runs inside the page, so a
 * page without JavaScript is checked as served: its HTML is loaded (scripts removed) into a
 * scripting page of the same browser, with the same styles.
 */
export async function expectAccessible(page: Page): Promise<void> {
  const started = Date.now();
  const scripted = await scriptsRun(page);
  const content = await page.content();
  const passed = passedMarker(scripted, content);
  const hit = passed !== undefined && existsSync(passed);
  if (!hit) {
    if (scripted) await analyse(page);
    else await analyseAsServed(page, content);
    if (passed) writeFileSync(passed, '');
  }
  if (process.env.VEP_AXE_LOG) {
    const file = expect.getState().testPath?.replace(/^.*\/test\//, 'test/');
    const path = new URL(page.url()).pathname;
    const line = { file, path, scripted, hit, ms: Date.now() - started };
    appendFileSync(process.env.VEP_AXE_LOG, `${JSON.stringify(line)}\n`);
  }
}

/**
 * Markup axe already passed in this test run (any spec file: global set-up gives the workers
 * one directory) is not analysed again: the stylesheet and axe do not change within a run. The
 * key is the page's markup with only what changes between two renderings of the same page made
 * uniform: nonces, CSRF tokens, ids, the random part of the test factories' names and codes
 * (same length, same characters), numbers and dates.
 */
function passedMarker(scripted: boolean, content: string): string | undefined {
  const dir = process.env.VEP_AXE_PASSED_DIR;
  if (!dir) return undefined;
  const markup = content
    .replace(/ nonce="[^"]*"/g, '')
    .replace(/(name="_csrf" value=")[^"]*"/g, '$1"')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'U')
    .replace(/\b(user\.|Person|[FP]-)[0-9a-fA-F]{8}\b/g, '$1X')
    .replace(/\d+/g, '0');
  const key = createHash('sha256').update(`${scripted}\n${AXE_RULES}\n${markup}`).digest('hex');
  return join(dir, key);
}

/**
 * The scripting page that checks pages served without JavaScript: one per browser, in a context
 * of its own that lives as long as the browser, so that no other page closing takes it away.
 * Checks take turns on it: a test that Jest has timed out keeps running beside the next one, and
 * must not navigate the inspector under that test's check.
 */
interface Inspector {
  page: Promise<Page>;
  turn: Promise<unknown>;
}
const inspectors = new WeakMap<Browser, Inspector>();

function inspectorFor(browser: Browser): Inspector {
  let inspector = inspectors.get(browser);
  if (!inspector) {
    const page = browser.newContext().then(async (context) => {
      const created = await context.newPage();
      created.on('crash', () => console.error(`Chromium's renderer crashed on ${created.url()}`));
      return created;
    });
    inspector = { page, turn: Promise.resolve() };
    inspectors.set(browser, inspector);
  }
  return inspector;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function analyseAsServed(page: Page, content: string): Promise<void> {
  const url = page.url();
  const html = content.replace(/<script\b[\s\S]*?<\/script>/g, '');
  const inspector = inspectorFor(page.context().browser()!);
  const check = inspector.turn.then(async () => {
    const served = await inspector.page;
    await served.unrouteAll();
    // Only the page itself is answered from memory: its styles and images come from the app.
    await served.route(new RegExp(`^${escapeRegExp(url)}$`), (route) =>
      route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' }),
    );
    await served.goto(url);
    await analyse(served);
  });
  inspector.turn = check.catch(() => undefined);
  await check;
}

/** Whether the page's own scripts ran (the layout's first script marks the body). */
async function scriptsRun(page: Page): Promise<boolean> {
  return (await page.locator('body.js-enabled').count()) > 0;
}

/**
 * axe.run in the page itself (legacy mode): @axe-core/playwright otherwise opens and closes a
 * blank page for every check, to merge the results of each frame, and these pages have no
 * frames. No tags are given: axe's default rules are stricter than the WCAG 2.1 AA tags alone.
 */
async function analyse(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page })
    .setLegacyMode(true)
    .options({ resultTypes: ['violations'] })
    .analyze();
  const found = violations.flatMap(knownIssues).map((v) => ({
    page: page.url(),
    rule: v.id,
    impact: v.impact,
    nodes: v.nodes.map((n) => n.html).slice(0, 5),
  }));
  expect(found).toEqual([]);
}

type Result = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number];

/**
 * One documented exception: GOV.UK Frontend marks a radio that reveals conditional content
 * with `aria-expanded`, which ARIA does not list for radios. GOV.UK keeps it on purpose because
 * screen readers announce it (alphagov/govuk-frontend#979, a known issue). Only that attribute,
 * on such a radio, is set aside; anything else the rule finds still fails.
 */
function knownIssues(violation: Result): Result[] {
  if (violation.id !== 'aria-allowed-attr') return [violation];
  const nodes = violation.nodes.filter(
    (node) =>
      !(
        /^<input class="govuk-radios__input"[^>]* aria-controls="conditional-/.test(node.html) &&
        (node.failureSummary ?? '')
          .split('\n')
          .slice(1)
          .every((line) =>
            /^\s*ARIA attribute is not allowed: aria-expanded="(true|false)"\s*$/.test(line),
          )
      ),
  );
  return nodes.length ? [{ ...violation, nodes }] : [];
}

/**
 * Runs an action that loads a new page (a link, a form) and waits until that page has loaded:
 * a click alone returns before the navigation ends, so what is read next could be the old page.
 */
export async function andWait(page: Page, action: () => Promise<unknown>): Promise<void> {
  const committed = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  try {
    await action();
  } catch (error) {
    // The waiter would otherwise reject later, when the page closes, as an unhandled rejection
    // that Jest pins on whichever test runs then.
    committed.catch(() => undefined);
    throw error;
  }
  await committed;
  await page.waitForLoadState('load');
}

/**
 * Collects what a page must never produce: script errors, console errors (CSP violations are
 * reported there) and failed loads of its assets. Pages that answer 4xx on purpose (a form with
 * errors, not found) are documents and are not counted.
 */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(message.text());
    }
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400 && response.request().resourceType() !== 'document') {
      problems.push(`${response.status()} ${response.url()}`);
    }
  });
  return problems;
}
