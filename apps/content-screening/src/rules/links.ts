import { LinkifyIt } from 'linkify-it';
import { parse as parseDomain } from 'tldts';
import type { UrlLists } from './rule-data.js';

/** A link in the normalised text, what it points at, and what is wrong with it. */
export interface Link {
  /** Span in the normalised text. */
  start: number;
  end: number;
  host: string;
  /** Registrable domain (public suffix list), or the host itself for an IP address. */
  domain: string;
  shortener: boolean;
  /** Why the link is malware, if it is. */
  malware: string | null;
  /** The brand a look-alike host pretends to be. */
  impersonates: string | null;
  /** Fraud signals of the link (ids of `linkSignals`). */
  signals: string[];
}

export interface CompiledUrlLists {
  linkify: LinkifyIt;
  shorteners: string[];
  maliciousHosts: string[];
  executableExtensions: Set<string>;
  riskyTlds: Set<string>;
  throwawayHosts: string[];
  deceptiveHostWords: string[];
  freeMailDomains: string[];
  brands: UrlLists['brands'];
}

export function compileUrlLists(lists: UrlLists): CompiledUrlLists {
  const linkify = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: true, fuzzyIP: true }).tlds(lists.extraTlds, true);
  return {
    linkify,
    shorteners: lists.shorteners,
    maliciousHosts: lists.maliciousHosts,
    executableExtensions: new Set(lists.executableExtensions),
    riskyTlds: new Set(lists.riskyTlds),
    throwawayHosts: lists.throwawayHosts,
    deceptiveHostWords: lists.deceptiveHostWords,
    freeMailDomains: lists.freeMailDomains,
    brands: lists.brands,
  };
}

const within = (host: string, domains: string[]): string | undefined => domains.find((d) => host === d || host.endsWith(`.${d}`));

// A scheme not followed by "//" ("http:/bit.do/x", "http:owly/x", "http/site.com") defeats link detection on purpose.
const BROKEN_SCHEME = /\bh(?:tt|xx)ps?(?::(?!\/\/)|\/(?!\/))/;
const BROKEN_SCHEME_GLOBAL = /\bh(?:tt|xx)ps?(?::\/?(?!\/)|\/(?!\/))/g;

/** Whether the text has a deliberately broken link. */
export function hasBrokenScheme(text: string): boolean {
  return text.includes('tp') && BROKEN_SCHEME.test(text);
}

/** Every link and e-mail address in a normalised text. */
export function findLinks(text: string, lists: CompiledUrlLists): Link[] {
  // Cheap checks first: most messages have no dot between two non-space characters.
  if (!/[^\s.]\.[^\s.]|:\/\//.test(text)) return [];
  // A broken scheme ("http:/bit.do/x") is blanked out (same length) so the link behind it is still found.
  const scanned = hasBrokenScheme(text) ? text.replace(BROKEN_SCHEME_GLOBAL, (scheme) => ' '.repeat(scheme.length)) : text;
  if (!lists.linkify.test(scanned)) return [];
  const links: Link[] = [];
  for (const match of lists.linkify.match(scanned) ?? []) {
    const email = match.schema === 'mailto:' || (match.schema === '' && match.raw.includes('@'));
    let url: URL;
    try {
      url = new URL(email ? `mailto:${match.raw.replace(/^mailto:/, '')}` : match.url);
    } catch {
      continue;
    }
    const host = email ? (match.raw.split('@').pop() ?? '').toLowerCase() : url.hostname.replace(/^\[|\]$/g, '');
    const parsed = parseDomain(host);
    // Fuzzy matches of made-up suffixes ("I.ll send") are not links.
    if (match.schema === '' && !parsed.isIp && !parsed.isIcann) continue;
    const domain = parsed.isIp ? host : (parsed.domain ?? host);
    const link: Link = { start: match.index, end: match.lastIndex, host, domain, shortener: false, malware: null, impersonates: null, signals: [] };
    if (email) {
      if (within(host, lists.freeMailDomains)) link.signals.push('free_mail_contact');
      links.push(link);
      continue;
    }
    classify(link, url, parsed.publicSuffix, parsed.domainWithoutSuffix, parsed.isIp === true, lists);
    links.push(link);
  }
  return links;
}

function classify(link: Link, url: URL, suffix: string | null, label: string | null, isIp: boolean, lists: CompiledUrlLists): void {
  const host = link.host;
  link.shortener = within(host, lists.shorteners) !== undefined;
  const bad = within(host, lists.maliciousHosts);
  const file = url.pathname.split('/').pop() ?? '';
  const dot = file.lastIndexOf('.');
  const extension = dot > 0 ? file.slice(dot + 1).toLowerCase() : '';
  if (bad) link.malware = `a known malware host (${bad})`;
  else if (extension && lists.executableExtensions.has(extension)) link.malware = `a link to an installable file (.${extension})`;

  if (isIp) link.signals.push('ip_host');
  if (url.username || url.password) link.signals.push('userinfo');
  if (host.includes('xn--')) link.signals.push('idn_host');
  if (within(host, lists.throwawayHosts)) link.signals.push('throwaway_host');
  if (suffix && lists.riskyTlds.has(suffix) && !link.shortener) link.signals.push('risky_tld');
  if (link.shortener) link.signals.push('shortened_link');
  if (host.split('.').length >= 5) link.signals.push('deep_subdomains');
  // A host named by digits ("www.07781482378.com", "win-82050.co.uk") is a throwaway, not a brand.
  if (!isIp && label && (label.match(/\d/g) ?? []).length >= 4) link.signals.push('numeric_host');
  if (!isIp && label && lists.deceptiveHostWords.some((w) => host.includes(w))) link.signals.push('deceptive_host_words');

  // A brand's name in a host that is not the brand's: "verifyapple.uk", "bestbuy.com.your-a-winner.net".
  const parts = host.split(/[.-]/);
  for (const brand of lists.brands) {
    const named = brand.keywords.some((k) => (k.length >= 5 ? host.includes(k) : parts.includes(k)));
    if (named && !within(host, brand.domains) && !link.shortener && !bad) {
      link.impersonates = brand.name;
      link.signals.push('lookalike_domain');
      break;
    }
  }
}
