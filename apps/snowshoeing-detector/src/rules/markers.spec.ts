import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fingerprint, TextRules } from './fingerprint.js';
import { actorMarkers, callBackNumbers, observeMarker, sharedByDesign, strongest, type MarkerState } from './markers.js';
import { loadSnowshoeRules, loadTextNormalisation } from './rule-data.js';

const shared = { domains: new Set(['carehub.example']), numbers: new Set<string>() };
const rules = loadSnowshoeRules();
const text = new TextRules(loadTextNormalisation());
const markersOf = (body: string, brand: string) => actorMarkers(fingerprint(body, text, rules.similarity), brand, shared);
const HOUR = 3_600_000;
const limits = { maxTenants: 4, maxSenders: 4 };
const empty = (): MarkerState => ({ tenants: new Map(), senders: new Map() });

describe('actor markers (MP.EVASION.SNOWSHOE, MP.ISV)', () => {
  it("finds a link's registrable domain, a call-back number and the full text", () => {
    const body = 'Cedar Dental: Hi Ana, your visit is Jan 5 at 9:30. Confirm at https://book.cedar-dental.example/x1 or call (212) 555-0147. Reply STOP to opt out.';
    const markers = markersOf(body, 'Cedar Dental');
    assert.deepEqual(markers.slice(0, 2), ['d:cedar-dental.example', 'p:+12125550147']);
    assert.match(markers[2]!, /^t:[0-9a-f]{16}$/);
    assert.notEqual(markersOf(body, 'Cedar Dental 2')[2], markers[2], 'another brand, another text');
  });

  it("leaves out the platform's own domains, and the full text of a short notice", () => {
    const body = 'Your receipt: https://pay.carehub.example/r/AB12CD';
    assert.deepEqual(markersOf(body, 'Cedar Dental'), []);
  });

  it("takes the links and numbers of the platform's registered templates for the platform's, not an actor's", () => {
    const byDesign = sharedByDesign({
      sharedDomains: [],
      platformTemplates: [{ id: 'forms', text: '{brand}: complete your forms at https://forms.intakeq.example/{code} or call (888) 555-0142. Reply STOP to opt out.' }],
    });
    assert.deepEqual([...byDesign.domains], ['intakeq.example']);
    assert.deepEqual([...byDesign.numbers], ['+18885550142']);
    const body = 'Cedar Dental: complete your forms at https://forms.intakeq.example/x7 or call (888) 555-0142. Reply STOP to opt out.';
    assert.deepEqual(
      actorMarkers(fingerprint(body, text, rules.similarity), 'Cedar Dental', byDesign).filter((m) => !m.startsWith('t:')),
      [],
    );
    // The same link in an actor's own text is still the platform's: the rule data says so.
    assert.equal(sharedByDesign(rules.markers).domains.has('carehub.example'), true);
  });

  it('sees through look-alike letters in a domain', () => {
    // Cyrillic "а" and "о" in the host.
    assert.deepEqual(markersOf('Claim now at implants-de\u0430l.ex\u0430mple/q', 'Deals'), ['d:implants-deal.example']);
  });

  it('reads call-back numbers in the usual spellings and ignores dates, amounts and codes', () => {
    assert.deepEqual(callBackNumbers('call 212.555.0147, +1 (646) 555-0199 or 1-800-555-0123'), ['+12125550147', '+16465550199', '+18005550123']);
    assert.deepEqual(callBackNumbers('Your code 482913, $120.50 due 12/05/2026 at 10:30'), []);
  });
});

describe('observeMarker', () => {
  it('counts tenants, their messages and senders within the window, and forgets what left it', () => {
    const state = empty();
    const t0 = Date.parse('2026-12-05T08:00:00Z');
    assert.deepEqual(observeMarker(state, 'a', '+1', t0, 24 * HOUR, limits), { tenants: 1, sharedMessages: 1, sharedSenders: 1 });
    assert.deepEqual(observeMarker(state, 'a', '+1', t0 + 1000, 24 * HOUR, limits), { tenants: 1, sharedMessages: 2, sharedSenders: 1 });
    assert.deepEqual(observeMarker(state, 'b', '+2', t0 + 2000, 24 * HOUR, limits), { tenants: 2, sharedMessages: 3, sharedSenders: 2 });
    // A day later tenant a's messages have left the window; b's last one too.
    assert.deepEqual(observeMarker(state, 'c', '+3', t0 + 25 * HOUR, 24 * HOUR, limits), { tenants: 1, sharedMessages: 1, sharedSenders: 1 });
    assert.deepEqual([...state.tenants.keys()], ['c']);
  });

  it('remembers at most the configured tenants and senders', () => {
    const state = empty();
    let last = { tenants: 0, sharedMessages: 0, sharedSenders: 0 };
    for (let i = 0; i < 10; i++) last = observeMarker(state, `t${i}`, `+${i}`, 1000 + i, HOUR, limits);
    assert.deepEqual(last, { tenants: 4, sharedMessages: 4, sharedSenders: 4 });
  });

  it('reports the marker that links the most tenants', () => {
    const best = strongest([
      { marker: 't:1', tenants: 1, sharedMessages: 50, sharedSenders: 2 },
      { marker: 'd:x.example', tenants: 3, sharedMessages: 20, sharedSenders: 6 },
    ]);
    assert.equal(best.marker, 'd:x.example');
    assert.equal(strongest([]).marker, null);
  });
});
