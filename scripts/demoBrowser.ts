/**
 * Headless Chromium for the demo's end-to-end test and benchmark: Debian's `chromium`
 * package driven by playwright-core (no browser download), software GL (SwiftShader),
 * no network side traffic, a fresh profile per launch.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where Debian's `apt-get install -y chromium` puts the browser. */
export const CHROMIUM_PATH = process.env.PRNET_CHROMIUM ?? '/usr/bin/chromium';

/** The flags every launch uses. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Launches Chromium with a fresh profile and opens one page. Throws a one-line error
 * with the install command when the browser is missing.
 *
 * ```ts
 * const { page, close } = await launchDemoBrowser();
 * await page.goto(url);
 * await close();
 * ```
 */
export async function launchDemoBrowser(options: { width?: number; height?: number; /** Added to {@link CHROMIUM_ARGS}. */ extraArgs?: string[] } = {}): Promise<{ context: BrowserContext; page: Page; logs: string[]; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} not found: install Debian's Chromium (apt-get install -y chromium) or set PRNET_CHROMIUM`);
  const profile = await mkdtemp(path.join(os.tmpdir(), 'prnet-chromium-'));
  let context: BrowserContext;
  try {
    // A persistent context is how playwright takes a --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
      viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    });
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('requestfailed', (r) => logs.push(`requestfailed: ${r.url()}`));
  page.on('response', (r) => { if (r.status() >= 400) logs.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  return {
    context,
    page,
    logs,
    close: async () => {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
