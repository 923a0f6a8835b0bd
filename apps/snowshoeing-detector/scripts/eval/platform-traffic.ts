import type { TenantConfigEvent } from '@sms/contracts';
import type { StreamMessage } from '../../src/detection/stream-detector.js';
import { disguise, msSid, phone, prng, spin, tenant, type CampaignSpec, type Random, type Traffic } from './traffic.js';

/**
 * Platform-scale traffic (issue 16): hundreds of clinics sending the platform's built-in
 * templates under their own brands from their own registered numbers, a hospital group with a
 * large pool, morning bursts, Spanish templates; and snowshoeing campaigns written as an
 * actor would write them to get past per-number filters (spun text, many numbers at a low
 * rate each, a copied platform template with the actor's own link, numbers added mid-way,
 * one campaign spread over several accounts). The adversarial part was written before the
 * rules it is scored against were changed, and does not look at them.
 */

const HOUR = 3_600_000;
const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;

const FIRST = ['Sarah', 'John', 'Maria', 'Ahmed', 'Li', 'Olga', 'Kwame', 'Priya', 'Diego', 'Hannah', 'Tom', 'Aisha', 'Noah', 'Emma', 'Yuki', 'Lucas', 'José', 'Lucía', 'Carmen', 'Wei'];
const PLACES = ['Cedar', 'Oak', 'Maple', 'River', 'Lake', 'Hill', 'Bay', 'Pine', 'Elm', 'Harbor', 'Valley', 'Summit', 'Willow', 'Stone', 'Brook', 'Meadow', 'North', 'Sunset', 'Park', 'Grove'];
const KINDS = ['Dental', 'Family Clinic', 'Pediatrics', 'Eye Care', 'Dermatology', 'Physio', 'Chiropractic', 'Orthodontics', 'Medical Group', 'Health'];
const DAYS_EN = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
const DAYS_ES = ['lunes', 'martes', 'miércoles', 'jueves', 'viernes'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The platform's built-in templates, as its scheduling product fills them. */
export const PLATFORM_TEMPLATES = {
  reminder: (c: Fill) => `${c.brand}: Hi ${c.name}, this is a reminder of your appointment on ${c.date} at ${c.time}. Reply C to confirm or call ${c.phone} to reschedule. Reply STOP to opt out.`,
  reminderEs: (c: Fill) =>
    `${c.brand}: Hola ${c.name}, le recordamos su cita el ${c.dateEs} a las ${c.time}. Responda C para confirmar o llame al ${c.phone} para cambiarla. Responde STOP para cancelar.`,
  receipt: (c: Fill) => `${c.brand}: Thank you for your payment of $${c.amount}.00 on ${c.date}. View your receipt at https://pay.carehub.example/r/${c.code}. Reply STOP to opt out.`,
};

interface Fill {
  brand: string;
  name: string;
  date: string;
  dateEs: string;
  time: string;
  phone: string;
  amount: number;
  code: string;
}

function code(r: Random, length = 8): string {
  let s = '';
  for (let i = 0; i < length; i++) s += pick(r, [...'abcdefghjkmnpqrstuvwxyz23456789']);
  return s;
}

function fill(r: Random, brand: string, callBack: string): Fill {
  const day = 1 + Math.floor(r() * 28);
  const d = Math.floor(r() * 5);
  return {
    brand,
    name: pick(r, FIRST),
    date: r() < 0.5 ? `${pick(r, MONTHS)} ${day}` : `${DAYS_EN[d]} ${1 + Math.floor(r() * 12)}/${day}`,
    dateEs: `${DAYS_ES[d]} ${day}`,
    time: r() < 0.5 ? `${8 + Math.floor(r() * 9)}:${pick(r, ['00', '15', '30', '45'])}` : `${1 + Math.floor(r() * 11)}${pick(r, [' AM', ' PM', 'am', 'pm'])}`,
    phone: callBack,
    amount: 20 + Math.floor(r() * 480),
    code: code(r),
  };
}

const tenantConfig = (id: string, brand: string, numbers: string[], ms?: string): TenantConfigEvent => tenant(id, brand, numbers, { ms, campaigns: ['reminders', 'receipts', 'offers'] });

function times(r: Random, start: number, spanMs: number, n: number): number[] {
  return Array.from({ length: n }, () => start + Math.floor(r() * spanMs)).sort((a, b) => a - b);
}

/** A clinic's way of choosing a number per patient: sticky (the same number for a patient). */
function sticky(numbers: readonly string[], patient: number): string {
  return numbers[(Math.imul(patient, 0x9e3779b1) >>> 0) % numbers.length]!;
}

/** The snowshoer's promotional wording, spun per message (6 to 9 slots). */
const SPUN = [
  '{Hi|Hello|Hey} {name}, {claim|grab|get} your {free|complimentary|bonus} teeth whitening kit {worth|valued at} ${amount} {today|now|this week}. {Limited stock|Only a few left|Supplies are limited}, {tap|click|visit} {link} to {claim|redeem|get} it. Reply STOP to opt out.',
  '{Congrats|Congratulations|Good news} {name}! You {qualify|are eligible|have been selected} for {discounted|cheap|low-cost} dental implants {from|starting at} ${amount}. {Book|Reserve|Secure} your {spot|slot|consultation} {at|via} {link} {before|by} {date}. Reply STOP to opt out.',
  '{Exclusive|Special|VIP} {offer|deal|promo} for {name}: {invisible|clear} aligners {for just|at only} ${amount} a month, {no|zero} down payment. {Apply|Sign up|Get approved} in {minutes|seconds} at {link}. Reply STOP to opt out.',
  '{URGENT|Important|Notice}: {name}, your {insurance|dental plan|coverage} benefits {expire|run out|end} on {date}. {Use|Claim|Redeem} the remaining ${amount} {now|today} at {link} or {lose|forfeit} them. Reply STOP to opt out.',
];

/**
 * About 110,000 legitimate messages (scale 1) over a day from 240 clinics, a hospital group
 * and a large morning-burst clinic, plus the adversarial campaigns.
 */
export function generatePlatformTraffic(seed = 1, scale = 1, start = Date.parse('2026-11-02T12:00:00Z')): Traffic {
  const r = prng(seed * 7919 + 13);
  const tenants: TenantConfigEvent[] = [];
  const campaigns: CampaignSpec[] = [];
  let serial = 0;
  const id = (p: string) => `${p}-${++serial}`;
  const n = (x: number) => Math.max(1, Math.round(x * scale));
  let patient = 0;
  // 8:00 in the clinics' time zone, as the stream's time: the morning burst.
  const eight = start;

  const shared: StreamMessage[] = [];
  const spanish: StreamMessage[] = [];
  const receipts: StreamMessage[] = [];
  const clinicCount = 240;
  const brands = new Set<string>();
  for (let k = 0; k < clinicCount; k++) {
    let brand = `${pick(r, PLACES)} ${pick(r, PLACES)} ${pick(r, KINDS)}`;
    while (brands.has(brand)) brand = `${pick(r, PLACES)} ${pick(r, PLACES)} ${pick(r, KINDS)}`;
    brands.add(brand);
    const poolSize = 1 + Math.floor(r() * 5);
    const numbers = Array.from({ length: poolSize }, (_, i) => phone(`${201 + (k % 700)}555`, k * 10 + i));
    const viaService = r() < 0.4;
    const ms = viaService ? msSid(5000 + k) : undefined;
    const t = tenantConfig(`clinic-${k}`, brand, numbers, ms);
    tenants.push(t);
    const callBack = `(${200 + (k % 700)}) 555-${String(1000 + k).slice(-4)}`;
    const reminders = n(200 + Math.floor(r() * 300));
    // Most clinics send the day's reminders at 8:00 in a burst; the rest through the day.
    const burst = r() < 0.6;
    const spanishShare = r() < 0.25 ? 0.3 : 0;
    const at = burst ? times(r, eight, 15 * 60_000, reminders) : times(r, eight, 10 * HOUR, reminders);
    for (const when of at) {
      const p = ++patient;
      const es = r() < spanishShare;
      const body = es ? PLATFORM_TEMPLATES.reminderEs(fill(r, brand, callBack)) : PLATFORM_TEMPLATES.reminder(fill(r, brand, callBack));
      (es ? spanish : shared).push({
        id: id('reminder'),
        tenant: t.tenantId,
        campaign: 'reminders',
        ...(ms ? { messagingServiceSid: ms } : { from: sticky(numbers, p) }),
        to: phone('917', p),
        body,
        at: when,
        brand,
      });
    }
    for (const when of times(r, eight + HOUR, 9 * HOUR, n(40 + Math.floor(r() * 80)))) {
      const p = ++patient;
      receipts.push({
        id: id('receipt'),
        tenant: t.tenantId,
        campaign: 'receipts',
        ...(ms ? { messagingServiceSid: ms } : { from: sticky(numbers, p) }),
        to: phone('917', p),
        body: PLATFORM_TEMPLATES.receipt(fill(r, brand, callBack)),
        at: when,
        brand,
      });
    }
  }
  campaigns.push({
    name: 'platform reminder template',
    kind: 'legitimate',
    how: `${clinicCount} clinics, own brand and 1-5 registered numbers each (40% messaging service), 60% at 8:00`,
    messages: shared,
  });
  campaigns.push({ name: 'platform reminder template (Spanish)', kind: 'legitimate', how: 'a quarter of the clinics send 30% of their reminders in Spanish', messages: spanish });
  campaigns.push({ name: 'platform receipt template', kind: 'legitimate', how: "every clinic, with a link to the platform's receipt page", messages: receipts });

  // A hospital group: 3,000 reminders in two hours from its registered 10-number pool, sticky sender.
  {
    const brand = 'St. Anne Hospital Group';
    const numbers = Array.from({ length: 10 }, (_, i) => phone('312555', 7000 + i));
    const t = tenantConfig('st-anne-group', brand, numbers);
    tenants.push(t);
    const messages = times(r, eight, 2 * HOUR, n(3000)).map((when) => {
      const p = ++patient;
      return {
        id: id('hospital'),
        tenant: t.tenantId,
        campaign: 'reminders',
        from: sticky(numbers, p),
        to: phone('917', p),
        body: PLATFORM_TEMPLATES.reminder(fill(r, brand, '(312) 555-7000')),
        at: when,
        brand,
      };
    });
    campaigns.push({ name: 'hospital group reminders', kind: 'legitimate', how: '10 registered numbers, sticky sender, 3,000 in 2 hours', messages });
  }
  // A big clinic sending its day's 300 reminders at 8:00 through its 5-number messaging service.
  {
    const brand = 'Downtown Dental Studio';
    const ms = msSid(4999);
    const numbers = Array.from({ length: 5 }, (_, i) => phone('646555', 8000 + i));
    const t = tenantConfig('downtown-dental', brand, numbers, ms);
    tenants.push(t);
    const messages = times(r, eight, 5 * 60_000, n(300)).map((when) => {
      const p = ++patient;
      return {
        id: id('burst'),
        tenant: t.tenantId,
        campaign: 'reminders',
        messagingServiceSid: ms,
        to: phone('917', p),
        body: PLATFORM_TEMPLATES.reminder(fill(r, brand, '(646) 555-8000')),
        at: when,
        brand,
      };
    });
    campaigns.push({ name: 'morning burst', kind: 'legitimate', how: '300 reminders at 8:00, 5-number messaging service', messages });
  }

  // Snowshoeing, as an actor would do it.
  let actor = 0;
  const account = (numbers: string[], ms?: string): TenantConfigEvent => {
    actor++;
    const brand = `${pick(r, ['Bright', 'Smile', 'Pearl', 'Prime'])} ${pick(r, ['Smile', 'Dental', 'Care'])} ${actor}`;
    const t = tenantConfig(`actor-${actor}`, brand, numbers, ms);
    tenants.push(t);
    return t;
  };
  const link = (host: string) => `https://${host}/${code(r, 6)}`;
  const spun = (template: string, host: string) =>
    disguise(
      r,
      spin(r, template)
        .replace('{name}', pick(r, FIRST))
        .replace('{amount}', String(50 + Math.floor(r() * 400)))
        .replace('{date}', `${pick(r, MONTHS)} ${1 + Math.floor(r() * 28)}`)
        .replace('{link}', link(host)),
      0.05,
    );
  const numbersFor = (count: number) => Array.from({ length: count }, () => phone('404', 1_000_000 + actor * 1000 + Math.floor(r() * 999)));
  const unique = (list: string[]) => [...new Set(list)];

  // 1. Spun promotion over one account's 40 registered numbers, each number at a low rate.
  {
    const numbers = unique(numbersFor(40));
    const t = account(numbers);
    const messages = times(r, eight + HOUR, 6 * HOUR, 600).map((when) => {
      const p = ++patient;
      return { id: id('spam'), tenant: t.tenantId, campaign: 'offers', from: pick(r, numbers), to: phone('917', p), body: spun(SPUN[0]!, 'whiten-now.example'), at: when };
    });
    campaigns.push({ name: 'spun over 40 numbers', kind: 'snowshoe', how: 'spun promotion, one account, 40 registered numbers at random, 600 in 6 hours (2.5/number/hour)', messages });
  }
  // 2. The platform's reminder template copied, with the actor's own link instead of a call-back number, over 30 numbers.
  {
    const numbers = unique(numbersFor(30));
    const t = account(numbers);
    const brand = t.brands[0]!.name;
    const messages = times(r, eight + 2 * HOUR, 3 * HOUR, 450).map((when) => {
      const p = ++patient;
      const f = fill(r, brand, link('appt-confirm.example'));
      return { id: id('spam'), tenant: t.tenantId, campaign: 'offers', from: pick(r, numbers), to: phone('917', p), body: PLATFORM_TEMPLATES.reminder(f), at: when };
    });
    campaigns.push({ name: 'copied platform template', kind: 'snowshoe', how: 'the reminder template with its own link, one account, 30 numbers at random, 450 in 3 hours', messages });
  }
  // 3. The copied template from four accounts, each with 3 fresh numbers, the same link host.
  {
    const accounts = [0, 1, 2, 3].map(() => {
      const numbers = unique(numbersFor(3));
      return { t: account(numbers), numbers };
    });
    const messages = times(r, eight + 4 * HOUR, 4 * HOUR, 480).map((when, i) => {
      const a = accounts[i % accounts.length]!;
      const p = ++patient;
      const f = fill(r, a.t.brands[0]!.name, link('clinic-portal-login.example'));
      return { id: id('spam'), tenant: a.t.tenantId, campaign: 'reminders', from: pick(r, a.numbers), to: phone('917', p), body: PLATFORM_TEMPLATES.reminder(f), at: when };
    });
    campaigns.push({ name: 'copied template, four accounts', kind: 'snowshoe', how: 'the reminder template with one link host, 4 accounts x 3 numbers, 480 in 4 hours', messages });
  }
  // 4. Numbers added to the pool mid-campaign: starts on 3, two more every 20 minutes (23 at the end).
  {
    const numbers = unique(numbersFor(23));
    const t = account(numbers);
    const messages = times(r, eight + 3 * HOUR, 200 * 60_000, 700).map((when) => {
      const inUse = Math.min(numbers.length, 3 + 2 * Math.floor((when - (eight + 3 * HOUR)) / (20 * 60_000)));
      const p = ++patient;
      // Lightly spun: one slot, as a campaign that only wants to avoid exact duplicates.
      const body = spin(r, `${t.brands[0]!.name}: {Hi|Hello} ${pick(r, FIRST)}, new patients get a free exam and x-rays this month. Book at ${link('pearl-offers.example')}. Reply STOP to opt out.`);
      return { id: id('spam'), tenant: t.tenantId, campaign: 'offers', from: numbers[Math.floor(r() * inUse)]!, to: phone('917', p), body, at: when };
    });
    campaigns.push({ name: 'pool grows mid-campaign', kind: 'snowshoe', how: 'one account, starts on 3 numbers, 2 more every 20 minutes (23), 700 in 3h20', messages });
  }
  // 5. Identical text from three accounts, each from 5 fresh numbers, spun.
  {
    const accounts = [0, 1, 2].map(() => {
      const numbers = unique(numbersFor(5));
      return { t: account(numbers), numbers };
    });
    const messages = times(r, eight + 5 * HOUR, 2 * HOUR, 450).map((when, i) => {
      const a = accounts[i % accounts.length]!;
      const p = ++patient;
      return { id: id('spam'), tenant: a.t.tenantId, campaign: 'offers', from: pick(r, a.numbers), to: phone('917', p), body: spun(SPUN[1]!, 'implants-deal.example'), at: when };
    });
    campaigns.push({ name: 'three accounts, fresh numbers', kind: 'snowshoe', how: 'spun promotion, 3 accounts x 5 numbers, 450 in 2 hours', messages });
  }
  // 6. Hidden behind a messaging service of 50 numbers.
  {
    const numbers = unique(numbersFor(50));
    const ms = msSid(9000 + actor);
    const t = account(numbers, ms);
    const messages = times(r, eight + 6 * HOUR, 2 * HOUR, 400).map((when) => {
      const p = ++patient;
      return { id: id('spam'), tenant: t.tenantId, campaign: 'offers', messagingServiceSid: ms, to: phone('917', p), body: spun(SPUN[2]!, 'aligner-club.example'), at: when };
    });
    campaigns.push({ name: 'messaging service of 50', kind: 'snowshoe', how: 'spun promotion through a 50-number messaging service, 400 in 2 hours', messages });
  }
  // 7. Numbers the account never registered (a Kafka-sourced request skips intake's check).
  {
    const t = account([phone('404', 9_999_000 + actor)]);
    const numbers = unique(numbersFor(25));
    const messages = times(r, eight + 7 * HOUR, HOUR, 300).map((when) => {
      const p = ++patient;
      return { id: id('spam'), tenant: t.tenantId, campaign: 'offers', from: pick(r, numbers), to: phone('917', p), body: spun(SPUN[3]!, 'benefit-claims.example'), at: when };
    });
    campaigns.push({ name: 'unregistered numbers', kind: 'snowshoe', how: 'spun promotion from 25 numbers the account never registered, 300 in 1 hour', messages });
  }

  const stream = campaigns.flatMap((c) => c.messages).sort((a, b) => (a.at as number) - (b.at as number));
  return { tenants, campaigns, stream };
}
