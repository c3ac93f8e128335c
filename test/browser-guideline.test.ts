/**
 * The explanation pages in a real browser (Debian's Chromium driven by playwright-core): every page renders,
 * with its title, its rating table and no console error; the links between pages work; on a phone-sized
 * screen nothing overflows sideways; printing hides the navigation. And the dev FHIR server answers a
 * browser's cross-origin, preflighted `POST _search` (what the CDS Hooks sandbox sends).
 *
 * Chromium: /usr/bin/chromium (`.ci/run` installs Debian's package when missing). Without it the test is
 * skipped and says why.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { chromium, type BrowserContext } from 'playwright-core';
import { startService } from './fixtures/service.js';
import { startFhirServer } from '../dev/fhir-server.js';
import { rowsForVariant } from '../src/guideline/ratings.js';
import { VARIANT_IDS } from '../src/guideline/types.js';
import { VARIANTS } from '../src/guideline/variants.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function browser(t: { teardown(fn: () => unknown): void }): Promise<BrowserContext> {
  const profile = await mkdtemp(join(tmpdir(), 'sih-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
  t.teardown(async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  });
  return context;
}

if (!existsSync(CHROMIUM)) {
  console.log(`# browser test skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package, or set CHROMIUM_PATH)`);
  t.test('guideline pages in Chromium', { skip: `no Chromium at ${CHROMIUM}` }, async () => {});
} else {
  t.test('guideline pages render in Chromium: content, links, phone width, print', async (t) => {
    const svc = await startService(t);
    const context = await browser(t);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));

    const index = await page.goto(`${svc.url}/guideline`);
    t.equal(index?.status(), 200);
    t.match(index?.headers()['cache-control'], /public/, 'cacheable');
    t.match(await page.locator('h1').innerText(), /ACR scenarios/);
    t.equal(await page.locator('#acr-procedures + p + div table tbody tr').count(), 18, 'the 18 ACR procedure codes');

    for (const v of VARIANT_IDS) {
      // Follow the link the way a reader does.
      await page.locator('nav').getByRole('link', { name: `Variant ${v}`, exact: true }).click();
      await page.waitForURL(`**/guideline/variants/${v}`);
      t.match(await page.title(), `ACR variant ${v}`);
      t.match(await page.locator('body').innerText(), VARIANTS[v].text.slice(0, 60), `variant ${v}: the ACR text`);
      const ratingRows = page.locator('h2:text("ACR ratings") + div table tbody tr');
      t.equal(await ratingRows.count(), rowsForVariant(v).length, `variant ${v}: every rating`);
      t.match(await ratingRows.first().innerText(), /mSv/, 'with radiation');
      for (const heading of ['Why', 'Pitfalls', 'How orders are read', 'Codes', 'Source']) {
        t.equal(await page.locator(`h2:text-is("${heading}")`).count(), 1, `variant ${v}: ${heading}`);
      }
    }

    // Phone: no sideways scrolling of the page (wide tables scroll inside their own box).
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${svc.url}/guideline/variants/5`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    t.ok(overflow <= 1, `no horizontal overflow on a phone (${overflow}px)`);
    const shot = join(tmpdir(), 'sih-guideline-variant-5-phone.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`# screenshot: ${shot}`);

    await page.emulateMedia({ media: 'print' });
    t.notOk(await page.locator('nav').isVisible(), 'printing hides the navigation');

    const missing = await page.goto(`${svc.url}/guideline/variants/7`);
    t.equal(missing?.status(), 404);
    errors.splice(errors.findIndex((e) => /404/.test(e)), 1); // the browser logs the 404 it was asked to load
    t.same(errors, [], 'no console errors');
  });

  t.test('the dev FHIR server answers a browser on another origin (preflighted POST _search)', async (t) => {
    const fhir = await startFhirServer({ fixturesDir: join(tmpdir(), 'sih-no-fixtures-here') });
    t.teardown(() => fhir.close());
    // A page on another origin, as the sandbox is.
    const site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>client</title>'));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => site.close(() => resolve())));
    const context = await browser(t);
    const page = await context.newPage();
    await page.goto(`http://localhost:${(site.address() as AddressInfo).port}/`);
    const result = await page.evaluate(async (base) => {
      const meta = await fetch(`${base}/metadata`, { headers: { Accept: 'application/fhir+json' } });
      const search = await fetch(`${base}/Patient/_search`, {
        method: 'POST',
        headers: { Authorization: 'Bearer test-token', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: '_count=1',
      });
      return { meta: meta.status, fhirVersion: (await meta.json()).fhirVersion, search: search.status, type: (await search.json()).resourceType };
    }, fhir.baseUrl);
    t.same(result, { meta: 200, fhirVersion: '4.0.1', search: 200, type: 'Bundle' });
    // The preflight itself, as the browser sent it (answered by the CORS layer before the request log).
    const preflight = await fetch(`${fhir.baseUrl}/Patient/_search`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:1', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    t.equal(preflight.status, 204);
    t.equal(preflight.headers.get('access-control-allow-origin'), '*');
    t.match(preflight.headers.get('access-control-allow-headers'), /Authorization/);
    const closed = await startFhirServer({ fixturesDir: join(tmpdir(), 'sih-no-fixtures-here'), corsOrigins: ['https://sandbox.example.org'] });
    t.teardown(() => closed.close());
    const other = await fetch(`${closed.baseUrl}/metadata`, { headers: { Origin: 'http://localhost:1' } });
    t.notOk(other.headers.get('access-control-allow-origin'), 'an origin not listed gets no CORS grant');
  });
}
