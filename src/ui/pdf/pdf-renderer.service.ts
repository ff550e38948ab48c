import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { accessSync, constants } from 'node:fs';
import type { Browser } from 'playwright-core';
import { AppConfig } from '../../config/app-config.js';

/** Chromium is not installed where CHROMIUM_PATH says, or could not be started. */
export class PdfUnavailable extends Error {
  constructor(reason: string) {
    super(`PDF rendering is not available: ${reason}`);
  }
}

/** At most this many PDFs are rendered at once (a 2-core machine); others wait their turn. */
const MAX_JOBS = 2;
/** A PDF that takes longer than this is abandoned. */
const JOB_TIMEOUT_MS = 20_000;

export interface PdfOptions {
  /** Chromium's footer template (its own tiny document: give every text an explicit size). */
  footerTemplate: string;
}

/**
 * Renders HTML to a tagged, outlined A4 PDF in Chromium (playwright-core, Debian's chromium at
 * CHROMIUM_PATH). One browser per process, launched on first use; each job gets its own
 * context with JavaScript off and every network request aborted, so the page can only show
 * the HTML it was given (rendered and authorised in-process, its CSS inlined).
 */
@Injectable()
export class PdfRenderer implements OnModuleDestroy {
  private readonly logger = new Logger(PdfRenderer.name);
  private browser?: Promise<Browser>;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly config: AppConfig) {}

  /** Whether Chromium is where CHROMIUM_PATH says (checked before anything is read or audited). */
  available(): boolean {
    try {
      accessSync(this.config.env.CHROMIUM_PATH, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }

  async render(html: string, options: PdfOptions): Promise<Buffer> {
    if (!this.available()) throw new PdfUnavailable(`${this.config.env.CHROMIUM_PATH} not found`);
    await this.turn();
    try {
      return await this.withTimeout(this.job(html, options));
    } finally {
      this.release();
    }
  }

  async onModuleDestroy(): Promise<void> {
    const browser = this.browser;
    this.browser = undefined;
    if (browser) await (await browser.catch(() => undefined))?.close().catch(() => undefined);
  }

  private async job(html: string, options: PdfOptions): Promise<Buffer> {
    const browser = await this.launch();
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      await context.route('**/*', (route) => route.abort());
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: 'load', timeout: JOB_TIMEOUT_MS });
      return await page.pdf({
        format: 'A4',
        printBackground: true,
        tagged: true,
        outline: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: options.footerTemplate,
        margin: { top: '15mm', right: '15mm', bottom: '22mm', left: '15mm' },
      });
    } finally {
      await context.close().catch(() => undefined);
    }
  }

  private launch(): Promise<Browser> {
    if (!this.browser) {
      // Loaded on the first PDF, not at start-up (playwright-core takes a while to load).
      const launching = import('playwright-core')
        .then(({ chromium }) =>
          chromium.launch({
            executablePath: this.config.env.CHROMIUM_PATH,
            args: ['--disable-gpu', '--no-first-run', '--disable-background-networking'],
          }),
        )
        .then((browser) => {
          // A browser that crashed or was closed is launched again on the next job.
          browser.on('disconnected', () => {
            if (this.browser === launching) this.browser = undefined;
          });
          return browser;
        })
        .catch((error: unknown) => {
          this.browser = undefined;
          this.logger.error({ err: String(error) }, 'Chromium could not be started');
          throw new PdfUnavailable('Chromium could not be started');
        });
      this.browser = launching;
    }
    return this.browser;
  }

  private async turn(): Promise<void> {
    if (this.running < MAX_JOBS) {
      this.running += 1;
      return;
    }
    // The slot is handed over by `release`, so the count stays at its cap meanwhile.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }

  private async withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PdfUnavailable('timed out')), JOB_TIMEOUT_MS);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
