import { readFileSync } from 'node:fs';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';

/** Where a recipient is, as far as their number tells: for quiet hours and state rules. */
export interface RecipientLocale {
  /** ISO 3166-1 alpha-2 country of the number; "ZZ" when unknown. */
  country: string;
  /** State or province (ISO 3166-2 subdivision without the country, e.g. "FL"), from a NANP area code. */
  region?: string;
  /** The IANA time zone, when the number's prefix lies in exactly one. */
  timeZone?: string;
  /** Every time zone the number may be in (empty when unknown): a local-time rule must hold in all of them. */
  timeZones: string[];
}

const LocaleDataSchema = z.object({
  version: z.string().min(1),
  sources: z.array(z.object({ id: z.string(), title: z.string(), license: z.string() })).min(1),
  /** NANP area code -> ISO 3166-2 subdivision ("212" -> "US-NY"). */
  nanpRegions: z.record(z.string().regex(/^\d{3}$/), z.string().regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/)),
  /** Number prefix with country code ("1212", "44") -> IANA time zones. */
  timeZones: z.record(z.string().regex(/^\d{1,12}$/), z.array(z.string().min(1)).min(1)),
});

interface LocaleIndex {
  data: z.infer<typeof LocaleDataSchema>;
  longestPrefix: number;
  /** Every zone of a country's area codes: where a number of that country with an unlisted area code may be. */
  nanpCountryZones: Map<string, string[]>;
}

let index: LocaleIndex | undefined;

/** Loaded on first use (about 150 KB), validated like every data file of the project. */
function localeIndex(): LocaleIndex {
  if (index) return index;
  const data = LocaleDataSchema.parse(JSON.parse(readFileSync(new URL('./recipient-locale-data.v1.json', import.meta.url), 'utf8')));
  const nanpCountryZones = new Map<string, Set<string>>();
  for (const [prefix, zones] of Object.entries(data.timeZones)) {
    const subdivision = prefix.length >= 4 && prefix.startsWith('1') ? data.nanpRegions[prefix.slice(1, 4)] : undefined;
    if (!subdivision) continue;
    const country = subdivision.slice(0, 2);
    const set = nanpCountryZones.get(country) ?? new Set<string>();
    for (const zone of zones) set.add(zone);
    nanpCountryZones.set(country, set);
  }
  index = {
    data,
    longestPrefix: Math.max(...Object.keys(data.timeZones).map((p) => p.length)),
    nanpCountryZones: new Map([...nanpCountryZones].map(([country, zones]) => [country, [...zones].sort()])),
  };
  return index;
}

/** The version of the data the answers come from (for audit facts). */
export function recipientLocaleDataVersion(): string {
  return localeIndex().data.version;
}

/**
 * The country, state or province and time zone(s) of an E.164 number. NANP numbers
 * (+1) are placed by their area code (a state's laws presume a number with its area code is
 * its resident's); other numbers by the longest prefix of libphonenumber's time-zone map.
 */
export function recipientLocale(e164: string): RecipientLocale {
  const { data, longestPrefix, nanpCountryZones } = localeIndex();
  const digits = e164.replace(/^\+/, '');
  const country = parsePhoneNumberFromString(`+${digits}`)?.country ?? 'ZZ';

  let zones: string[] = [];
  for (let length = Math.min(longestPrefix, digits.length); length >= 1; length--) {
    const found = data.timeZones[digits.slice(0, length)];
    if (found) {
      // "1" alone is every NANP zone from Guam to Newfoundland: a known country narrows it.
      zones = length === 1 && digits.startsWith('1') ? (nanpCountryZones.get(country) ?? found) : found;
      break;
    }
  }

  const subdivision = digits.startsWith('1') ? data.nanpRegions[digits.slice(1, 4)] : undefined;
  const region = subdivision?.startsWith(`${country}-`) ? subdivision.slice(3) : undefined;
  return {
    country,
    ...(region !== undefined ? { region } : {}),
    ...(zones.length === 1 ? { timeZone: zones[0] } : {}),
    timeZones: [...zones],
  };
}
