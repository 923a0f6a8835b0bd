import { TenantConfigEventSchema, type TenantConfigEvent } from '@sms/contracts';
import { seededRandom, type Random } from '@sms/util';
import type { StreamMessage } from '../../src/detection/stream-detector.js';

/**
 * Synthetic traffic for the evaluation, the benchmark and the tests: legitimate templated
 * campaigns from registered pools, and snowshoeing campaigns that spin their content and
 * rotate numbers at several speeds. Seeded, so every run produces the same stream.
 */

/** The project's seeded source (mulberry32), under the name the eval and the bench use. */
export const prng = seededRandom;
export type { Random };
const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;

const FIRST_NAMES = ['Sarah', 'John', 'Maria', 'Ahmed', 'Li', 'Olga', 'Kwame', 'Priya', 'Diego', 'Hannah', 'Tom', 'Aisha', 'Noah', 'Emma', 'Yuki', 'Lucas'];
const DOCTORS = ['Patel', 'Nguyen', 'Smith', 'Garcia', 'Kim', 'Okafor'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
// Look-alikes a spammer swaps in: Cyrillic a, e, o, p, c and a fullwidth o.
const LOOKALIKES: Record<string, string[]> = { a: ['\u0430'], e: ['\u0435'], o: ['\u043e', '\uff4f'], p: ['\u0440'], c: ['\u0441'] };

export function phone(prefix: string, n: number): string {
  return `+1${prefix}${String(n).padStart(7, '0')}`;
}

export function msSid(n: number): string {
  return `MG${n.toString(16).padStart(32, '0')}`;
}

function code(r: Random, length = 6): string {
  let s = '';
  for (let i = 0; i < length; i++) s += pick(r, [...'ABCDEFGHJKLMNPQRSTUVWXYZ23456789']);
  return s;
}

function date(r: Random): string {
  return r() < 0.5 ? `${pick(r, MONTHS)} ${1 + Math.floor(r() * 28)}` : `${pick(r, DAYS)} ${1 + Math.floor(r() * 12)}/${1 + Math.floor(r() * 28)}`;
}

function time(r: Random): string {
  return r() < 0.5 ? `${8 + Math.floor(r() * 9)}:${pick(r, ['00', '15', '30', '45'])}` : `${1 + Math.floor(r() * 11)}${pick(r, ['am', 'pm', ' AM', ' PM'])}`;
}

/** Expands "{a|b|c}" choices; personal fields are filled by the caller. */
export function spin(r: Random, text: string): string {
  return text.replace(/\{([^{}]*\|[^{}]*)\}/g, (_m, options: string) => pick(r, options.split('|')));
}

/** What a spammer does to dodge exact matching: look-alike characters, case, spacing. */
export function disguise(r: Random, text: string, rate: number): string {
  let out = '';
  for (const ch of text) {
    const swaps = LOOKALIKES[ch];
    if (swaps && r() < rate) out += pick(r, swaps);
    else if (ch === ' ' && r() < rate / 2) out += pick(r, ['  ', ' \u200b', '\u00a0']);
    else if (r() < rate / 4) out += ch.toUpperCase();
    else out += ch;
  }
  return out;
}

export interface CampaignSpec {
  name: string;
  kind: 'legitimate' | 'snowshoe';
  /** How it is sent, in words (the evaluation's table). */
  how: string;
  messages: StreamMessage[];
}

export interface Traffic {
  tenants: TenantConfigEvent[];
  campaigns: CampaignSpec[];
  /** Every campaign's messages merged in time order. */
  stream: StreamMessage[];
}

/** A tenant of one brand sending from `numbers` (behind the messaging service `ms` when given); its `offers` campaign is marketing, the others informational. */
export function tenant(id: string, brand: string, numbers: string[], options: { ms?: string; campaigns?: string[]; snowshoe?: TenantConfigEvent['settings']['snowshoe'] } = {}): TenantConfigEvent {
  return TenantConfigEventSchema.parse({
    tenantId: id,
    name: brand,
    status: 'active',
    apiKeyHashes: [],
    brands: [{ name: brand }],
    campaigns: (options.campaigns ?? ['reminders', 'offers']).map((c) => ({ id: c, brand, useCase: c === 'offers' ? 'marketing' : 'informational' })),
    senders: numbers.map((number) => ({ number, type: 'long_code', brand, ...(options.ms ? { messagingServiceSid: options.ms } : {}) })),
    messagingServices: options.ms ? [{ sid: options.ms, name: `${brand} pool` }] : [],
    settings: options.snowshoe ? { snowshoe: options.snowshoe } : {},
    updatedAt: '2026-11-01T00:00:00.000Z',
  });
}

let serial = 0;
function id(prefix: string): string {
  serial++;
  return `${prefix}-${serial}`;
}

/** Times spread over [start, start+spanMs) with random gaps, sorted. */
function times(r: Random, start: number, spanMs: number, n: number): number[] {
  return Array.from({ length: n }, () => start + Math.floor(r() * spanMs)).sort((a, b) => a - b);
}

const HOUR = 3_600_000;

/**
 * A day of traffic. `scale` multiplies the legitimate volumes (1 = about 6,000 legitimate
 * messages and 3,000 snowshoeing ones).
 */
export function generateTraffic(seed = 1, scale = 1, start = Date.parse('2026-11-02T08:00:00Z')): Traffic {
  const r = prng(seed);
  serial = 0;
  const tenants: TenantConfigEvent[] = [];
  const campaigns: CampaignSpec[] = [];
  const n = (x: number) => Math.max(1, Math.round(x * scale));

  // 1. A clinic's reminders through a messaging service with five numbers and sticky sender.
  {
    const ms = msSid(1);
    const t = tenant(
      'brightside-dental',
      'Brightside Dental',
      [0, 1, 2, 3, 4].map((i) => phone('415555', 100 + i)),
      { ms },
    );
    tenants.push(t);
    const messages = times(r, start, 24 * HOUR, n(3000)).map((at, i) => ({
      id: id('clinic'),
      tenant: t.tenantId,
      campaign: 'reminders',
      messagingServiceSid: ms,
      to: phone('212', 1_000_000 + i),
      body: `Hi ${pick(r, FIRST_NAMES)}, this is Brightside Dental: your ${pick(r, ['cleaning', 'check-up', 'filling', 'consultation'])} is on ${date(r)} at ${time(r)} with Dr. ${pick(r, DOCTORS)}. Reply C to confirm or call (415) 555-0100 to reschedule. Reply STOP to opt out.`,
      at,
    }));
    campaigns.push({ name: 'clinic reminders', kind: 'legitimate', how: 'messaging service, 5 numbers, sticky sender, personalised template', messages });
  }
  // 2. A family clinic on one long code: reminders and a flu-shot campaign with tracked links.
  {
    const number = phone('650555', 200);
    const t = tenant('oakwood-clinic', 'Oakwood Family Clinic', [number]);
    tenants.push(t);
    const reminders = times(r, start, 24 * HOUR, n(800)).map((at, i) => ({
      id: id('oakwood'),
      tenant: t.tenantId,
      campaign: 'reminders',
      from: number,
      to: phone('213', 1_000_000 + i),
      body: `Oakwood Family Clinic reminder: ${pick(r, FIRST_NAMES)}, you have an appointment ${date(r)} at ${time(r)}. Please arrive 10 minutes early. Reply STOP to opt out.`,
      at,
    }));
    const flu = times(r, start + 2 * HOUR, 3 * HOUR, n(600)).map((at, i) => ({
      id: id('oakwood'),
      tenant: t.tenantId,
      campaign: 'offers',
      from: number,
      to: phone('213', 2_000_000 + i),
      body: `Oakwood Family Clinic: flu shots are in! Book yours online at https://oakwood.example/flu?u=${code(r, 8)} or call us. Reply STOP to opt out.`,
      at,
    }));
    campaigns.push({ name: 'family clinic reminders', kind: 'legitimate', how: 'one long code, personalised template', messages: reminders });
    campaigns.push({ name: 'family clinic flu campaign', kind: 'legitimate', how: 'one long code, per-recipient tracked links, 3 hours', messages: flu });
  }
  // 3. A physiotherapy practice testing two wordings (A/B) from its two numbers.
  {
    const numbers = [phone('312555', 300), phone('312555', 301)];
    const t = tenant('lakeside-physio', 'Lakeside Physio', numbers);
    tenants.push(t);
    const messages = times(r, start + HOUR, 6 * HOUR, n(700)).map((at, i) => ({
      id: id('physio'),
      tenant: t.tenantId,
      campaign: 'offers',
      from: numbers[i % 2]!,
      to: phone('312', 1_000_000 + i),
      body:
        i % 2 === 0
          ? `Lakeside Physio: ${pick(r, FIRST_NAMES)}, our winter mobility classes start ${date(r)}. Members save 20% this month. Reply STOP to opt out.`
          : `Lakeside Physio: winter mobility classes begin ${date(r)}, ${pick(r, FIRST_NAMES)}! Save 20% as a member this month. Reply STOP to opt out.`,
      at,
    }));
    campaigns.push({ name: 'physio A/B offer', kind: 'legitimate', how: '2 long codes, two wordings of one offer', messages });
  }
  // 4. A dental chain with a large registered pool (20 numbers) and thresholds raised for it.
  {
    const ms = msSid(4);
    const t = tenant(
      'smile-chain',
      'Smile Chain Dental',
      Array.from({ length: 20 }, (_, i) => phone('702555', 400 + i)),
      {
        ms,
        snowshoe: { 'spread-hour': { distinctSenders: 25 }, 'spread-day': { distinctSenders: 25 }, 'fresh-numbers': 'off' },
      },
    );
    tenants.push(t);
    const messages = times(r, start, 24 * HOUR, n(1500)).map((at, i) => ({
      id: id('chain'),
      tenant: t.tenantId,
      campaign: 'reminders',
      messagingServiceSid: ms,
      to: phone('702', 1_000_000 + i),
      body: `Smile Chain Dental: ${pick(r, FIRST_NAMES)}, see you ${date(r)} at ${time(r)} at our ${pick(r, ['Downtown', 'Northside', 'Airport', 'Mall'])} office. Reply C to confirm. Reply STOP to opt out.`,
      at,
    }));
    campaigns.push({ name: 'dental chain reminders', kind: 'legitimate', how: 'messaging service, 20 numbers, tenant thresholds raised', messages });
  }
  // 5. Three more practices with their own one-number campaigns (different content each).
  ['Riverside Eye Care', 'Hillcrest Pediatrics', 'Maple Street Dermatology'].forEach((brand, k) => {
    const number = phone('718555', 500 + k);
    const t = tenant(brand.toLowerCase().replace(/[^a-z]+/g, '-'), brand, [number]);
    tenants.push(t);
    const bodies = [
      () => `${brand}: your new glasses are ready for pickup, ${pick(r, FIRST_NAMES)}. Open ${time(r)} to ${time(r)} weekdays. Reply STOP to opt out.`,
      () => `${brand}: ${pick(r, FIRST_NAMES)} is due for a well-child visit. Call us to book a time that suits your family. Reply STOP to opt out.`,
      () => `${brand}: skin check season! Book a full-body skin exam before ${date(r)} and get a free SPF sample. Reply STOP to opt out.`,
    ];
    const messages = times(r, start + k * HOUR, 10 * HOUR, n(300)).map((at, i) => ({
      id: id('practice'),
      tenant: t.tenantId,
      campaign: 'offers',
      from: number,
      to: phone('718', 1_000_000 + k * 10_000 + i),
      body: bodies[k]!(),
      at,
    }));
    campaigns.push({ name: `${brand} campaign`, kind: 'legitimate', how: 'one long code', messages });
  });

  // 6. Two clinics using the same reminder wording (as a scheduling product's default template
  // would give them), each with its own name and number: the cross-tenant rules see one content.
  {
    const clinics = ['Cedar Grove Dental', 'Bayview Dental Care'].map((brand, k) => {
      const number = phone('919555', 600 + k);
      const t = tenant(brand.toLowerCase().replace(/[^a-z]+/g, '-'), brand, [number]);
      tenants.push(t);
      return { t, number, brand };
    });
    const messages = times(r, start, 10 * HOUR, n(400)).map((at, i) => {
      const c = clinics[i % 2]!;
      return {
        id: id('shared'),
        tenant: c.t.tenantId,
        campaign: 'reminders',
        from: c.number,
        to: phone('919', 1_000_000 + i),
        body: `${c.brand}: Hi ${pick(r, FIRST_NAMES)}, this is a reminder of your appointment on ${date(r)} at ${time(r)}. Please reply C to confirm or R to reschedule. Reply STOP to opt out.`,
        at,
      };
    });
    campaigns.push({ name: 'shared template, two clinics', kind: 'legitimate', how: 'two tenants, one long code each, the same wording with their own names', messages });
  }

  // Snowshoeing. The content spins synonyms and clause order and disguises characters.
  const spam = [
    '{Hi|Hello|Hey} {name}, {claim|grab|get} your {free|complimentary|bonus} teeth whitening kit {worth|valued at} ${amount} {today|now|this week}. {Limited stock|Only a few left|Supplies are limited}, {tap|click|visit} {link} to {claim|redeem|get} it. Reply STOP to opt out.',
    '{Congrats|Congratulations|Good news} {name}! You {qualify|are eligible|have been selected} for {discounted|cheap|low-cost} dental implants {from|starting at} ${amount}. {Book|Reserve|Secure} your {spot|slot|consultation} {at|via} {link} {before|by} {date}. Reply STOP to opt out.',
    '{URGENT|Important|Notice}: {name}, your {insurance|dental plan|coverage} benefits {expire|run out|end} on {date}. {Use|Claim|Redeem} the remaining ${amount} {now|today} at {link} or {lose|forfeit} them. Reply STOP to opt out.',
    '{Exclusive|Special|VIP} {offer|deal|promo} for {name}: {invisible|clear} aligners {for just|at only} ${amount} a month, {no|zero} down payment. {Apply|Sign up|Get approved} in {minutes|seconds} at {link}. Reply STOP to opt out.',
    '{name}, {your smile|you} {deserve|deserves} {better|the best}! {Porcelain|Premium} veneers {now|today} {from|starting at} ${amount} per tooth, {financing|payment plans} available. {Details|More info|See options} {at|on} {link}. Reply STOP to opt out.',
    '{Reminder|Last call|Final notice}: {name}, your {reward|cashback|refund} of ${amount} {is waiting|is pending|awaits} {collection|your confirmation}. {Verify|Confirm} your {details|account} at {link} {within|in the next} 24 hours. Reply STOP to opt out.',
    '{Hey|Hi} {name}, {kids|children} brush better with our {smart|connected} {toothbrush|brush} {bundle|pack}: {buy one get one|2 for 1} {free|at no cost} {until|through} {date}. {Order|Shop} {at|via} {link}. Reply STOP to opt out.',
  ];
  const fill = (template: string, i: number) =>
    disguise(
      r,
      spin(r, template)
        .replace('{name}', pick(r, FIRST_NAMES))
        .replace('{amount}', String(50 + Math.floor(r() * 400)))
        .replace('{date}', date(r))
        .replace('{link}', `https://${pick(r, ['smile-deals', 'smile-deals', 'dent-offer'])}.example/${code(r)}${i}`),
      0.08,
    );

  let spamTenant = 0;
  const snowshoe = (
    name: string,
    how: string,
    options: {
      template: string;
      numbers: number;
      register: boolean;
      via?: 'ms';
      count: number;
      spanMs: number;
      startAt: number;
      rotation: 'random' | 'sequential';
      perNumber?: number;
      tenants?: number;
    },
  ) => {
    const tenantCount = options.tenants ?? 1;
    const pools: { t: TenantConfigEvent; numbers: string[]; ms?: string }[] = [];
    for (let k = 0; k < tenantCount; k++) {
      spamTenant++;
      const numbers = Array.from({ length: options.numbers }, (_, i) => phone('404', 100_000 * spamTenant + i));
      const ms = options.via === 'ms' ? msSid(1000 + spamTenant) : undefined;
      const brand = `Bright Smile Offers ${spamTenant}`;
      const t = tenant(`promo-${spamTenant}`, brand, options.register ? numbers : [phone('404', 100_000 * spamTenant + 99_999)], ms ? { ms } : {});
      tenants.push(t);
      pools.push({ t, numbers, ...(ms ? { ms } : {}) });
    }
    const messages = times(r, options.startAt, options.spanMs, options.count).map((at, i) => {
      const pool = pools[i % pools.length]!;
      const from = options.rotation === 'random' ? pick(r, pool.numbers) : pool.numbers[Math.floor(Math.floor(i / pools.length) / (options.perNumber ?? 20)) % pool.numbers.length]!;
      return {
        id: id('spam'),
        tenant: pool.t.tenantId,
        campaign: 'offers',
        ...(pool.ms ? { messagingServiceSid: pool.ms } : { from }),
        to: phone('646', 1_000_000 + spamTenant * 10_000 + i),
        body: fill(options.template, i),
        at,
      };
    });
    campaigns.push({ name, kind: 'snowshoe', how, messages });
  };
  snowshoe('fast random rotation', '40 registered numbers, random number per message, 500 in 10 minutes', {
    template: spam[0]!,
    numbers: 40,
    register: true,
    count: 500,
    spanMs: HOUR / 6,
    startAt: start + HOUR,
    rotation: 'random',
  });
  snowshoe('medium sequential rotation', '30 registered numbers, 20 messages each then the next, 600 in 6 hours', {
    template: spam[1]!,
    numbers: 30,
    register: true,
    count: 600,
    spanMs: 6 * HOUR,
    startAt: start + 2 * HOUR,
    rotation: 'sequential',
    perNumber: 20,
  });
  snowshoe('slow sequential rotation', '25 registered numbers, 20 messages each, 480 over 24 hours', {
    template: spam[2]!,
    numbers: 25,
    register: true,
    count: 480,
    spanMs: 24 * HOUR,
    startAt: start,
    rotation: 'sequential',
    perNumber: 20,
  });
  snowshoe('slow random rotation, small pool', '8 registered numbers, random, 300 over 24 hours', {
    template: spam[3]!,
    numbers: 8,
    register: true,
    count: 300,
    spanMs: 24 * HOUR,
    startAt: start + 3 * HOUR,
    rotation: 'random',
  });
  snowshoe('unregistered numbers', '30 numbers outside every registered pool, 300 in 1 hour', {
    template: spam[4]!,
    numbers: 30,
    register: false,
    count: 300,
    spanMs: HOUR,
    startAt: start + 5 * HOUR,
    rotation: 'random',
  });
  snowshoe('hidden in a messaging service', 'a messaging service with 50 numbers, 400 in 2 hours', {
    template: spam[5]!,
    numbers: 50,
    register: true,
    via: 'ms',
    count: 400,
    spanMs: 2 * HOUR,
    startAt: start + 6 * HOUR,
    rotation: 'random',
  });
  snowshoe('across tenants', '3 tenants with 3 numbers each, 450 in 3 hours', {
    template: spam[6]!,
    numbers: 3,
    register: true,
    count: 450,
    spanMs: 3 * HOUR,
    startAt: start + 8 * HOUR,
    rotation: 'random',
    tenants: 3,
  });

  const stream = campaigns.flatMap((c) => c.messages).sort((a, b) => (a.at as number) - (b.at as number));
  return { tenants, campaigns, stream };
}
