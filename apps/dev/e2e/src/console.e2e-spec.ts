import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { call, testStack, waitFor } from '@sms/testing';
import { Pipeline } from './pipeline.js';

const stack = testStack();
const pipeline = new Pipeline(stack);
/** Debian's Chromium: test tools cannot download their own browsers here. */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

describe('the review console in a browser', () => {
  let browser: Browser;
  let current: Page | undefined;
  let tenant: Awaited<ReturnType<Pipeline['newTenant']>>;

  before(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    tenant = await pipeline.newTenant();
  });
  after(async () => {
    await browser?.close();
  });

  async function signIn(operatorKey = ''): Promise<Page> {
    // A fresh tab: the console keeps its keys in the tab's session storage.
    await current?.close();
    const page = await browser.newPage();
    current = page;
    await page.goto(`${stack.urls.audit}/console/`);
    await page.fill('#tenant-key', tenant.apiKey);
    await page.fill('#operator-key', operatorKey);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#app:not([hidden])');
    return page;
  }

  it('shows a held message with its reason and clause, and an approval sends it on, recorded with who approved it', async () => {
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    // An unclear reply pauses marketing to the person: the next offer is held for review.
    await pipeline.reply(tenant, to, 'too many texts lately');
    await waitFor('the pause', async () => {
      const state = await call<{ state: { marketingPaused: boolean } }>(`${stack.urls.consent}/v1/consents?to=${encodeURIComponent(to)}&brand=${encodeURIComponent(tenant.brand)}`, { apiKey: tenant.apiKey });
      return state.body.state.marketingPaused ? true : undefined;
    });
    const body = `Acme Dental: your whitening offer ends Friday. Reply STOP to opt out. ${Date.now()}`;
    const id = await pipeline.send(tenant, { to, body });
    await pipeline.waitForStatus(tenant, id, ['held']);

    const page = await signIn();
    const row = page.locator(`#held-table tr[data-message-id="${id}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /MP\.OPTOUT\.HONOR/);
    assert.match(await row.innerText(), /unclear reply/);
    assert.match(await row.innerText(), /whitening offer ends Friday/);
    await page.fill('#reviewer', 'Dana Reviewer');
    await row.locator('button.approve').click();
    await page.waitForSelector(`#held-table tr[data-message-id="${id}"]`, { state: 'detached' });

    const view = await pipeline.waitForStatus(tenant, id, ['delivered']);
    const review = view.decisions.find((d) => d.stage === 'review');
    assert.equal(review?.decision, 'pass');
    assert.match(review?.reason ?? '', /approved by Dana Reviewer/);
    assert.equal((await pipeline.simMessages(to)).find((m) => m.body === body)?.body, body);
  });

  it('draws the decisions of the tenant as charts', async () => {
    const page = await signIn();
    await page.click('nav button[data-tab=dashboard]');
    const datasets = await waitFor('the charts to have data', async () => {
      const counts = await page.evaluate(() => {
        const charts = (globalThis as unknown as { consoleCharts: Map<string, { data: { datasets: { data: number[] }[] } }> }).consoleCharts;
        return ['by-decision', 'by-clause', 'by-stage'].map((id) => charts.get(id)?.data.datasets.reduce((sum, d) => sum + d.data.reduce((a, b) => a + b, 0), 0) ?? 0);
      });
      return counts.every((c) => c > 0) ? counts : undefined;
    });
    assert.ok(datasets.every((c) => c > 0));
    const png = await page.locator('#by-decision').screenshot();
    assert.ok(png.length > 1_000, 'the chart rendered');
  });

  it('suspends a campaign after repeated serious violations, refuses its messages, and an operator lifts it in the console', async () => {
    const victim = await pipeline.newTenant();
    const to = pipeline.recipient();
    await pipeline.consent(victim, to);
    const blocked = await Promise.all(Array.from({ length: 5 }, (_, i) => pipeline.send(victim, { to, body: `Acme Dental: CBD gummies, deal ${i}! Reply STOP to opt out.` })));
    for (const id of blocked) await pipeline.waitForStatus(victim, id, ['blocked']);

    const refused = await waitFor('intake to refuse the suspended campaign', async () => {
      const answer = await call<{ type: string }>(`${stack.urls.intake}/v1/messages`, {
        apiKey: victim.apiKey,
        body: { to, from: victim.senders[0], brand: victim.brand, campaign: 'offers', useCase: 'marketing', body: 'Acme Dental: a normal offer. Reply STOP to opt out.' },
      });
      return answer.status === 403 ? answer : undefined;
    });
    assert.equal(refused.body.type, 'urn:sms-gateway:problem:campaign-suspended');

    tenant = victim;
    const page = await signIn(stack.adminApiKey);
    await page.click('nav button[data-tab=enforcement]');
    const row = page.locator('#suspensions tbody tr', { hasText: victim.tenantId });
    await row.waitFor();
    assert.match(await row.innerText(), /offers/);
    await page.fill('#operator', 'Olu Operator');
    await row.locator('input.lift-reason').fill('the clinic removed the CBD campaign');
    await row.locator('button.lift').click();
    await page.waitForSelector('#enforcement-status:has-text("Lifted")');

    await waitFor('intake to accept the campaign again', async () => {
      const answer = await call(`${stack.urls.intake}/v1/messages`, {
        apiKey: victim.apiKey,
        body: { to, from: victim.senders[0], brand: victim.brand, campaign: 'offers', useCase: 'marketing', body: 'Acme Dental: a normal offer. Reply STOP to opt out.' },
      });
      return answer.status === 202 ? true : undefined;
    });
  });
});
