/**
 * Blind evaluation traffic for the snowshoeing detector.
 *
 * One simulated day on a healthcare SaaS platform: a few hundred clinics send the platform's
 * shared templates under their own brands from their own small pools of numbers (many of them
 * in a burst at 8:00 local), a few large tenants send a lot from bigger pools, and nine
 * snowshoeing operations try to hide among them. Written without looking at the detector's rules,
 * so the scenarios follow the policy text and the platform's business, not the implementation.
 *
 * Everything comes from the seed: the same (seed, scale, start) always yields the same traffic.
 */
import { TenantConfigEventSchema, type TenantConfigEvent } from '@sms/contracts';
import { seededRandom, type Random } from '@sms/util';
import type { CampaignSpec, Traffic } from './traffic.js';
import type { StreamMessage } from '../../src/detection/stream-detector.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const UPDATED_AT = '2026-11-01T00:00:00.000Z';

/* ------------------------------------------------------------------------------------------ */
/* randomness                                                                                  */
/* ------------------------------------------------------------------------------------------ */

const LOWER_ALNUM = 'abcdefghijkmnpqrstuvwxyz23456789';
const UPPER_ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const HEX = '0123456789abcdef';

class Dice {
  constructor(private readonly source: Random) {}

  next(): number {
    return this.source();
  }

  /** Integer in [lo, hi], both ends included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.source() * (hi - lo + 1));
  }

  real(lo: number, hi: number): number {
    return lo + this.source() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.source() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.source() * items.length)]!;
  }

  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let x = this.source() * total;
    for (const [value, w] of entries) {
      x -= w;
      if (x < 0) return value;
    }
    return entries[entries.length - 1]![0];
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.source();
    const v = this.source();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.source() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  chars(n: number, alphabet = LOWER_ALNUM): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.source() * alphabet.length)];
    return s;
  }

  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.source() * 10));
    return s;
  }

  /** A fresh, independent generator seeded from this one. */
  fork(): Dice {
    return new Dice(seededRandom(Math.floor(this.source() * 4294967296)));
  }
}

/* ------------------------------------------------------------------------------------------ */
/* numbers, service SIDs, ids                                                                 */
/* ------------------------------------------------------------------------------------------ */

const AREA_CODES = [
  '201',
  '205',
  '206',
  '210',
  '212',
  '214',
  '215',
  '216',
  '217',
  '219',
  '224',
  '240',
  '248',
  '251',
  '267',
  '281',
  '301',
  '303',
  '305',
  '312',
  '313',
  '314',
  '317',
  '319',
  '330',
  '336',
  '347',
  '352',
  '360',
  '404',
  '407',
  '412',
  '414',
  '415',
  '423',
  '425',
  '432',
  '469',
  '480',
  '502',
  '503',
  '504',
  '505',
  '512',
  '513',
  '518',
  '520',
  '540',
  '559',
  '571',
  '585',
  '602',
  '603',
  '608',
  '612',
  '614',
  '615',
  '617',
  '619',
  '651',
  '678',
  '702',
  '704',
  '713',
  '717',
  '720',
  '727',
  '732',
  '757',
  '763',
  '770',
  '773',
  '801',
  '803',
  '813',
  '816',
  '817',
  '832',
  '850',
  '860',
  '901',
  '904',
  '907',
  '910',
  '913',
  '915',
  '916',
  '918',
  '919',
  '928',
  '937',
  '949',
  '952',
  '970',
  '971',
  '980',
] as const;
const TOLL_FREE = ['800', '833', '844', '855', '866', '877', '888'] as const;

/** Hands out phone numbers, messaging service SIDs and message ids, never the same one twice. */
class Directory {
  private readonly numbers = new Set<string>();
  private readonly services = new Set<string>();
  private seq = 0;

  constructor(private readonly dice: Dice) {}

  phone(area?: string): string {
    for (;;) {
      const a = area ?? this.dice.pick(AREA_CODES);
      const exchange = this.dice.int(201, 989);
      if (exchange % 100 === 11) continue; // N11 codes are not real exchanges
      const n = `+1${a}${exchange}${this.dice.digits(4)}`;
      if (!this.numbers.has(n)) {
        this.numbers.add(n);
        return n;
      }
    }
  }

  tollFree(): string {
    return this.phone(this.dice.pick(TOLL_FREE));
  }

  serviceSid(): string {
    for (;;) {
      const sid = `MG${this.dice.chars(32, HEX)}`;
      if (!this.services.has(sid)) {
        this.services.add(sid);
        return sid;
      }
    }
  }

  messageId(): string {
    this.seq += 1;
    return `bl-${this.seq.toString().padStart(7, '0')}`;
  }
}

type PhoneStyle = 'paren' | 'dash' | 'dot' | 'one';

function formatPhone(e164: string, style: PhoneStyle): string {
  const d = e164.slice(2);
  const a = d.slice(0, 3);
  const e = d.slice(3, 6);
  const l = d.slice(6);
  switch (style) {
    case 'paren':
      return `(${a}) ${e}-${l}`;
    case 'dash':
      return `${a}-${e}-${l}`;
    case 'dot':
      return `${a}.${e}.${l}`;
    case 'one':
      return `1-${a}-${e}-${l}`;
  }
}

/* ------------------------------------------------------------------------------------------ */
/* names, dates, times                                                                        */
/* ------------------------------------------------------------------------------------------ */

const FIRST_EN = [
  'Avery',
  'Brooke',
  'Caleb',
  'Dana',
  'Elliot',
  'Fiona',
  'Grant',
  'Hazel',
  'Isaac',
  'Jenna',
  'Kendall',
  'Logan',
  'Morgan',
  'Nolan',
  'Olivia',
  'Parker',
  'Quinn',
  'Reid',
  'Sadie',
  'Tessa',
  'Usha',
  'Vince',
  'Wren',
  'Xavier',
  'Yvonne',
  'Zach',
  'Abigail',
  'Brandon',
  'Claire',
  'Derek',
  'Eleanor',
  'Felix',
  'Gwen',
  'Harold',
  'Ivy',
  'Jerome',
  'Kiara',
  'Landon',
  'Maya',
  'Nathan',
  'Opal',
  'Preston',
  'Rosa',
  'Simone',
  'Trevor',
  'Uma',
  'Violet',
  'Wesley',
  'Aaliyah',
  'Bennett',
  'Cora',
  'Dmitri',
  'Esther',
  'Franklin',
  'Gloria',
  'Hank',
  'Imani',
  'Jasper',
  'Keisha',
  'Lionel',
  'Marjorie',
  'Nadia',
  'Oscar',
  'Priya',
  'Ruth',
  'Stanley',
  'Tamika',
  'Vernon',
  'Whitney',
  'Yusuf',
  'Anika',
  'Beau',
  'Colette',
  'Desmond',
  'Erin',
  'Frances',
  'Gideon',
  'Hope',
  'Ingrid',
  'June',
  'Kofi',
  'Lena',
  'Miles',
  'Noor',
  'Otis',
  'Penny',
  'Rhett',
  'Sienna',
  'Tobias',
  'Vera',
  'Wade',
  'Zoe',
  'Arjun',
  'Mei',
  'Hiro',
] as const;
const FIRST_ES = [
  'Alejandro',
  'Beatriz',
  'Carmen',
  'Diego',
  'Esperanza',
  'Fernando',
  'Guadalupe',
  'Héctor',
  'Inés',
  'Javier',
  'Lourdes',
  'Marisol',
  'Nicolás',
  'Octavio',
  'Paloma',
  'Ramón',
  'Soledad',
  'Teresa',
  'Ulises',
  'Valeria',
  'Ximena',
  'Yolanda',
  'Zulema',
  'Adriana',
  'Bernardo',
  'Consuelo',
  'Dolores',
  'Emilio',
  'Francisca',
  'Graciela',
  'Ignacio',
  'Jimena',
  'Leticia',
  'Mateo',
  'Norma',
  'Pilar',
  'Rafael',
  'Sofía',
  'Tomás',
  'Vicente',
  'Araceli',
  'Camila',
  'Joaquín',
  'Luz',
  'Maricela',
  'Rogelio',
  'Salvador',
  'Yesenia',
  'Elena',
  'Julio',
] as const;
const SURNAMES = [
  'Alvarez',
  'Brennan',
  'Chowdhury',
  'Delgado',
  'Eriksen',
  'Fitzgerald',
  'Goldberg',
  'Hashemi',
  'Iwasaki',
  'Jablonski',
  'Kowalczyk',
  'Lindqvist',
  'Mbeki',
  'Nakamura',
  'Okafor',
  'Patel',
  'Quintero',
  'Rasmussen',
  'Sato',
  'Thibodeaux',
  'Underwood',
  'Varga',
  'Whitfield',
  'Xu',
  'Yilmaz',
  'Zapata',
  'Abernathy',
  'Bianchi',
  'Castellanos',
  'Dubois',
  'Eastman',
  'Farouk',
  'Gallagher',
  'Holloway',
  'Ibarra',
  'Jorgensen',
  'Kapoor',
  'Lachance',
  'Moreau',
  'Nwosu',
  'Ostrowski',
  'Pruitt',
  'Ramanathan',
  'Sorensen',
  'Takahashi',
  'Ueda',
  'Valdez',
  'Wojcik',
  'Yoon',
  'Adeyemi',
  'Brandt',
  'Cardenas',
  'Donnelly',
  'Esposito',
  'Fairbanks',
  'Greer',
  'Hoang',
  'Ivanova',
  'Kessler',
  'Lund',
  'Marchetti',
  'Novak',
  'Oyelaran',
  'Pham',
  'Reinholt',
  'Sandoval',
  'Tran',
  'Vasquez',
  'Winslow',
] as const;
const PLACES = [
  'Cedar Ridge',
  'Harbor Point',
  'Willow Creek',
  'Summit',
  'Lakeshore',
  'Pine Hollow',
  'Riverside',
  'Oak Park',
  'Bayview',
  'Stonebridge',
  'Maple Grove',
  'Highland',
  'Fox Run',
  'Silver Lake',
  'Prairie View',
  'Brookside',
  'Eastgate',
  'Westfield',
  'North Shore',
  'Copper Canyon',
  'Magnolia',
  'Juniper',
  'Aspen Hills',
  'Sequoia',
  'Hillcrest',
  'Meadowbrook',
  'Sunrise',
  'Crescent',
  'Redwood',
  'Blue Heron',
  'Cypress Bend',
  'Laurel Park',
  'Heritage',
  'Canal Street',
  'Union Square',
  'Old Town',
  'Mill Creek',
  'Sandpiper',
  'Beacon Hill',
  'Tamarack',
  'Kingsley',
  'Alder Springs',
  'Bluebonnet',
  'Gateway',
  'Evergreen',
  'Falcon Ridge',
  'Cobblestone',
  'Golden Valley',
  'Hawthorne',
  'Ironwood',
  'Lantern Hill',
  'Mesa Verde',
  'Northgate',
  'Orchard Lane',
  'Parkside',
  'Quail Hollow',
  'Ridgeline',
  'Saddleback',
  'Timberline',
  'Windmill Point',
  'Clearwater',
  'Driftwood',
  'Elm Street',
  'Foxglove',
  'Granite Falls',
  'Hidden Valley',
  'Indigo Bay',
  'Kettle River',
  'Lone Pine',
  'Morningside',
  'Pebble Beach',
  'Rolling Hills',
  'Shady Grove',
  'Thornbury',
  'Wildflower',
  'Bramblewood',
] as const;

