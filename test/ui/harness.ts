import { AxeBuilder } from '@axe-core/playwright';
import { expect } from '@jest/globals';
import type { AddressInfo } from 'node:net';
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

/** axe on the whole page with the WCAG 2.1 AA tags: no violations, each one listed if any. */
export async function expectAccessible(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const found = violations.map((v) => ({
    page: page.url(),
    rule: v.id,
    impact: v.impact,
    nodes: v.nodes.map((n) => n.html).slice(0, 5),
  }));
  expect(found).toEqual([]);
}

/** Collects console errors and CSP violations, which a page must never produce. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}
