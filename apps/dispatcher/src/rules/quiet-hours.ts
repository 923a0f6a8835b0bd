import type { ClauseId, MessageEnvelope } from '@sms/contracts';
import { WEEKDAYS, type LocalTimeRule, type LocalWindow, type QuietHours, type Weekday } from './rule-data.js';
import { isKnownTimeZone, localTime, minutesOf, zonedInstant } from './local-time.js';

/** Where and who the message is for, as the quiet-hour rules need it. */
export interface QuietHoursSubject {
  useCase: MessageEnvelope['message']['useCase'];
  kind: MessageEnvelope['kind'];
  country: string;
  region?: string | undefined;
  /** Every zone the recipient may be in; the envelope's own zone alone when it names one. */
  timeZones: string[];
  /** The tenant's choice for informational messages, when it made one. */
  informationalInQuietHours?: 'send' | 'defer' | undefined;
}

export type QuietHoursVerdict =
  /** The message is not subject to quiet hours (conversational, a system message, a tenant's choice). */
  | { kind: 'exempt'; reason: string }
  | { kind: 'open'; rule: string }
  /** Inside quiet hours: defer to `until`, the first instant the window is open in every zone. */
  | { kind: 'closed'; until: Date; reason: string; clauses: ClauseId[]; sources: string[] }
  /** No instant in the next week is open in every zone (or no zone is known): a person must decide. */
  | { kind: 'never'; reason: string; clauses: ClauseId[]; sources: string[] };

interface EffectiveRule {
  /** Per weekday, the window in local minutes, or null when the day is closed. */
  days: Record<Weekday, { start: number; end: number } | null>;
  description: string;
  sources: string[];
}

const CLAUSES: ClauseId[] = ['MP.COUNTRY'];
const LOOKAHEAD_DAYS = 8;

/** The country window narrowed by the region's, day by day: both laws apply, the stricter wins. */
export function effectiveRule(data: QuietHours, country: string, region: string | undefined): EffectiveRule {
  const countryRule = data.countries[country] ?? data.otherCountries;
  const regionRule = region !== undefined ? data.countries[country]?.regions?.[region] : undefined;
  const rules: LocalTimeRule[] = regionRule ? [countryRule, regionRule] : [countryRule];
  const days = {} as EffectiveRule['days'];
  for (const weekday of WEEKDAYS) {
    let window: { start: number; end: number } | null = { start: 0, end: 24 * 60 };
    for (const rule of rules) {
      const own: LocalWindow | null = rule.days && weekday in rule.days ? (rule.days[weekday] ?? null) : rule.window;
      if (own === null || window === null) {
        window = null;
        continue;
      }
      const start = Math.max(window.start, minutesOf(own.start));
      const end = Math.min(window.end, minutesOf(own.end));
      window = start < end ? { start, end } : null;
    }
    days[weekday] = window;
  }
  const where = `${country}${regionRule ? `-${region}` : ''}`;
  return { days, description: `${where}: ${describeDays(days)}`, sources: rules.map((r) => r.source) };
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function describeDays(days: EffectiveRule['days']): string {
  const groups = new Map<string, Weekday[]>();
  for (const weekday of WEEKDAYS) {
    const w = days[weekday];
    const text = w ? `${hhmm(w.start)}-${hhmm(w.end)}` : 'closed';
    groups.set(text, [...(groups.get(text) ?? []), weekday]);
  }
  if (groups.size === 1) return `${[...groups.keys()][0]} local time`;
  return `${[...groups].map(([text, ds]) => `${ds.join('/')} ${text}`).join(', ')} local time`;
}

function openAt(rule: EffectiveRule, at: Date, zone: string): boolean {
  const local = localTime(at, zone);
  const w = rule.days[local.weekday];
  return w !== null && local.minutes >= w.start && local.minutes < w.end;
}

/** Whether quiet hours concern this message at all, and why not when they do not. */
function exemption(data: QuietHours, subject: QuietHoursSubject): string | null {
  if (subject.kind !== 'standard') return data.appliesTo.systemMessages === 'send' ? `a ${subject.kind.replaceAll('_', ' ')} answers the person` : null;
  switch (subject.useCase) {
    case 'marketing':
      return data.appliesTo.marketing === 'send' ? 'marketing is not deferred' : null;
    case 'conversational':
      return data.appliesTo.conversational === 'send' ? 'a conversational reply answers the person' : null;
    case 'informational': {
      const choice = data.appliesTo.informational === 'tenant_setting' ? (subject.informationalInQuietHours ?? data.appliesTo.informationalDefault) : data.appliesTo.informational;
      return choice === 'send' ? "informational messages go out in quiet hours by the tenant's choice" : null;
    }
  }
}

/**
 * Quiet hours in the recipient's local time (MP.COUNTRY): open when `at` is inside the
 * allowed window in every zone the recipient may be in; else the first instant when it is.
 */
export function checkQuietHours(data: QuietHours, subject: QuietHoursSubject, at: Date): QuietHoursVerdict {
  const exempt = exemption(data, subject);
  if (exempt !== null) return { kind: 'exempt', reason: exempt };
  const rule = effectiveRule(data, subject.country, subject.region);
  const zones = subject.timeZones.filter(isKnownTimeZone);
  if (zones.length === 0) {
    return { kind: 'never', reason: `the recipient's local time cannot be known from the number, so quiet hours (${rule.description}) cannot be honoured`, clauses: CLAUSES, sources: rule.sources };
  }
  if (zones.every((z) => openAt(rule, at, z))) return { kind: 'open', rule: rule.description };

  // Candidates: every window start in every zone over the next week; the first open in all zones wins.
  const candidates: number[] = [];
  for (const zone of zones) {
    const today = localTime(at, zone);
    for (let offset = 0; offset <= LOOKAHEAD_DAYS; offset++) {
      const weekday = WEEKDAYS[(WEEKDAYS.indexOf(today.weekday) + offset) % 7]!;
      const window = rule.days[weekday];
      if (!window) continue;
      const start = zonedInstant(today.year, today.month, today.day + offset, window.start, zone).getTime();
      if (start > at.getTime()) candidates.push(start);
    }
  }
  const zonesText = zones.join(', ');
  for (const candidate of [...new Set(candidates)].sort((a, b) => a - b)) {
    const when = new Date(candidate);
    if (zones.every((z) => openAt(rule, when, z))) {
      return {
        kind: 'closed',
        until: when,
        reason: `quiet hours for the recipient (${rule.description}, ${zonesText}): deferred to ${when.toISOString()}`,
        clauses: CLAUSES,
        sources: rule.sources,
      };
    }
  }
  return {
    kind: 'never',
    reason: `no time in the next week is inside quiet hours (${rule.description}) in every zone the recipient may be in (${zonesText})`,
    clauses: CLAUSES,
    sources: rule.sources,
  };
}

/** The zones a recipient may be in: the envelope's own when it names one, else every candidate of the number. */
export function recipientZones(envelope: MessageEnvelope, candidates: (e164: string) => string[]): string[] {
  return envelope.recipient.timeZone !== undefined ? [envelope.recipient.timeZone] : candidates(envelope.message.to);
}
