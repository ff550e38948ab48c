// `npm run screenshots`: starts the built service on its own embedded database (demo data), signs
// in through the pages in Chromium (playwright-core; CHROMIUM_PATH, default /usr/bin/chromium)
// and writes the README's screenshots to docs/images/. Add a shot by adding a step to SHOTS.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const images = join(root, 'docs', 'images');
const password = 'screenshots-demo-password';

/** Each shot: a name (docs/images/<name>.png), who signs in, and how to reach the page. */
const SHOTS = [
  {
    name: 'sign-in',
    user: null,
    async open(page) {
      await page.goto('/sign-in');
    },
  },
  {
    name: 'prisoner',
    user: 'demo.psychologist',
    async open(page) {
      await page.goto('/prisoners?q=DEMO-0001');
      await page.getByRole('link', { name: 'DEMO-0001' }).click();
      await page.waitForURL(/\/prisoners\/[0-9a-f-]{36}$/);
    },
  },
  // Each role's home page: their work lists and queues.
  { name: 'home-pve-inspector', user: 'demo.pve', async open() {} },
  { name: 'home-security-officer', user: 'demo.security', async open() {} },
  {
    name: 'home-supervisor',
    user: 'demo.supervisor',
    async open(page) {
      // Verify the audit trail first, so the home page shows its last verification.
      await page.goto('/audit/verify');
      await page.getByRole('button', { name: 'Verify now' }).click();
      await page.waitForSelector('.govuk-panel');
      await page.goto('/');
    },
  },
  { name: 'home-administrator', user: 'demo.admin', async open() {} },
  {
    name: 'assessment-tasks',
    user: 'demo.psychologist',
    async open(page) {
      // Starts a risk assessment of DEMO-0001 and rates three items, then shows the task list.
      await page.goto('/prisoners?q=DEMO-0001');
      await follow(page, page.getByRole('link', { name: 'DEMO-0001' }));
      await follow(page, page.getByRole('link', { name: 'Assessments', exact: true }));
      await follow(page, page.getByRole('link', { name: 'Start an assessment' }));
      await page.getByLabel(/Violent extremism risk/).check();
      await page.getByLabel('Intake').check();
      await follow(page, page.getByRole('button', { name: 'Start the assessment' }));
      const tasks = new globalThis.URL(page.url()).pathname;
      await follow(page, page.getByRole('link', { name: 'Beliefs, attitudes and ideology' }));
      await follow(page, page.getByRole('link', { name: 'Start with the first item' }));
      const rating = page.getByRole('group', { name: 'Rating' });
      await rating.getByLabel('Moderate', { exact: true }).check();
      await page
        .getByLabel('Evidence for', { exact: true })
        .fill('Said in the interview on 3 March that the attack on the checkpoint was deserved.');
      await page
        .getByLabel('Evidence against', { exact: true })
        .fill('Has not repeated it since; takes part in the education course.');
      await page.getByLabel('Interview with the prisoner').check();
      await page.getByLabel('Review of the case file').check();
      await page
        .getByRole('group', { name: 'Reliability of the information' })
        .getByLabel('Medium')
        .check();
      await follow(page, page.getByRole('button', { name: 'Save and continue', exact: true }));
      for (let i = 0; i < 2; i++) {
        await rating.getByLabel('Low', { exact: true }).check();
        await follow(page, page.getByRole('button', { name: 'Save and continue', exact: true }));
      }
      await page.goto(tasks);
    },
  },
  {
    name: 'assessment-item',
    user: 'demo.psychologist',
    async open(page) {
      const drafts = page.locator('section', {
        has: page.getByRole('heading', { name: 'My draft assessments' }),
      });
      await follow(page, drafts.getByRole('link').first());
      await follow(page, page.getByRole('link', { name: 'Beliefs, attitudes and ideology' }));
      await follow(page, page.getByRole('link', { name: 'Start with the first item' }));
    },
  },
];

/** Clicks something that loads a new page, and waits until that page has loaded. */
async function follow(page, locator) {
  const navigated = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await locator.click();
  await navigated;
  await page.waitForLoadState('load');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startService() {
  const dataDir = mkdtempSync(join(tmpdir(), 'vep-screenshots-'));
  chmodSync(dataDir, 0o755); // the embedded server may run as the postgres user (as root)
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      DEMO_PASSWORD: password,
      LOG_LEVEL: 'warn',
      UI_DEFAULT_LOCALE: 'en',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    try {
      if ((await globalThis.fetch(`${baseUrl}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  return {
    baseUrl,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function signIn(page, username) {
  await page.goto('/sign-in');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

const service = await startService();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  for (const shot of SHOTS) {
    const context = await browser.newContext({
      baseURL: service.baseUrl,
      viewport: { width: 1280, height: 900 },
      locale: 'en-GB',
    });
    const page = await context.newPage();
    if (shot.user) await signIn(page, shot.user);
    await shot.open(page);
    const path = join(images, `${shot.name}.png`);
    await page.screenshot({ path, fullPage: true });
    console.log(`docs/images/${shot.name}.png`);
    await context.close();
  }
} finally {
  await browser.close();
  await service.stop();
}