interface ClinicKind {
  labels: readonly string[];
  /** What a recall is for: "your last cleaning". */
  recallFor: string;
  recallMonths: readonly number[];
  /** How likely the clinic posts lab or imaging results. */
  labs: number;
  weight: number;
}

const CLINIC_KINDS: readonly ClinicKind[] = [
  { labels: ['Family Medicine', 'Family Practice', 'Primary Care'], recallFor: 'annual physical', recallMonths: [12, 13, 14], labs: 0.9, weight: 14 },
  { labels: ['Pediatrics', 'Kids Clinic', 'Children’s Health'], recallFor: 'well-child visit', recallMonths: [6, 12], labs: 0.4, weight: 9 },
  { labels: ['Family Dentistry', 'Dental Care', 'Dental Studio', 'Smile Center'], recallFor: 'cleaning', recallMonths: [6, 7, 8], labs: 0.05, weight: 14 },
  { labels: ['Orthodontics', 'Braces & Aligners'], recallFor: 'adjustment', recallMonths: [2, 3], labs: 0, weight: 4 },
  { labels: ['Dermatology', 'Skin Clinic'], recallFor: 'skin check', recallMonths: [6, 12], labs: 0.6, weight: 6 },
  { labels: ['Physical Therapy', 'Rehab & Sports PT'], recallFor: 'progress check', recallMonths: [3, 4], labs: 0, weight: 7 },
  { labels: ['Eye Care', 'Optometry', 'Vision Center'], recallFor: 'eye exam', recallMonths: [12, 24], labs: 0.1, weight: 7 },
  { labels: ['Chiropractic', 'Spine & Wellness'], recallFor: 'adjustment', recallMonths: [1, 2], labs: 0, weight: 4 },
  { labels: ['Women’s Health', 'OB/GYN Associates'], recallFor: 'well-woman exam', recallMonths: [12], labs: 0.9, weight: 6 },
  { labels: ['Cardiology', 'Heart & Vascular'], recallFor: 'cardiology follow-up', recallMonths: [6, 12], labs: 0.8, weight: 4 },
  { labels: ['Podiatry', 'Foot & Ankle'], recallFor: 'foot exam', recallMonths: [6, 12], labs: 0.2, weight: 3 },
  { labels: ['ENT', 'Ear, Nose & Throat'], recallFor: 'follow-up', recallMonths: [6, 12], labs: 0.4, weight: 3 },
  { labels: ['Allergy & Asthma'], recallFor: 'allergy review', recallMonths: [6, 12], labs: 0.7, weight: 3 },
  { labels: ['Behavioral Health', 'Counseling Center'], recallFor: 'check-in session', recallMonths: [3, 6], labs: 0, weight: 5 },
  { labels: ['Hearing Center', 'Audiology'], recallFor: 'hearing test', recallMonths: [12], labs: 0, weight: 2 },
  { labels: ['Sports Medicine', 'Orthopedics'], recallFor: 'follow-up', recallMonths: [3, 6], labs: 0.5, weight: 4 },
  { labels: ['Internal Medicine'], recallFor: 'annual exam', recallMonths: [12], labs: 0.9, weight: 5 },
  { labels: ['Endocrinology', 'Diabetes Care'], recallFor: 'A1C check', recallMonths: [3, 6], labs: 1, weight: 3 },
  { labels: ['Gastroenterology', 'Digestive Health'], recallFor: 'follow-up', recallMonths: [12, 36], labs: 0.8, weight: 2 },
  { labels: ['Sleep Medicine', 'Sleep Center'], recallFor: 'sleep follow-up', recallMonths: [6, 12], labs: 0.5, weight: 2 },
  { labels: ['Veterinary Hospital', 'Animal Clinic'], recallFor: 'wellness exam and vaccines', recallMonths: [12], labs: 0.6, weight: 4 },
];

const WD_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const WD_EN_LONG = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const MON_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const MON_EN_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;
const WD_ES = ['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado'] as const;
const MON_ES = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'] as const;

type DateStyle = 'short' | 'long' | 'numeric';

/** The calendar day `days` after `start` (the start's UTC date is the local date at 8:00 in US zones). */
function dayText(start: number, days: number, style: DateStyle): string {
  const d = new Date(start + days * DAY);
  const wd = d.getUTCDay();
  const m = d.getUTCMonth();
  const dd = d.getUTCDate();
  if (style === 'short') return `${WD_EN[wd]} ${MON_EN[m]} ${dd}`;
  if (style === 'long') return `${WD_EN_LONG[wd]}, ${MON_EN_LONG[m]} ${dd}`;
  return `${m + 1}/${dd}`;
}

function dayTextEs(start: number, days: number): string {
  const d = new Date(start + days * DAY);
  return `${WD_ES[d.getUTCDay()]} ${d.getUTCDate()} de ${MON_ES[d.getUTCMonth()]}`;
}

/** "9:40 AM" from minutes after midnight. */
function clockText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${h12}:${String(m).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
}

