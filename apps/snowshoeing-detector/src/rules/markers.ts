import { foldText } from '@sms/text';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { getDomain } from 'tldts';
import { templateHash, URL, type Fingerprint } from './fingerprint.js';
import type { SnowshoeRules } from './rule-data.js';

/**
 * Actor markers (MP.EVASION.SNOWSHOE, MP.ISV): what makes the messages of several tenants one
 * actor's campaign, as opposed to a platform template that every clinic fills with its own
 * brand and call-back number:
 * - `d:<domain>`: a link's registrable domain, unless many tenants link there by design (the
 *   platform's own hosts and public services: `markers.sharedDomains` in the rule data);
 * - `p:<E.164>`: a call-back number written in the body;
 * - `t:<hash>`: the full text with only personal fields masked, and the brand, when it is
 *   long enough to be a campaign (short codes and notices are alike everywhere).
 * Two tenants sending the shared reminder under their own brands with their own call-back
 * numbers share none of these.
 */
export function actorMarkers(fp: Pick<Fingerprint, 'folded' | 'hosts' | 'template' | 'hasContent'>, brand: string, shared: SharedByDesign): string[] {
  const markers: string[] = [];
  for (const host of fp.hosts) {
    const domain = registrableDomain(host);
    if (domain !== null && !shared.domains.has(domain) && !markers.includes(`d:${domain}`)) markers.push(`d:${domain}`);
  }
  for (const number of callBackNumbers(fp.folded)) if (!shared.numbers.has(number) && !markers.includes(`p:${number}`)) markers.push(`p:${number}`);
  // The brand as the envelope names it, too: masking digits must not make "Route 9 Dental" and
  // "Route 66 Dental" one text.
  if (fp.hasContent()) markers.push(`t:${templateHash([fp.template, brand.toLowerCase()])}`);
  return markers;
}

/** Link domains and numbers that many tenants use by design: never an actor's marker. */
export interface SharedByDesign {
  domains: ReadonlySet<string>;
  numbers: ReadonlySet<string>;
}

/** The shared domains of the rule data, and the domains and numbers of the platform's registered templates. */
export function sharedByDesign(markers: Pick<SnowshoeRules['markers'], 'sharedDomains' | 'platformTemplates'>): SharedByDesign {
  const domains = new Set(markers.sharedDomains);
  const numbers = new Set<string>();
  for (const template of markers.platformTemplates) {
    const fixed = foldText(template.text.replace(/\{[^{}]*\}/g, ' '));
    URL.lastIndex = 0;
    for (let m = URL.exec(fixed); m !== null; m = URL.exec(fixed)) {
      const domain = registrableDomain(m[1]!);
      if (domain !== null) domains.add(domain);
    }
    for (const number of callBackNumbers(fixed)) numbers.add(number);
  }
  return { domains, numbers };
}

const domainCache = new Map<string, string | null>();
function registrableDomain(host: string): string | null {
  let domain = domainCache.get(host);
  if (domain === undefined) {
    domain = getDomain(host);
    if (domainCache.size > 50_000) domainCache.clear();
    domainCache.set(host, domain);
  }
  return domain;
}

// Ten digits in the North American shape, with the usual separators; libphonenumber-js decides.
const PHONE_CANDIDATE = /(?:\+?1[\s.-]?)?\(?[2-9]\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)/g;
const phoneCache = new Map<string, string | null>();

/** Phone numbers written in a text, in E.164 (parsed and validated by libphonenumber-js, cached per spelling). */
export function callBackNumbers(text: string): string[] {
  let digits = 0;
  for (let i = 0; i < text.length && digits < 10; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  if (digits < 10) return [];
  const out: string[] = [];
  PHONE_CANDIDATE.lastIndex = 0;
  for (let m = PHONE_CANDIDATE.exec(text); m !== null; m = PHONE_CANDIDATE.exec(text)) {
    let number = phoneCache.get(m[0]);
    if (number === undefined) {
      const parsed = parsePhoneNumberFromString(m[0], 'US');
      number = parsed?.isValid() ? parsed.number : null;
      if (phoneCache.size > 50_000) phoneCache.clear();
      phoneCache.set(m[0], number);
    }
    if (number !== null && !out.includes(number)) out.push(number);
  }
  return out;
}

/** What is known about one marker over the markers' window. Mirrors the Redis script in detection/redis-store.ts. */
export interface MarkerState {
  /** Per tenant: last event time (ms) and messages since it (re)appeared within the window. */
  tenants: Map<string, { l: number; n: number }>;
  /** Per sender number: last event time. */
  senders: Map<string, number>;
}

export interface SharedMeasures {
  /** The marker with the most tenants, or null when the message carries none. */
  marker: string | null;
  tenants: number;
  sharedMessages: number;
  sharedSenders: number;
}

export const NO_SHARED: SharedMeasures = { marker: null, tenants: 0, sharedMessages: 0, sharedSenders: 0 };

/**
 * Counts one message into a marker and measures the marker as of the message's time: tenants
 * and senders seen within the window, and the messages of those tenants. Entries that left the
 * window are forgotten; at most `maxTenants` tenants and `maxSenders` senders are remembered.
 */
export function observeMarker(
  state: MarkerState,
  tenant: string,
  sender: string,
  at: number,
  windowMs: number,
  limits: Pick<SnowshoeRules['markers'], 'maxSenders' | 'maxTenants'>,
): Omit<SharedMeasures, 'marker'> {
  const horizon = at - windowMs;
  let tenants = 0;
  let messages = 0;
  let seenTenant = false;
  for (const [key, entry] of state.tenants) {
    if (key === tenant) {
      seenTenant = true;
      entry.n = entry.l >= horizon ? entry.n + 1 : 1;
      if (at > entry.l) entry.l = at;
    }
    if (entry.l < horizon) state.tenants.delete(key);
    else {
      tenants++;
      messages += entry.n;
    }
  }
  if (!seenTenant && tenants < limits.maxTenants) {
    state.tenants.set(tenant, { l: at, n: 1 });
    tenants++;
    messages++;
  }
  let senders = 0;
  let seenSender = false;
  for (const [key, last] of state.senders) {
    let l = last;
    if (key === sender) {
      seenSender = true;
      if (at > l) state.senders.set(key, (l = at));
    }
    if (l < horizon) state.senders.delete(key);
    else senders++;
  }
  if (!seenSender && senders < limits.maxSenders) {
    state.senders.set(sender, at);
    senders++;
  }
  return { tenants, sharedMessages: messages, sharedSenders: senders };
}

/** Of a message's markers' measures, the one that links the most tenants (then the most messages). */
export function strongest(measured: readonly (Omit<SharedMeasures, 'marker'> & { marker: string })[]): SharedMeasures {
  let best: SharedMeasures = NO_SHARED;
  for (const m of measured) {
    if (m.tenants > best.tenants || (m.tenants === best.tenants && m.sharedMessages > best.sharedMessages)) best = m;
  }
  return best;
}
