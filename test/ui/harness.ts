import { AxeBuilder } from '@axe-core/playwright';
import { expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Factories } from '../factories/index.js';
import { createTestApp, type TestApp, type TestAppOptions } from '../support/test-app.js';

/** The WCAG 2.1 AA rule sets every page must pass. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

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
  /** A fresh browser profile (cookies and all); AxeBuilder needs a page from a context. */
  newPage(options?: {
    javaScriptEnabled?: boolean;
  }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export async function startBrowserHarness(options: TestAppOptions = {}): Promise<BrowserHarness> {
  const t = await createTestApp(options);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
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
      return { context, page: await context.newPage() };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await t.close();
    },
  };
}

/**
 * axe on the whole page with the WCAG 2.1 AA tags: no violations, each one listed if any. axe
 * runs inside the page, so a page without JavaScript is checked as served: its HTML is loaded
 * (scripts removed) into a scripting page of the same browser, with the same styles.
 */
export async function expectAccessible(page: Page): Promise<void> {
  const scripted = await scriptsRun(page);
  const content = await page.content();
  const passed = passedMarker(scripted, content);
  if (passed && existsSync(passed)) return;
  if (scripted) await analyse(page);
  else await analyseAsServed(page, content);
  if (passed) writeFileSync(passed, '');
}

/**
 * Markup axe already passed in this test run (any spec file: global set-up gives the workers
 * one directory) is not analysed again: the stylesheet and axe do not change within a run. The key is the page's markup with only what changes between
 * two renderings of the same page made uniform: nonces, CSRF tokens, ids, numbers and dates.
 */
function passedMarker(scripted: boolean, content: string): string | undefined {
  const dir = process.env.VEP_AXE_PASSED_DIR;
  if (!dir) return undefined;
  const markup = content
    .replace(/ nonce="[^"]*"/g, '')
    .replace(/(name="_csrf" value=")[^"]*"/g, '$1"')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'U')
    .replace(/\d+/g, '0');
  const key = createHash('sha256')
    .update(`${scripted}\n${AXE_TAGS.join()}\n${markup}`)
    .digest('hex');
  return join(dir, key);
}

async function analyseAsServed(page: Page, content: string): Promise<void> {
  const url = page.url();
  const html = content.replace(/<script\b[\s\S]*?<\/script>/g, '');
  const inspector = await inspectorFor(page);
  await inspector.unrouteAll();
  await inspector.route(url, (route) =>
    route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' }),
  );
  await inspector.goto(url);
  await analyse(inspector);
}

/** One scripting page per page without scripts, reused for each check (contexts are slow). */
const inspectors = new WeakMap<Page, Page>();
async function inspectorFor(page: Page): Promise<Page> {
  let inspector = inspectors.get(page);
  if (!inspector) {
    const context = await page.context().browser()!.newContext();
    inspector = await context.newPage();
    page.once('close', () => void context.close());
    inspectors.set(page, inspector);
  }
  return inspector;
}

/** Whether the page's own scripts ran (the layout's first script marks the body). */
async function scriptsRun(page: Page): Promise<boolean> {
  return (await page.locator('body.js-enabled').count()) > 0;
}

async function analyse(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page })
    .withTags(AXE_TAGS)
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
  await action();
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
