/**
 * Shared by the studio benchmarks: Debian's Chromium through playwright-core (never a
 * downloaded browser), signing in through the server's printed link, and page timings.
 */
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchBrowser() {
  return chromium.launch({ executablePath: process.env.LATHE_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A page signed in to the studio (the token goes to session storage, as a person's would). */
export async function signedInPage(browser, url, token) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${url}/?token=${encodeURIComponent(token)}`);
  await page.waitForURL(/\/w\/[^/]+\/experiments$/);
  return page;
}

/** Milliseconds from the navigation's start to a performance mark the studio sets (e.g. lathe:runs-visible). */
export async function markAfterNavigation(page, url, mark, timeoutMs = 30_000) {
  await page.goto(url);
  await page.waitForFunction((m) => performance.getEntriesByName(m).length > 0, mark, { timeout: timeoutMs, polling: 5 });
  return page.evaluate((m) => performance.getEntriesByName(m)[0].startTime, mark);
}

/** Milliseconds from navigation start to the load event of a URL (a bare page: the baseline). */
export async function bareNavigation(page, url) {
  await page.goto(url);
  return page.evaluate(() => {
    const [nav] = performance.getEntriesByType('navigation');
    return nav.loadEventEnd || nav.responseEnd;
  });
}