function clockTextEs(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${h12}:${String(m).padStart(2, '0')} ${h < 12 ? 'a. m.' : 'p. m.'}`;
}

function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function money(amount: number): string {
  return amount.toFixed(2);
}

/* ------------------------------------------------------------------------------------------ */
/* time shapes                                                                                */
/* ------------------------------------------------------------------------------------------ */

/** `n` sends drained from a queue over `window` starting at `at`: evenly paced with jitter. */
function burstTimes(d: Dice, n: number, at: number, window: number): number[] {
  const step = window / Math.max(1, n);
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(Math.round(at + (i + d.real(0, 0.9)) * step));
  return times;
}

/** `n` sends spread uniformly over [from, to), sorted. */
function spreadTimes(d: Dice, n: number, from: number, to: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(Math.round(d.real(from, to)));
  return times.sort((a, b) => a - b);
}

/** `n` sends over the working day with a mid-morning and an early-afternoon hump. */
function officeDayTimes(d: Dice, n: number, local8: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = d.next();
    let t: number;
    if (r < 0.35) t = local8 + 1.5 * HOUR + d.normal() * 0.8 * HOUR;
    else if (r < 0.6) t = local8 + 5.5 * HOUR + d.normal() * HOUR;
    else t = local8 + d.real(0, 10 * HOUR);
    times.push(Math.round(Math.min(Math.max(t, local8), local8 + 11 * HOUR)));
  }
  return times.sort((a, b) => a - b);
}

/* ------------------------------------------------------------------------------------------ */
/* the platform's shared templates                                                            */
/* ------------------------------------------------------------------------------------------ */

interface ReminderFields {
  brand: string;
  name: string;
  day: string;
  time: string;
  provider: string;
  phone: string;
}

const PLATFORM = {
  reminderEn: (f: ReminderFields): string =>
    `${f.brand}: ${f.name}, you're on the schedule for ${f.day} at ${f.time}${f.provider ? ` with ${f.provider}` : ''}. ` +
    `Please bring your insurance card and a list of current medications. Reply C to confirm, R to reschedule, or call ${f.phone}. Reply STOP to opt out.`,

  reminderEs: (f: ReminderFields): string =>
    `${f.brand}: Hola ${f.name}, le esperamos el ${f.day} a las ${f.time}${f.provider ? ` con ${f.provider}` : ''}. ` +
    `Traiga su tarjeta del seguro. Responda C para confirmar o R para cambiar la cita, o llame al ${f.phone}. Responda STOP para no recibir más mensajes.`,

  /** `contact` is the clinic's call-back number. */
  results: (f: { brand: string; name: string; visit: string; code: string; contact: string }): string =>
    `${f.brand}: ${f.name}, results from your ${f.visit} visit are now in your patient portal. ` +
    `Sign in at https://portal.carehub.example/r/${f.code} to view them. Questions? ${f.contact}. Reply STOP to opt out.`,

  receipt: (f: { brand: string; name: string; amount: string; date: string; receipt: string; token: string; phone: string }): string =>
    `${f.brand}: Thank you, ${f.name}. We received your payment of $${f.amount} on ${f.date} (receipt ${f.receipt}). ` +
    `Details: https://pay.carehub.example/rc/${f.token} Billing questions: ${f.phone}.`,

  recall: (f: { brand: string; name: string; months: number; what: string; slug: string; phone: string }): string =>
    `${f.name}, ${f.brand} here. It has been ${f.months} months since your last ${f.what}, so you are due for a checkup. ` +
    `Pick a time at https://portal.carehub.example/book/${f.slug} or call us at ${f.phone}. Reply STOP to opt out.`,

  forms: (f: { brand: string; name: string; day: string; code: string; phone: string }): string =>
    `${f.brand}: ${f.name}, save time on ${f.day} by finishing your check-in forms before you arrive: ` +
    `https://portal.carehub.example/f/${f.code} (about 5 minutes). Trouble with the link? ${f.phone}`,
};

/* ------------------------------------------------------------------------------------------ */
/* spam disguises                                                                             */
/* ------------------------------------------------------------------------------------------ */

/** Latin letters and the Cyrillic letters that look like them. */
const LOOKALIKE: Record<string, string> = {
  a: '\u0430',
  c: '\u0441',
  e: '\u0435',
  i: '\u0456',
  o: '\u043e',
  p: '\u0440',
  x: '\u0445',
  y: '\u0443',
  A: '\u0410',
  B: '\u0412',
  C: '\u0421',
  E: '\u0415',
  H: '\u041d',
  K: '\u041a',
  M: '\u041c',
  O: '\u041e',
  P: '\u0420',
  T: '\u0422',
  X: '\u0425',
};

function alternateCase(word: string): string {
  return [...word].map((ch, i) => (i % 2 === 0 ? ch.toUpperCase() : ch.toLowerCase())).join('');
}

/**
 * Roughens a spam text the way filter-dodgers do: look-alike letters, SHOUTED or aLtErNaTiNg words,
 * s p a c e d  out words, double spaces and the odd zero-width space. Links, numbers and the
 * opt-out keyword stay usable.
 */
function disguise(d: Dice, text: string, strength: number): string {
  const words = text.split(' ');
  const out = words.map((w) => {
    if (/:\/\/|\.example|\d|STOP/.test(w)) return w;
    let s = w;
    const r = d.next();
    if (r < strength * 0.12) s = s.toUpperCase();
    else if (r < strength * 0.18) s = alternateCase(s);
    if (d.chance(strength * 0.5)) s = [...s].map((ch) => (LOOKALIKE[ch] !== undefined && d.chance(0.6) ? LOOKALIKE[ch] : ch)).join('');
    if (s.length >= 4 && s.length <= 6 && /^[A-Za-z\u0400-\u04ff]+$/.test(s) && d.chance(strength * 0.06)) s = [...s].join(' ');
    return s;
  });
  let result = out[0] ?? '';
  for (let i = 1; i < out.length; i++) {
    const r = d.next();
    const gap = r < strength * 0.1 ? '  ' : r < strength * 0.14 ? ' \u200b' : r < strength * 0.16 ? '   ' : ' ';
    result += gap + out[i];
  }
  return result;
}

/* ------------------------------------------------------------------------------------------ */
/* tenants                                                                                    */
/* ------------------------------------------------------------------------------------------ */

interface SenderDef {
  number: string;
  brand: string;
  messagingServiceSid?: string;
}

interface TenantDef {
  tenantId: string;
  name: string;
  brands: string[];
  campaigns: { id: string; brand: string; useCase: 'informational' | 'marketing' }[];
  senders: SenderDef[];
  services: { sid: string; name: string }[];
}

function tenantConfig(t: TenantDef): TenantConfigEvent {
  return TenantConfigEventSchema.parse({
    tenantId: t.tenantId,
    name: t.name,
    status: 'active',
    apiKeyHashes: [],
    brands: t.brands.map((name) => ({ name })),
    campaigns: t.campaigns,
    senders: t.senders.map((s) => ({
      number: s.number,
      type: 'long_code',
      brand: s.brand,
      ...(s.messagingServiceSid !== undefined ? { messagingServiceSid: s.messagingServiceSid } : {}),
    })),
    messagingServices: t.services,
    settings: {},
    updatedAt: UPDATED_AT,
  });
}

/** Builds messages with fresh ids; one per tenant-campaign pair it is asked for. */
class Outbox {
  constructor(private readonly dir: Directory) {}

  make(m: { tenant: string; campaign: string; brand: string; at: number; to: string; body: string; from?: string; service?: string }): StreamMessage {
    const msg: StreamMessage = {
      id: this.dir.messageId(),
      tenant: m.tenant,
      campaign: m.campaign,
      to: m.to,
      body: m.body,
      at: Math.round(m.at),
      brand: m.brand,
    };
    if (m.service !== undefined) msg.messagingServiceSid = m.service;
    else if (m.from !== undefined) msg.from = m.from;
    return msg;
  }
}

