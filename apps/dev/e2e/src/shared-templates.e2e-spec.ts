import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testStack } from '@sms/testing';
import { Pipeline } from './pipeline.js';

const pipeline = new Pipeline(testStack());

const CLINICS = 20;
const PATIENTS = 5;
const NAMES = ['Ana', 'Ben', 'Chloe', 'Dev', 'Eve'];

/** The platform's built-in reminder, as its scheduling product fills it for each clinic. */
function reminder(brand: string, name: string, day: number, clinic: number): string {
  return `${brand}: Hi ${name}, this is a reminder of your appointment on Dec ${day} at ${9 + (day % 8)}:30. Reply C to confirm or call (415) 555-${String(2000 + clinic).slice(-4)} to reschedule. Reply STOP to opt out.`;
}

describe("the platform's shared templates (MP.EVASION.SNOWSHOE)", () => {
  it('delivers the reminder template sent by 20 clinics under their own brands at the same time', async () => {
    const clinics = await Promise.all(
      Array.from({ length: CLINICS }, (_, k) =>
        pipeline.newTenant(`${['Cedar', 'Maple', 'Harbor', 'Summit', 'Willow'][k % 5]} ${['Dental', 'Family Clinic', 'Eye Care', 'Pediatrics'][Math.floor(k / 5)]}`),
      ),
    );
    const planned = clinics.flatMap((tenant, k) => Array.from({ length: PATIENTS }, (_, i) => ({ tenant, k, i, to: pipeline.recipient() })));
    await Promise.all(planned.map((p) => pipeline.consent(p.tenant, p.to, 'reminders', 'prior_relationship')));

    // Every clinic's morning batch at once, each patient on one of the clinic's two numbers.
    const ids = await Promise.all(
      planned.map((p) =>
        pipeline.send(p.tenant, {
          to: p.to,
          from: p.tenant.senders[p.i % 2],
          campaign: 'reminders',
          useCase: 'informational',
          body: reminder(p.tenant.brand, NAMES[p.i]!, 1 + ((p.k + p.i) % 28), p.k),
        }),
      ),
    );
    const views = await Promise.all(planned.map((p, n) => pipeline.waitForStatus(p.tenant, ids[n]!, ['delivered', 'blocked', 'undelivered', 'failed'], 90_000)));
    const stopped = views.filter((v) => v.status !== 'delivered').map((v) => `${v.status}: ${v.decisions.at(-1)?.reason}`);
    assert.deepEqual(stopped, [], 'every reminder delivered');
    for (const [n, p] of planned.entries()) {
      const view = await pipeline.waitForView(p.tenant, ids[n]!, "to show the snowshoeing detector's decision", (v) => v.decisions.some((d) => d.stage === 'snowshoeing-detector'));
      const verdict = view.decisions.find((d) => d.stage === 'snowshoeing-detector');
      assert.equal(verdict?.decision, 'pass');
      assert.deepEqual(verdict.clauses, ['MP.EVASION.SNOWSHOE']);
    }
  });
});
