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

  async function signIn(operatorKey = '', tenantKey = tenant.apiKey): Promise<Page> {
    // A fresh tab: the console keeps its keys in the tab's session storage.
    await current?.close();
    const page = await browser.newPage();
    current = page;
    await page.goto(`${stack.urls.audit}/console/`);
    await page.fill('#tenant-key', tenantKey);
    await page.fill('#operator-key', operatorKey);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#app:not([hidden])');
    return page;
  }

  // An unclear reply pauses marketing to the person: the next offer is held for review.
  const paused = (to: string) => pipeline.pauseMarketing(tenant, to, 'this is spam, too many texts');

  it('a clinic sees its hold behind an unclear reply but cannot clear it; nor can a reviewer while the opt-out review is pending; the review releases it', async () => {
    const to = pipeline.recipient();
    await paused(to);
    const body = `Acme Dental: your whitening offer ends Friday. Reply STOP to opt out. ${Date.now()}`;
    const id = await pipeline.send(tenant, { to, body });
    await pipeline.waitForStatus(tenant, id, ['held']);

    // The clinic: the hold, its reason and clause, and no way to approve it.
    let page = await signIn();
    let row = page.locator(`#held-table tr[data-message-id="${id}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /MP\.OPTOUT\.HONOR/);
    assert.match(await row.innerText(), /unclear reply/);
    assert.match(await row.innerText(), /whitening offer ends Friday/);
    assert.equal(await row.locator('button.approve').count(), 0, 'no Approve for the clinic');
    assert.equal(await row.locator('button.withdraw').count(), 1);
    const byKey = await call(`${stack.urls.audit}/v1/reviews/${id}/decision`, { apiKey: tenant.apiKey, body: { decision: 'approve', decidedBy: 'front desk' } });
    assert.equal(byKey.status, 403, 'nor through the API with the tenant key');

    // The compliance reviewer: the opt-out review decides this one, not an approval.
    page = await signIn(stack.adminApiKey, '');
    row = page.locator(`#held-table tr[data-message-id="${id}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(tenant.tenantId));
    await page.fill('#reviewer', 'Casey Compliance');
    await row.locator('button.approve').click();
    await page.waitForSelector('#held-status:has-text("opt-out review")');
    assert.equal((await pipeline.history(tenant, id))?.status, 'held');
    assert.deepEqual(
      (await pipeline.simMessages(to)).filter((m) => m.body === body),
      [],
    );

    // The opt-out review decides the reply was not an opt-out: the message goes back through consent, now unpaused, and out.
    // The clinic sees its opt-out review in the console, with the reply, but cannot decide it (nor through the API).
    const reviews = await call<{ reviews: { id: string; status: string }[] }>(`${stack.urls.consent}/v1/opt-out-reviews?status=pending`, { apiKey: tenant.apiKey });
    const review = reviews.body.reviews[0]!;
    page = await signIn();
    await page.click('nav button[data-tab=opt-outs]');
    let reply = page.locator(`#opt-outs-table tr[data-review-id="${review.id}"]`);
    await reply.waitFor();
    assert.match(await reply.innerText(), /this is spam, too many texts/);
    assert.equal(await reply.locator('button').count(), 0, 'no decision buttons for the clinic');
    assert.equal(await page.locator('#reviewer').isVisible(), false);
    const byClinic = await call(`${stack.urls.consent}/v1/opt-out-reviews/${review.id}/decision`, { apiKey: tenant.apiKey, body: { decision: 'not_opt_out', decidedBy: 'front desk' } });
    assert.equal(byClinic.status, 403);

    // The compliance reviewer reads the reply in the console (on consent's API, across origins) and decides it by name.
    page = await signIn(stack.adminApiKey, '');
    await page.click('nav button[data-tab=opt-outs]');
    reply = page.locator(`#opt-outs-table tr[data-review-id="${review.id}"]`);
    await reply.waitFor();
    assert.match(await reply.innerText(), /this is spam, too many texts/);
    assert.match(await reply.innerText(), new RegExp(tenant.tenantId));
    await reply.locator('button.not-opt-out').click();
    await page.waitForSelector('#opt-outs-status:has-text("Enter your name first")');
    assert.equal(
      (await call<{ reviews: { id: string }[] }>(`${stack.urls.consent}/v1/opt-out-reviews?status=pending`, { apiKey: tenant.apiKey })).body.reviews.length,
      1,
      'nothing decided without a name',
    );
    await page.fill('#reviewer', 'Casey Compliance');
    await reply.locator('input.note').fill('a complaint about frequency, not a request to stop');
    await reply.locator('button.not-opt-out').click();
    await page.waitForSelector('#opt-outs-status:has-text("Not an opt-out")');
    await page.waitForSelector(`#opt-outs-table tr[data-review-id="${review.id}"]`, { state: 'detached' });
    const decided = await call<{ reviews: { id: string; decidedBy: string }[] }>(`${stack.urls.consent}/v1/opt-out-reviews?status=not_opt_out`, { apiKey: tenant.apiKey });
    assert.equal(decided.body.reviews.find((r) => r.id === review.id)?.decidedBy, 'Casey Compliance');
    await pipeline.waitForStatus(tenant, id, ['delivered']);
    // Consent's second decision reaches audit on its own topic: wait for it to follow the release.
    const view = await pipeline.waitForView(
      tenant,
      id,
      'to show consent deciding again after the release',
      (v) => v.decisions.findLastIndex((d) => d.stage === 'consent') > v.decisions.findIndex((d) => d.stage === 'review'),
    );
    const released = view.decisions.find((d) => d.stage === 'review');
    assert.equal(released?.decision, 'pass');
    assert.match(released?.reason ?? '', /approved by opt-out review \(Casey Compliance: not an opt-out\)/);
    assert.equal(view.decisions.filter((d) => d.stage === 'consent').at(-1)?.decision, 'pass', 'consent decided it again on the state of the moment');
    assert.equal((await pipeline.simMessages(to)).filter((m) => m.body === body).length, 1);
  });

  it('a clinic edits and resubmits a held message; a compliance reviewer approves another by name', async () => {
    const to = pipeline.recipient();
    await pipeline.consent(tenant, to);
    const shortened = (n: number) => `Acme Dental: book your cleaning at https://bit.ly/3xAcme${n} today. Reply STOP to opt out. ${Date.now()}`;
    const first = await pipeline.send(tenant, { to, body: shortened(1) });
    const second = await pipeline.send(tenant, { to, body: shortened(2) });
    await pipeline.waitForStatus(tenant, first, ['held']);
    await pipeline.waitForStatus(tenant, second, ['held']);

    let page = await signIn();
    let row = page.locator(`#held-table tr[data-message-id="${first}"]`);
    await row.waitFor();
    const edited = `Acme Dental: book your cleaning at acmedental.example today. Reply STOP to opt out. ${Date.now()}`;
    await row.locator('textarea.edit').fill(edited);
    await row.locator('button.resubmit').click();
    const status = await page.waitForSelector('#held-status:has-text("resubmitted it as")');
    const newId = /resubmitted it as ([0-9a-f-]{36})/.exec((await status.textContent()) ?? '')![1]!;
    assert.equal((await pipeline.waitForStatus(tenant, newId, ['delivered'])).status, 'delivered');
    assert.equal((await pipeline.history(tenant, first))?.status, 'cancelled');
    assert.deepEqual(
      (await pipeline.simMessages(to)).map((m) => m.body),
      [edited],
    );

    page = await signIn(stack.adminApiKey, '');
    row = page.locator(`#held-table tr[data-message-id="${second}"]`);
    await row.waitFor();
    await page.fill('#reviewer', 'Casey Compliance');
    await row.locator('input.note').fill("the clinic's own short link");
    await row.locator('button.approve').click();
    await page.waitForSelector(`#held-table tr[data-message-id="${second}"]`, { state: 'detached' });
    await pipeline.waitForStatus(tenant, second, ['delivered']);
    // The review's decision reaches audit on its own topic, the statuses on theirs.
    const view = await pipeline.waitForView(tenant, second, "to show the review's decision", (v) => v.decisions.some((d) => d.stage === 'review'));
    assert.match(view.decisions.find((d) => d.stage === 'review')?.reason ?? '', /approved by Casey Compliance: the clinic's own short link/);
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