function byTime(a: StreamMessage, b: StreamMessage): number {
  return Number(a.at) - Number(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/* ------------------------------------------------------------------------------------------ */
/* legitimate clinics                                                                         */
/* ------------------------------------------------------------------------------------------ */

interface Patient {
  to: string;
  name: string;
  lang: 'en' | 'es';
  /** The pool number this patient always hears from (sticky); absent when the clinic sends via its service. */
  from?: string;
}

interface Clinic {
  tenantId: string;
  brand: string;
  kind: ClinicKind;
  area: string;
  phone: string;
  providers: string[];
  pool: string[];
  service?: string;
  /** Hours after the start at which the clinic's local 8:00 falls. */
  tz: number;
  esShare: number;
  dateStyle: DateStyle;
}

interface Ctx {
  d: Dice;
  dir: Directory;
  out: Outbox;
  start: number;
  tenants: TenantConfigEvent[];
  campaigns: CampaignSpec[];
}

function newPatient(ctx: Ctx, clinic: Clinic, forceLang?: 'en' | 'es'): Patient {
  const { d, dir } = ctx;
  const lang = forceLang ?? (d.chance(clinic.esShare) ? 'es' : 'en');
  const name = lang === 'es' || d.chance(0.12) ? d.pick(FIRST_ES) : d.pick(FIRST_EN);
  const p: Patient = { to: dir.phone(d.chance(0.8) ? clinic.area : undefined), name, lang };
  if (clinic.service === undefined) p.from = d.pick(clinic.pool);
  return p;
}

function sendAs(clinic: Clinic, p: Patient): { from?: string; service?: string } {
  return clinic.service !== undefined ? { service: clinic.service } : { from: p.from! };
}

function pickBrand(d: Dice, taken: Set<string>): { brand: string; kind: ClinicKind } {
  for (;;) {
    const kind = d.weighted(CLINIC_KINDS.map((k) => [k, k.weight] as const));
    const label = d.pick(kind.labels);
    const pattern = d.int(0, 9);
    let brand: string;
    if (pattern <= 4) brand = `${d.pick(PLACES)} ${label}`;
    else if (pattern <= 6) brand = `${d.pick(SURNAMES)} ${label}`;
    else if (pattern === 7) {
      const a = d.pick(SURNAMES);
      let b = d.pick(SURNAMES);
      while (b === a) b = d.pick(SURNAMES);
      brand = `${a} & ${b} ${label}`;
    } else brand = `${d.pick(PLACES)} ${label} ${d.pick(['Associates', 'Group', 'Partners', 'of the Valley', 'Collective'])}`;
    if (!taken.has(brand)) {
      taken.add(brand);
      return { brand, kind };
    }
  }
}

function makeClinic(ctx: Ctx, tenantId: string, brand: string, kind: ClinicKind, opts: { poolSize?: number; service?: boolean; tz?: number } = {}): { clinic: Clinic; def: TenantDef } {
  const { d, dir } = ctx;
  const area = d.pick(AREA_CODES);
  const poolSize =
    opts.poolSize ??
    d.weighted([
      [1, 25],
      [2, 30],
      [3, 22],
      [4, 13],
      [5, 10],
    ] as const);
  const useService = opts.service ?? d.chance(1 / 3);
  const service = useService ? dir.serviceSid() : undefined;
  const pool = Array.from({ length: poolSize }, () => dir.phone(d.chance(0.85) ? area : undefined));
  const providers = d.chance(0.7) ? Array.from({ length: d.int(1, 6) }, () => `Dr. ${d.pick(SURNAMES)}`) : [];
  const esRoll = d.next();
  const esShare = esRoll < 0.55 ? d.real(0, 0.05) : esRoll < 0.9 ? d.real(0.1, 0.35) : d.real(0.5, 0.8);
  const clinic: Clinic = {
    tenantId,
    brand,
    kind,
    area,
    phone: formatPhone(dir.phone(area), d.pick(['paren', 'paren', 'dash', 'dot'] as const)),
    providers,
    pool,
    tz:
      opts.tz ??
      d.weighted([
        [0, 55],
        [1, 25],
        [2, 7],
        [3, 13],
      ] as const),
    esShare,
    dateStyle: d.pick(['short', 'short', 'long', 'numeric'] as const),
    ...(service !== undefined ? { service } : {}),
  };
  const def: TenantDef = {
    tenantId,
    name: d.chance(0.4) ? `${brand} ${d.pick(['LLC', 'PLLC', 'PC', 'PA'])}` : brand,
    brands: [brand],
    campaigns: [],
    senders: pool.map((number) => ({ number, brand, ...(service !== undefined ? { messagingServiceSid: service } : {}) })),
    services: service !== undefined ? [{ sid: service, name: `${brand} patient messages` }] : [],
  };
  return { clinic, def };
}

function reminderBody(ctx: Ctx, clinic: Clinic, p: Patient): string {
  const { d, start } = ctx;
  const days = d.weighted([
    [1, 55],
    [2, 30],
    [3, 10],
    [7, 5],
  ] as const);
  const minutes = 7 * 60 + 20 * d.int(2, 30); // 7:40 .. 17:00
  const provider = clinic.providers.length > 0 && d.chance(0.85) ? d.pick(clinic.providers) : '';
  if (p.lang === 'es') {
    return PLATFORM.reminderEs({ brand: clinic.brand, name: p.name, day: dayTextEs(start, days), time: clockTextEs(minutes), provider, phone: clinic.phone });
  }
  return PLATFORM.reminderEn({ brand: clinic.brand, name: p.name, day: dayText(start, days, clinic.dateStyle), time: clockText(minutes), provider, phone: clinic.phone });
}

/** One ordinary clinic's day: platform templates only, its own brand, numbers and patients. */
function ordinaryClinic(ctx: Ctx, index: number, brand: string, kind: ClinicKind): void {
  const { d, start, out } = ctx;
  const tenantId = `bl-clinic-${String(index).padStart(3, '0')}`;
  const { clinic, def } = makeClinic(ctx, tenantId, brand, kind);
  const local8 = start + clinic.tz * HOUR;

  const volume = Math.round(Math.min(1500, Math.max(60, Math.exp(5.7 + 0.6 * d.normal()))));
  const hasForms = d.chance(0.35);
  const hasResults = d.chance(kind.labs);
  const hasReceipts = d.chance(0.8);
  const hasRecalls = d.chance(0.6);
  const shares: [string, number][] = [['reminders', d.real(0.5, 0.7)]];
  if (hasForms) shares.push(['forms', d.real(0.06, 0.14)]);
  if (hasResults) shares.push(['results', d.real(0.06, 0.14)]);
  if (hasReceipts) shares.push(['receipts', d.real(0.1, 0.2)]);
  if (hasRecalls) shares.push(['recalls', d.real(0.05, 0.12)]);
  const total = shares.reduce((s, [, w]) => s + w, 0);
  const counts = new Map<string, number>();
  let assigned = 0;
  for (const [id, w] of shares.slice(1)) {
    const n = Math.round((volume * w) / total);
    counts.set(id, n);
    assigned += n;
  }
  counts.set('reminders', Math.max(1, volume - assigned));
  def.campaigns = shares.map(([id]) => ({ id, brand, useCase: 'informational' as const }));

  const profile = d.weighted([
    ['burst', 50],
    ['spread', 35],
    ['double', 15],
  ] as const);
  const batchAt = local8 + d.int(0, 4) * MINUTE + d.int(0, 59) * 1000;
  const batchWindow = d.int(10, 20) * MINUTE;
  const secondBatchAt = local8 + 4.5 * HOUR + d.int(0, 40) * MINUTE;

  const messages: StreamMessage[] = [];
  const seen: Patient[] = [];
  const emit = (campaign: string, at: number, p: Patient, body: string): void => {
    messages.push(out.make({ tenant: tenantId, campaign, brand, at, to: p.to, body, ...sendAs(clinic, p) }));
  };

  // The morning work: reminders, check-in forms and recalls, as a queue drained at 8:00 or through the day.
  const morningKinds = ['reminders', 'forms', 'recalls'].filter((k) => (counts.get(k) ?? 0) > 0);
  const morningTotal = morningKinds.reduce((s, k) => s + counts.get(k)!, 0);
  let morningTimes: number[];
  if (profile === 'burst') morningTimes = burstTimes(d, morningTotal, batchAt, batchWindow);
  else if (profile === 'spread') morningTimes = officeDayTimes(d, morningTotal, local8);
  else {
    const first = Math.ceil(morningTotal / 2);
    morningTimes = [...burstTimes(d, first, batchAt, batchWindow), ...burstTimes(d, morningTotal - first, secondBatchAt, d.int(10, 20) * MINUTE)];
  }
  // Interleave the morning kinds the way a scheduler walks its appointment book.
  const morningQueue: string[] = [];
  for (const k of morningKinds) for (let i = 0; i < counts.get(k)!; i++) morningQueue.push(k);
  d.shuffle(morningQueue);
  morningQueue.forEach((k, i) => {
    const at = morningTimes[i]!;
    const p = newPatient(ctx, clinic);
    if (k === 'reminders') {
      emit('reminders', at, p, reminderBody(ctx, clinic, p));
      seen.push(p);
    } else if (k === 'forms') {
      const days = d.int(1, 3);
      emit('forms', at, p, PLATFORM.forms({ brand, name: p.name, day: dayText(start, days, clinic.dateStyle), code: d.chars(8), phone: clinic.phone }));
    } else {
      const months = d.pick(kind.recallMonths);
      emit('recalls', at, p, PLATFORM.recall({ brand, name: p.name, months, what: kind.recallFor, slug: `${slug(brand)}?t=${d.chars(6)}`, phone: clinic.phone }));
    }
  });

  // Results arrive in a few lab-interface syncs; about a third go to patients seen today.
  const nResults = counts.get('results') ?? 0;
  if (nResults > 0) {
    const syncs = Array.from({ length: d.int(2, 5) }, () => local8 + d.real(0.5, 10) * HOUR);
    for (let i = 0; i < nResults; i++) {
      const at = d.pick(syncs) + d.real(0, 6) * MINUTE;
      const p = seen.length > 0 && d.chance(0.3) ? d.pick(seen) : newPatient(ctx, clinic);
      const visit = dayText(start, -d.int(2, 12), clinic.dateStyle);
      emit('results', at, p, PLATFORM.results({ brand, name: p.name, visit, code: d.chars(10), contact: clinic.phone }));
    }
  }

  // Receipts follow payments at the front desk and online; half to patients reminded today.
  const nReceipts = counts.get('receipts') ?? 0;
  const receiptTimes = officeDayTimes(d, nReceipts, local8 + 30 * MINUTE);
  for (let i = 0; i < nReceipts; i++) {
    const p = seen.length > 0 && d.chance(0.5) ? d.pick(seen) : newPatient(ctx, clinic);
    const amount = d.chance(0.6) ? d.pick([10, 15, 20, 25, 30, 35, 40, 50, 60, 75]) : d.real(18, 480);
    emit(
      'receipts',
      receiptTimes[i]!,
      p,
      PLATFORM.receipt({
        brand,
        name: p.name,
        amount: money(amount),
        date: dayText(start, 0, 'numeric'),
        receipt: `R-${d.digits(7)}`,
        token: d.chars(12),
        phone: clinic.phone,
      }),
    );
  }

  messages.sort(byTime);
  ctx.tenants.push(tenantConfig(def));
  ctx.campaigns.push({
    name: `clinic ${tenantId} (${brand})`,
    kind: 'legitimate',
    how:
      `${brand}: platform templates (${shares.map(([id]) => id).join(', ')}) to ${messages.length} patients of its own from ` +
      `${clinic.pool.length} registered number(s)${clinic.service !== undefined ? ' behind a sticky messaging service' : ', sticky per patient'}, ` +
      `${profile === 'burst' ? 'morning batch at 8:00 local' : profile === 'spread' ? 'spread over the day' : 'batches at 8:00 and midday local'}`,
    messages,
  });
}

/** Health system: 12 numbers, 4,000 reminders in three hours, every patient kept on one number. */
function healthSystem(ctx: Ctx, scale: number): void {
  const { d, start, out } = ctx;
  const brand = 'Granite Valley Health';
  const kind = CLINIC_KINDS[0]!;
  const { clinic, def } = makeClinic(ctx, 'bl-granite-valley-health', brand, kind, { poolSize: 12, service: false, tz: 0 });
  clinic.providers = Array.from({ length: 60 }, () => `Dr. ${d.pick(SURNAMES)}`);
  clinic.esShare = 0.18;
  def.name = 'Granite Valley Health System';
  def.campaigns = [{ id: 'reminders', brand, useCase: 'informational' }];
  const n = Math.round(4000 * scale);
  const times = spreadTimes(d, n, start, start + 3 * HOUR);
  const messages = times.map((at) => {
    const p = newPatient(ctx, clinic);
    return out.make({ tenant: def.tenantId, campaign: 'reminders', brand, at, to: p.to, body: reminderBody(ctx, clinic, p), from: p.from! });
  });
  ctx.tenants.push(tenantConfig(def));
  ctx.campaigns.push({
    name: 'health system reminders',
    kind: 'legitimate',
    how: `${brand}: ${n} platform reminders (EN/ES) over 3 hours from a 12-number registered pool, each patient sticky to one number`,
    messages,
  });
}

/** Telehealth: 1,500 video-visit links on its own domain through the day, via an 8-number messaging service. */
function telehealth(ctx: Ctx, scale: number): void {
  const { d, dir, start, out } = ctx;
  const brand = 'Lumen Telehealth';
  const tenantId = 'bl-lumen-telehealth';
  const sid = dir.serviceSid();
  const numbers = Array.from({ length: 8 }, () => dir.phone());
  const clinicians = Array.from({ length: 40 }, () => `${d.chance(0.6) ? 'Dr.' : d.pick(['NP', 'PA'])} ${d.pick(SURNAMES)}`);
  const def: TenantDef = {
    tenantId,
    name: 'Lumen Telehealth Inc.',
    brands: [brand],
    campaigns: [{ id: 'visit-links', brand, useCase: 'informational' }],
    senders: numbers.map((number) => ({ number, brand, messagingServiceSid: sid })),
    services: [{ sid, name: 'Lumen visit notifications' }],
  };
  const n = Math.round(1500 * scale);
  const messages: StreamMessage[] = [];
  for (let i = 0; i < n; i++) {
    // Visits run 9:15-21:00 Eastern; the link goes out 15 or 60 minutes before.
    const visitMin = 9 * 60 + 15 + 5 * d.int(0, 141); // 9:15 .. 21:00
    const lead = d.chance(0.7) ? 15 : 60;
    const at = start + (visitMin - 8 * 60 - lead) * MINUTE + d.int(0, 50) * 1000;
    const name = d.chance(0.15) ? d.pick(FIRST_ES) : d.pick(FIRST_EN);
    const link = `https://visit.lumentelehealth.example/j/${d.chars(4, UPPER_ALNUM)}-${d.chars(4, UPPER_ALNUM)}`;
    const who = d.pick(clinicians);
    const body =
      lead === 15
        ? `${brand}: ${name}, ${who} is ready for you in 15 minutes (${clockText(visitMin)} ET). Join from this phone: ${link} - camera and mic on, good light helps. STOP to opt out.`
        : `${brand}: ${name}, your video visit with ${who} is at ${clockText(visitMin)} ET today. Your private room: ${link} (opens 10 min early). Reply STOP to opt out.`;
    messages.push(out.make({ tenant: tenantId, campaign: 'visit-links', brand, at, to: dir.phone(), body, service: sid }));
  }
  messages.sort(byTime);
  ctx.tenants.push(tenantConfig(def));
  ctx.campaigns.push({
    name: 'telehealth visit links',
    kind: 'legitimate',
    how: `${brand}: ${n} video-visit links on its own domain, 8:15-21:00, through an 8-number sticky messaging service`,
    messages,
  });
}

/** Pharmacy chain: 2,000 "prescription ready" notices in the afternoon from a 6-number pool, sticky per patient. */
function pharmacyChain(ctx: Ctx, scale: number): void {
  const { d, dir, start, out } = ctx;
  const brand = 'Hollis & Rowe Pharmacy';
  const tenantId = 'bl-hollis-rowe-pharmacy';
  const pool = Array.from({ length: 6 }, () => dir.phone('614'));
  const streets = ['Main St', 'Broad St', 'High St', 'Cleveland Ave', 'Morse Rd', 'Sawmill Rd', 'Hamilton Rd', 'Lane Ave', 'Parsons Ave', 'Riverside Dr', 'Powell Rd', 'Stelzer Rd'];
  const stores = streets.map((street) => ({ street: `${d.int(100, 4999)} ${street}`, phone: formatPhone(dir.phone('614'), 'paren'), closes: d.pick(['8 PM', '9 PM', '10 PM']) }));
  const def: TenantDef = {
    tenantId,
    name: 'Hollis & Rowe Drug Co.',
    brands: [brand],
    campaigns: [{ id: 'rx-ready', brand, useCase: 'informational' }],
    senders: pool.map((number) => ({ number, brand })),
    services: [],
  };
  const n = Math.round(2000 * scale);
  const times = spreadTimes(d, n, start + 4 * HOUR, start + 9.5 * HOUR);
  const messages = times.map((at) => {
    const store = d.pick(stores);
    const name = d.chance(0.15) ? d.pick(FIRST_ES) : d.pick(FIRST_EN);
    const items = d.weighted([
      [1, 70],
      [2, 22],
      [3, 8],
    ] as const);
    const what = items === 1 ? `your prescription (Rx ending ${d.digits(4)}) is` : `${items} prescriptions are`;
    const body =
      `${brand}: ${name}, ${what} ready at our ${store.street} store. We hold filled orders for 10 days; ` +
      `we're open today until ${store.closes}. Store line ${store.phone}. Reply STOP to end Rx texts.`;
    return out.make({ tenant: tenantId, campaign: 'rx-ready', brand, at, to: dir.phone('614'), body, from: d.pick(pool) });
  });
  ctx.tenants.push(tenantConfig(def));
  ctx.campaigns.push({
    name: 'pharmacy prescription-ready notices',
    kind: 'legitimate',
    how: `${brand}: ${n} prescription-ready notices, 12:00-17:30, from a 6-number registered pool, each patient sticky to one number`,
    messages,
  });
}

/** A clinic that rewords its reminder at noon and from then on splits patients between old and new wording. */
function abTestClinic(ctx: Ctx, scale: number): void {
  const { d, start, out } = ctx;
  const brand = 'Harborview Sleep & Lung Clinic';
  const kind = CLINIC_KINDS.find((k) => k.labels.includes('Sleep Medicine'))!;
  const { clinic, def } = makeClinic(ctx, 'bl-harborview-sleep-lung', brand, kind, { poolSize: 3, service: false, tz: 0 });
  clinic.esShare = 0;
  def.campaigns = [{ id: 'reminders', brand, useCase: 'informational' }];
  const morning = burstTimes(d, Math.round(380 * scale), start + 2 * MINUTE, 16 * MINUTE);
  const afternoon = spreadTimes(d, Math.round(420 * scale), start + 4 * HOUR, start + 8 * HOUR);
  const messages: StreamMessage[] = [];
  let variantB = 0;
  for (const at of [...morning, ...afternoon]) {
    const p = newPatient(ctx, clinic, 'en');
    let body: string;
    if (at < start + 4 * HOUR || d.chance(0.5)) body = reminderBody(ctx, clinic, p);
    else {
      variantB++;
      const days = d.int(1, 2);
      const minutes = 7 * 60 + 20 * d.int(2, 30);
      const prov = clinic.providers.length > 0 ? ` with ${d.pick(clinic.providers)}` : '';
      body =
        `Heads up from ${brand}, ${p.name}: ${dayText(start, days, clinic.dateStyle)}, ${clockText(minutes)}${prov}. ` +
        `Sleep study? Pack comfy clothes and skip caffeine after noon. C = confirm, R = new time, or ring ${clinic.phone}. STOP ends texts.`;
    }
    messages.push(out.make({ tenant: def.tenantId, campaign: 'reminders', brand, at, to: p.to, body, from: p.from! }));
  }
  messages.sort(byTime);
  ctx.tenants.push(tenantConfig(def));
  ctx.campaigns.push({
    name: 'clinic A/B-testing its reminder wording',
    kind: 'legitimate',
    how: `${brand}: 8:00 batch on the platform reminder, then from noon half its patients (${variantB}) get a reworded reminder; 3 sticky numbers`,
    messages,
  });
}

/** A clinic with two campaigns: the usual reminders and a consented flu-shot promotion with its own link. */
function fluShotClinic(ctx: Ctx, scale: number): void {
  const { d, start, out } = ctx;
  const brand = 'Maple Crest Family Medicine';
  const kind = CLINIC_KINDS[0]!;
  const { clinic, def } = makeClinic(ctx, 'bl-maple-crest-family-med', brand, kind, { poolSize: 2, service: false, tz: 1 });
  def.campaigns = [
    { id: 'reminders', brand, useCase: 'informational' },
    { id: 'flu-promo', brand, useCase: 'marketing' },
  ];
  const local8 = start + clinic.tz * HOUR;
  const messages: StreamMessage[] = [];
  const reminded: Patient[] = [];
  for (const at of burstTimes(d, Math.round(320 * scale), local8 + MINUTE, 14 * MINUTE)) {
    const p = newPatient(ctx, clinic);
    reminded.push(p);
    messages.push(out.make({ tenant: def.tenantId, campaign: 'reminders', brand, at, to: p.to, body: reminderBody(ctx, clinic, p), from: p.from! }));
  }
  for (const at of burstTimes(d, Math.round(520 * scale), local8 + 2.5 * HOUR, 55 * MINUTE)) {
    const p = reminded.length > 0 && d.chance(0.15) ? d.pick(reminded) : newPatient(ctx, clinic);
    const body =
      p.lang === 'es'
        ? `${brand}: ${p.name}, ¡ya llegaron las vacunas contra la gripe! Sin cita lun-sáb 8-6, o reserve 5 minutos en https://maplecrestfamilymed.example/flu?p=${d.chars(6)} . Casi todos los seguros la cubren a $0. STOP para cancelar.`
        : `${brand}: Flu shots are in, ${p.name}! Walk in Mon-Sat 8-6 or grab a 5-minute slot at https://maplecrestfamilymed.example/flu?p=${d.chars(6)} . Most plans cover it at $0. Reply STOP to opt out.`;
    messages.push(out.make({ tenant: def.tenantId, campaign: 'flu-promo', brand, at, to: p.to, body, from: p.from! }));
  }
  messages.sort(byTime);
  ctx.tenants.push(tenantConfig(def));
  ctx.campaigns.push({
    name: 'clinic with reminders and a flu-shot promotion',
    kind: 'legitimate',
    how: `${brand}: 8:00 reminders plus a consented flu-shot promotion linking to its own site, both from its 2 sticky numbers`,
    messages,
  });
}

/* ------------------------------------------------------------------------------------------ */
/* snowshoeing                                                                                */
/* ------------------------------------------------------------------------------------------ */

function anyName(d: Dice): string {
  return d.chance(0.25) ? d.pick(FIRST_ES) : d.pick(FIRST_EN);
}

function capitalize(s: string): string {
  return s.length > 0 ? s[0]!.toUpperCase() + s.slice(1) : s;
}

function pushSpam(ctx: Ctx, defs: TenantDef[], spec: Omit<CampaignSpec, 'kind'>): void {
  for (const def of defs) ctx.tenants.push(tenantConfig(def));
  spec.messages.sort(byTime);
  ctx.campaigns.push({ ...spec, kind: 'snowshoe' });
}

function spamTenant(tenantId: string, name: string, brand: string, senders: string[], sid?: string): TenantDef {
  return {
    tenantId,
    name,
    brands: [brand],
    campaigns: [{ id: 'offers', brand, useCase: 'marketing' }],
    senders: senders.map((number) => ({ number, brand, ...(sid !== undefined ? { messagingServiceSid: sid } : {}) })),
    services: sid !== undefined ? [{ sid, name: `${brand} outreach` }] : [],
  };
}

/** 1. Spun weight-loss promotion rotated over ~50 registered numbers, a dozen messages each. */
function spunPromo(ctx: Ctx, ss: number): void {
  const { d, dir, start, out } = ctx;
  const brand = 'TrimPeak Wellness';
  const numbers = Array.from({ length: d.int(46, 56) }, () => dir.phone());
  const def = spamTenant('bl-trimpeak-wellness', 'TrimPeak Wellness Marketing LLC', brand, numbers);
  const n = Math.round(640 * ss);
  const times = spreadTimes(d, n, start + 40 * MINUTE, start + 5.7 * HOUR);
  const messages = times.map((at) => {
    const name = anyName(d);
    const amt = d.pick(['99', '119', '129', '149', '179', '199', '229']);
    const greet = d.pick([`Hi ${name}`, `Hey ${name}!`, `${name},`, `Hello ${name} -`, `Good news ${name}:`, `${name}!!`]);
    const what = `${d.pick(['doctor-led', 'physician-supervised', 'clinically backed', 'online', 'telehealth'])} ${d.pick(['GLP-1', 'semaglutide', 'tirzepatide', 'GLP1'])} ${d.pick(['weight loss', 'weight-loss program', 'slimming plan', 'weight care'])}`;
    const price = d.pick([`now just $${amt}/mo`, `starting at $${amt} a month`, `for only $${amt}/month`, `from $${amt} monthly`, `at $${amt}/mo all-in`]);
    const extra = d.pick(['no insurance needed.', 'shipped to your door.', 'no office visit required.', 'approval in 24 hrs.', 'first month 50% off.', 'real results in 30 days.']);
    const urgency = d.pick(['Offer ends Friday.', `Only ${d.int(3, 19)} spots left.`, 'Today only!', 'Limited supply.', '', '']);
    const cta = d.pick(['Claim your spot', 'Reserve yours', 'Start today', 'See if you qualify', 'Get started', 'Apply in 2 min']);
    const link = `https://${d.pick(['trimpeak-go', 'trim-peak', 'tpwellness', 'trimpeakrx', 'peaktrim', 'gettrimpeak'])}.example/${d.chars(d.int(5, 8))}`;
    const stop = d.pick(['Reply STOP to opt out', 'Txt STOP to end', 'STOP=quit', 'Reply STOP to unsubscribe', 'STOP to stop']);
    const sig = d.pick([`-${brand}`, '- TrimPeak', '', `(${brand})`]);
    const middle = d.shuffle([`${capitalize(what)} ${price}.`, capitalize(extra), urgency].filter((s) => s.length > 0));
    const parts = d.chance(0.5) ? [greet, ...middle, `${cta}: ${link}`, sig, stop] : [sig, greet, `${cta} ${link}`, ...middle, stop];
    let body = parts.filter((s) => s.length > 0).join(' ');
    if (d.chance(0.5)) body = disguise(d, body, d.real(0.4, 1));
    return out.make({ tenant: def.tenantId, campaign: 'offers', brand, at, to: dir.phone(), body, from: d.pick(numbers) });
  });
  pushSpam(ctx, [def], {
    name: 'spun promo over ~50 numbers',
    how: `${brand}: spun GLP-1 promo (synonym slots, shuffled phrases, random names/prices/link hosts, look-alikes) rotated at random over ${numbers.length} registered numbers of one account, ~${Math.round(n / numbers.length)} per number over 5 hours`,
    messages,
  });
}

/** 2. Sequential rotation: 25 numbers, each used for about 20 messages and then dropped. */
function sequentialRotation(ctx: Ctx, ss: number): void {
  const { d, dir, start, out } = ctx;
  const brand = 'Senior Benefit Helpline';
  const numbers = Array.from({ length: 25 }, () => dir.phone());
  const def = spamTenant('bl-senior-benefit-line', 'SBH Outreach Group', brand, numbers);
  const callback = formatPhone(dir.tollFree(), 'one');
  const messages: StreamMessage[] = [];
  let t = start + 60 * MINUTE;
  for (const from of numbers) {
    const burst = Math.max(4, Math.round(d.int(17, 23) * ss));
    for (let i = 0; i < burst; i++) {
      t += d.int(22, 48) * 1000;
      const name = anyName(d);
      const extra = d.pick(['$0 premium', '$0 copay dental & vision', 'up to $1,800 back on groceries', 'a flex card worth $2,400', 'free transportation to doctor visits']);
      const deadline = dayText(start, d.int(3, 10), d.pick(['short', 'numeric'] as const));
      let body = d.pick([
        `Medicare update for ${name}: you may qualify for ${extra}. Call ${callback} before ${deadline} to check your zip code. Reply STOP to opt out.`,
        `${name}, new ${new Date(start).getUTCFullYear() + 1} Medicare plans in your area include ${extra}. Licensed agents at ${callback} until ${deadline}. STOP to end.`,
        `${brand}: ${name}, did you get your ${extra}? Many seniors miss it. Call ${callback} (free, no obligation) by ${deadline}. Text STOP to opt out.`,
      ]);
      if (d.chance(0.15)) body = disguise(d, body, 0.6);
      messages.push(out.make({ tenant: def.tenantId, campaign: 'offers', brand, at: t, to: dir.phone(), body, from }));
    }
    t += d.int(0, 90) * 1000; // the next number takes over
  }
  pushSpam(ctx, [def], {
    name: 'sequential rotation over 25 numbers',
    how: `${brand}: Medicare-plan pitch with one toll-free call-back, each of 25 registered numbers used for ~${Math.round(messages.length / 25)} messages in a row then retired for the next`,
    messages,
  });
}

/** 3. The platform's results template copied by an actor who puts its own link where the call-back number goes. */
function copiedTemplate(ctx: Ctx, ss: number): void {
  const { d, dir, start, out } = ctx;
  const brand = 'Patient Results Center';
  const numbers = Array.from({ length: d.int(27, 34) }, () => dir.phone());
  const def = spamTenant('bl-patient-results-ctr', 'PRC Notifications', brand, numbers);
  def.campaigns = [{ id: 'results', brand, useCase: 'informational' }];
  const n = Math.round(420 * ss);
  const times = spreadTimes(d, n, start + 75 * MINUTE, start + 4.25 * HOUR);
  const messages = times.map((at) => {
    const name = anyName(d);
    const visit = dayText(start, -d.int(2, 12), d.pick(['short', 'long', 'numeric'] as const));
    const contact = `https://carehub-results-help.example/${d.chars(7)}`;
    const body = PLATFORM.results({ brand, name, visit, code: d.chars(10), contact });
    return out.make({ tenant: def.tenantId, campaign: 'results', brand, at, to: dir.phone(), body, from: d.pick(numbers) });
  });
  pushSpam(ctx, [def], {
    name: 'copied platform template with own link',
    how: `${brand}: the platform lab-results template word for word, its own link in place of the call-back number, from ${numbers.length} registered numbers of one account`,
    messages,
  });
}

/** 4. One dental-plan campaign from four accounts with different brands, all linking to one domain. */
function sharedDomainAccounts(ctx: Ctx, ss: number): void {
  const { d, dir, start, out } = ctx;
  const accounts = [
    { tenantId: 'bl-brightsmile-club', brand: 'BrightSmile Savings Club', name: 'BrightSmile Club LLC' },
    { tenantId: 'bl-dentalsaver-usa', brand: 'DentalSaver USA', name: 'DS USA Holdings' },
    { tenantId: 'bl-smilefirst-plans', brand: 'SmileFirst Plans', name: 'SmileFirst Plans Inc' },
    { tenantId: 'bl-pearl-dental-perks', brand: 'Pearl Dental Perks', name: 'Pearl Perks Co' },
  ].map((a) => ({ ...a, numbers: Array.from({ length: d.int(2, 4) }, () => dir.phone()) }));
  const n = Math.round(520 * ss);
  const times = spreadTimes(d, n, start + 2 * HOUR, start + 6 * HOUR);
  const messages = times.map((at) => {
    const a = d.pick(accounts);
    const name = anyName(d);
    const link = `https://smilesavingshub.example/${slug(a.brand).slice(0, 6)}/${d.chars(6)}`;
    const pct = d.pick([40, 50, 60]);
    const amt = d.pick(['9.95', '12.99', '14.95', '19.95']);
    let body = d.pick([
      `${a.brand}: ${name}, members save up to ${pct}% on cleanings, crowns and implants. Plans from $${amt}/mo, no waiting period. Join: ${link} STOP to end`,
      `${name}, no dental insurance? ${a.brand} cuts up to ${pct}% off every visit for $${amt}/mo. Activate today ${link} Reply STOP to opt out`,
      `Dental bills too high, ${name}? Save ${pct}% with ${a.brand} - $${amt}/month, use it tomorrow. ${link} (STOP=opt out)`,
    ]);
    if (d.chance(0.2)) body = disguise(d, body, 0.7);
    return out.make({ tenant: a.tenantId, campaign: 'offers', brand: a.brand, at, to: dir.phone(), body, from: d.pick(a.numbers) });
  });
  pushSpam(
    ctx,
    accounts.map((a) => spamTenant(a.tenantId, a.name, a.brand, a.numbers)),
    {
      name: 'one campaign from 4 accounts sharing a link domain',
      how: `dental discount-plan pitch from 4 accounts with different brands and 2-4 numbers each (${accounts.reduce((s, a) => s + a.numbers.length, 0)} in all), every link on smilesavingshub.example`,
      messages,
    },
  );
}

/** 5. Three accounts under one identical brand sending one identical text (only names and dates differ). */
function sameBrandAccounts(ctx: Ctx, ss: number): void {
  const { d, dir, start, out } = ctx;
  const brand = 'Premier Health Rewards';
  const callback = formatPhone(dir.tollFree(), 'dash');
  const accounts = ['bl-phr-acct-7731', 'bl-phr-acct-7744', 'bl-phr-acct-8102'].map((tenantId, i) => ({
    tenantId,
    name: `${brand} ${['East', 'Central', 'West'][i]}`,
    numbers: Array.from({ length: 3 }, () => dir.phone()),
  }));
  const n = Math.round(450 * ss);
  const times = spreadTimes(d, n, start + 5 * MINUTE, start + 3 * HOUR);
  const messages = times.map((at) => {
    const a = d.pick(accounts);
    const name = anyName(d);
    const expires = dayText(start, d.int(2, 6), 'long');
    const body = `${brand}: ${name}, your $500 wellness allowance expires ${expires}. Activate it today by calling ${callback}. Reply STOP to opt out.`;
    return out.make({ tenant: a.tenantId, campaign: 'offers', brand, at, to: dir.phone(), body, from: d.pick(a.numbers) });
  });
  pushSpam(
    ctx,
    accounts.map((a) => spamTenant(a.tenantId, a.name, brand, a.numbers)),
    {
      name: 'identical brand and text from 3 accounts',
      how: `${brand}: one text (names and dates aside) under the same brand from 3 accounts with 3 numbers each, starting in the 8:00 rush`,
      messages,
    },
  );
}

/** 6. A pool that grows while the campaign runs: 3 numbers at first, two more every 15-30 minutes. */
function growingPool(ctx: Ctx, ss: number): void {
  const { d, dir, start, out } = ctx;
  const brand = 'ClearTone Hearing Offers';
  const t0 = start + 3 * HOUR;
  const t1 = t0 + 3.5 * HOUR;
  const joins: { number: string; at: number }[] = Array.from({ length: 3 }, () => ({ number: dir.phone(), at: t0 }));
  for (let t = t0 + d.int(15, 30) * MINUTE; t < t1 - 10 * MINUTE; t += d.int(15, 30) * MINUTE) {
    const add = d.chance(0.75) ? 2 : 3;
    for (let i = 0; i < add; i++) joins.push({ number: dir.phone(), at: t });
  }
  const def = spamTenant(
    'bl-cleartone-hearing',
    'ClearTone Direct Marketing',
    brand,
    joins.map((j) => j.number),
  );
  const callback = formatPhone(dir.tollFree(), 'paren');
  const n = Math.round(560 * ss);
  const times = spreadTimes(d, n, t0, t1);
  const messages = times.map((at) => {
    const active = joins.filter((j) => j.at <= at);
    // Fresh numbers get most of the traffic: the operator leans on them before carriers notice.
    const recent = active.slice(-4);
    const from = d.chance(0.6) ? d.pick(recent).number : d.pick(active).number;
    const name = anyName(d);
    const pct = d.pick([30, 40, 50, 70]);
    let body = d.pick([
      `FREE hearing test + ${pct}% off rechargeable hearing aids this week, ${name}. Book: https://cleartone-offer.example/${d.chars(6)} or call ${callback}. STOP to quit`,
      `${name}, missing words in conversations? ClearTone: free in-home hearing check and ${pct}% off invisible aids. https://cleartone-offer.example/${d.chars(6)} Reply STOP to opt out`,
    ]);
    if (d.chance(0.3)) body = disguise(d, body, 0.8);
    return out.make({ tenant: def.tenantId, campaign: 'offers', brand, at, to: dir.phone(), body, from });
  });
  pushSpam(ctx, [def], {
    name: 'pool growing mid-campaign',
    how: `${brand}: hearing-aid promo that starts on 3 numbers and adds 2-3 registered numbers every 15-30 minutes (${joins.length} by the end), leaning on the newest`,
    messages,
  });
}

/** 7. A messaging service hiding 44 numbers, every message sent by service SID only. */
function hiddenServicePool(ctx: Ctx, ss: number): void {
  const { d, dir, start, out } = ctx;
  const brand = 'DiabeCare Supply Direct';
  const sid = dir.serviceSid();
  const numbers = Array.from({ length: 44 }, () => dir.phone());
  const def = spamTenant('bl-diabecare-supply', 'DiabeCare Supply Direct LLC', brand, numbers, sid);
  const n = Math.round(720 * ss);
  const times = spreadTimes(d, n, start + 5 * HOUR, start + 7.5 * HOUR);
  const messages = times.map((at) => {
    const name = anyName(d);
    const link = `https://cgm-freeship.example/${d.chars(6)}`;
    let body = d.pick([
      `${name}, you may qualify for a continuous glucose monitor at NO COST through Medicare. No more finger sticks! Reply YES or visit ${link} . STOP to opt out`,
      `Diabetic? ${name}, your plan may cover a CGM + 90 days of sensors for $0. Check in 60 seconds: ${link} Reply STOP to end`,
      `${brand}: ${name}, free glucose monitor approved for your area. Claim by ${dayText(start, d.int(1, 4), 'short')}: ${link} STOP=stop`,
    ]);
    if (d.chance(0.4)) body = disguise(d, body, d.real(0.5, 1));
    return out.make({ tenant: def.tenantId, campaign: 'offers', brand, at, to: dir.phone(), body, service: sid });
  });
  pushSpam(ctx, [def], {
    name: 'messaging service hiding 44 numbers',
    how: `${brand}: free-CGM pitch sent only by messaging service SID, the service holding 44 registered numbers, 2.5 hours`,
    messages,
  });
}

/** 8. An account that registered 2 numbers but sends from 30 it never registered. */
function unregisteredNumbers(ctx: Ctx, ss: number): void {
  const { d, dir, start, out } = ctx;
  const brand = 'RxSaver Card Network';
  const registered = Array.from({ length: 2 }, () => dir.phone());
  const unregistered = Array.from({ length: 30 }, () => dir.phone());
  const def = spamTenant('bl-rxsaver-card', 'RxSaver Card Network Inc', brand, registered);
  const drugs = ['Eliquis', 'Xarelto', 'Ozempic', 'Trulicity', 'Januvia', 'Jardiance', 'Symbicort', 'Lantus', 'Humira', 'Farxiga'];
  const n = Math.round(480 * ss);
  const times = spreadTimes(d, n, start + 6 * HOUR, start + 9 * HOUR);
  const messages = times.map((at) => {
    const name = anyName(d);
    const from = d.chance(0.08) ? d.pick(registered) : d.pick(unregistered);
    const link = `https://rxsavercard.example/c/${d.chars(7)}`;
    let body = d.pick([
      `Pharmacy alert: ${name}, your discount card ${d.digits(3)}-${d.digits(4)} is active - save up to 80% on ${d.pick(drugs)}. Show this at the counter: ${link} STOP to opt out`,
      `${name}, paying too much for ${d.pick(drugs)}? Your ${brand} card cuts the price up to 80% at 60,000 pharmacies. ${link} Reply STOP to end`,
    ]);
    if (d.chance(0.35)) body = disguise(d, body, 0.8);
    return out.make({ tenant: def.tenantId, campaign: 'offers', brand, at, to: dir.phone(), body, from });
  });
  pushSpam(ctx, [def], {
    name: 'numbers the account never registered',
    how: `${brand}: discount-card pitch from 30 numbers missing from the account's config (it registered only 2, used for ~8%)`,
    messages,
  });
}

/** 9. Four accounts, different brands and wording, all sending people to one call-back number. */
function sharedCallbackAccounts(ctx: Ctx, ss: number): void {
  const { d, dir, start, out } = ctx;
  const shared = dir.tollFree();
  const accounts = [
    { tenantId: 'bl-flexbrace-direct', brand: 'FlexBrace Direct', name: 'FlexBrace Direct LLC', style: 'paren' as const },
    { tenantId: 'bl-joint-relief-hub', brand: 'Joint Relief Hub', name: 'JRH Marketing', style: 'dash' as const },
    { tenantId: 'bl-mobility-aid-center', brand: 'Mobility Aid Center', name: 'MAC Services Inc', style: 'one' as const },
    { tenantId: 'bl-comfortstep-supply', brand: 'ComfortStep Supply', name: 'ComfortStep Supply Co', style: 'dot' as const },
  ].map((a) => ({ ...a, numbers: Array.from({ length: d.int(2, 3) }, () => dir.phone()) }));
  const n = Math.round(400 * ss);
  const times = spreadTimes(d, n, start + 30 * MINUTE, start + 5 * HOUR);
  const messages = times.map((at) => {
    const idx = Math.floor(d.next() * accounts.length);
    const a = accounts[idx]!;
    const name = anyName(d);
    const phone = formatPhone(shared, a.style);
    const part = d.pick(['back', 'knee', 'wrist', 'shoulder', 'ankle']);
    const variants = [
      `${a.brand}: ${name}, a ${part} brace may be covered 100% by your plan. Call ${phone} to check eligibility. STOP to opt out`,
      `${name}, still living with ${part} pain? ${a.brand} ships doctor-approved braces at little or no cost. Free call: ${phone}. Reply STOP to end`,
      `Good news ${name}: ${a.brand} can get your ${part} support covered by insurance. Specialists waiting at ${phone} - STOP to unsubscribe`,
      `${a.brand} - ${name}, your ${part} brace benefit is still unclaimed this year. Phone ${phone} today. STOP=quit`,
    ];
    let body = variants[idx]!;
    if (d.chance(0.2)) body = disguise(d, body, 0.6);
    return out.make({ tenant: a.tenantId, campaign: 'offers', brand: a.brand, at, to: dir.phone(), body, from: d.pick(a.numbers) });
  });
  pushSpam(
    ctx,
    accounts.map((a) => spamTenant(a.tenantId, a.name, a.brand, a.numbers)),
    {
      name: 'one call-back number behind 4 accounts',
      how: `medical-brace pitch from 4 accounts with different brands, wording and 2-3 numbers each, every text pointing to one toll-free number written 4 ways`,
      messages,
    },
  );
}

/* ------------------------------------------------------------------------------------------ */
/* entry point                                                                                */
/* ------------------------------------------------------------------------------------------ */

/**
 * A day of platform traffic, starting at `start` (8:00 Eastern by default). `scale` multiplies the
 * number of ordinary clinics and the large tenants' volumes; snowshoe campaigns scale too, but only
 * between half and three times their size, so they stay recognisable campaigns.
 */
export function generateBlindTraffic(seed = 1, scale = 1, start = Date.parse('2026-12-07T13:00:00Z')): Traffic {
  const root = new Dice(seededRandom(seed));
  const dir = new Directory(root.fork());
  const ctx: Ctx = { d: root.fork(), dir, out: new Outbox(dir), start, tenants: [], campaigns: [] };

  // Legitimate: ordinary clinics first, then the large and the unusual tenants.
  const clinicCount = Math.max(10, Math.round(300 * scale));
  const brands = new Set<string>();
  const reserved = ['Granite Valley Health', 'Harborview Sleep & Lung Clinic', 'Maple Crest Family Medicine', 'Hollis & Rowe Pharmacy', 'Lumen Telehealth'];
  for (const b of reserved) brands.add(b);
  for (let i = 1; i <= clinicCount; i++) {
    const { brand, kind } = pickBrand(ctx.d, brands);
    ordinaryClinic(ctx, i, brand, kind);
  }
  healthSystem(ctx, scale);
  telehealth(ctx, scale);
  pharmacyChain(ctx, scale);
  abTestClinic(ctx, scale);
  fluShotClinic(ctx, scale);

  // Snowshoeing operations, each on a generator of its own.
  const ss = Math.min(3, Math.max(0.5, scale));
  const spam = [spunPromo, sequentialRotation, copiedTemplate, sharedDomainAccounts, sameBrandAccounts, growingPool, hiddenServicePool, unregisteredNumbers, sharedCallbackAccounts];
  for (const make of spam) make({ ...ctx, d: root.fork() }, ss);

  const stream = ctx.campaigns.flatMap((c) => c.messages).sort(byTime);
  return { tenants: ctx.tenants, campaigns: ctx.campaigns, stream };
}

export const BLIND_TRAFFIC_NOTE =
  'Written on 2026-12-05 as a held-out workload by an author who had not seen the snowshoeing detector’s rules, rule data or existing evaluation traffic, working only from the Twilio Messaging Policy and a description of the platform’s clinics.';
