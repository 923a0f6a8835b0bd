import { foldText, optOutWording, type OptOutWording, type TokenView } from '@sms/text';
import type { SnowshoeRules, TextNormalisation } from './rule-data.js';

/**
 * What a message's content is, for grouping messages into clusters (MP.EVASION.SNOWSHOE).
 *
 * Two levels, because they fail differently:
 * - The template fingerprint: the text with everything that varies per recipient masked
 *   (digits: dates, times, amounts, codes; month and day names; the name after a greeting;
 *   link paths, keeping the host), look-alike characters folded to one skeleton (Unicode
 *   TR39 confusables), case, spacing and punctuation dropped, compliance boilerplate removed.
 *   Personalised copies of one template share it exactly: an O(1) look-up.
 * - For spun copies ("spintax": synonyms, reordered words) whose templates differ: MinHash
 *   with LSH over the set of content words finds candidate clusters, and the candidate is
 *   verified exactly. MinHash because it is order-insensitive (reordering changes nothing)
 *   and its banding has a known, tunable miss rate: a pair of word sets with Jaccard
 *   similarity s shares at least one of b bands of r rows with probability 1-(1-s^r)^b
 *   (r = 3, b = 42: 94% at s = 0.4, 29% at s = 0.2), and every member a cluster admits adds
 *   its bands (up to a cap), so spins that resemble any earlier member are found. SimHash
 *   was the alternative; its Hamming distance has no such direct bound on set similarity and
 *   degrades on the short texts SMS are. Verification is exact, not estimated: the share of
 *   the message's content words that the cluster has already used (its vocabulary, capped).
 *   Spintax draws every variant from one fixed vocabulary, so its copies score high however
 *   they are spun, while unrelated texts score low; so a band collision alone never merges
 *   two clusters, and no estimate's error enters the decision.
 */
export interface Fingerprint {
  /** 64-bit hash of the masked, normalised text, 16 hex digits. */
  template: string;
  /** The text folded (lower case, look-alikes and invisible characters undone), before masking. */
  folded: string;
  /** The hosts of its links, folded. */
  hosts: readonly string[];
  /** Whether it has enough content words to compare (`similarity.minTokens`). */
  hasContent(): boolean;
  /** 30-bit hashes of the distinct content words (no boilerplate, function words or masked parts); empty when too few to compare. */
  tokens(): number[];
  /** The MinHash signature and LSH bands, computed on first use (a known template needs neither). */
  signature(): Uint32Array | null;
  /** LSH band keys (30-bit integers). */
  bands(): number[];
}

export const URL = /\b(?:https?:\/\/)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?::\d+)?(?:\/[^\s]*)?/giu;
const EMAIL = /[^\s@]+@[^\s@]+\.[a-z]{2,}/giu;
const WORD = /[\p{L}\p{N}_]+/gu;
const DIGIT = /\p{N}/u;
const ASCII_ONLY = /^[\x00-\x7f]*$/;
export const MAYBE_URL = /[a-z0-9]\.[a-z]{2}/i;
const MASK = '#';
// Words that vary per recipient like dates do (not "may": it is mostly the verb).
const CALENDAR = new Set(
  'monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun today tomorrow tonight january february march april june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec'.split(
    ' ',
  ),
);
// Units that belong to the number before them (9 am, 20 %, 3rd).
const NUMBER_SUFFIXES = new Set(['am', 'pm', 'a', 'p', 'm', 'st', 'nd', 'rd', 'th', 'usd', 'eur', 'min', 'mins', 'hr', 'hrs', 'h', 'k']);

/** How the shared opt-out wording reads this detector's tokens: a masked part is a number. */
const WORDING_VIEW: TokenView<string> = { kind: (t) => (t === MASK ? 'number' : 'word'), text: (t) => t };

/** The compiled form of the text rule data, built once. */
export class TextRules {
  readonly stopwords: Set<string>;
  readonly greetings: Set<string>;
  /** Boilerplate phrases as token lists, indexed by their first token. */
  readonly boilerplate = new Map<string, string[][]>();

  /** `optOut`: opt-out instructions are boilerplate too, as the shared opt-out wording defines them. */
  constructor(
    data: TextNormalisation,
    readonly optOut: OptOutWording = optOutWording(),
  ) {
    this.stopwords = new Set(data.stopwords);
    this.greetings = new Set(data.greetings);
    for (const phrase of data.boilerplate) {
      const tokens = tokenize(phrase, this, false);
      const first = tokens[0];
      if (first === undefined) continue;
      const list = this.boilerplate.get(first) ?? [];
      list.push(tokens);
      // Longest first, so "reply stop to opt out" wins over "stop to opt out".
      list.sort((a, b) => b.length - a.length);
      this.boilerplate.set(first, list);
    }
  }
}

/** Normalised tokens of a text, with variable parts masked as "#" and link paths dropped. */
export function tokenize(text: string, rules: Pick<TextRules, 'greetings'>, mask = true, seen?: { folded: string; hosts: string[] }): string[] {
  const ascii = ASCII_ONLY.test(text);
  let clean = foldText(text);
  if (seen) seen.folded = clean;
  if (mask && clean.includes('@')) clean = clean.replace(EMAIL, ' 0 ');
  if (mask && MAYBE_URL.test(clean)) {
    clean = clean.replace(URL, (_m, host: string) => {
      seen?.hosts.push(host);
      return ` url_${host.replace(/[.-]/g, '_')} `;
    });
  }
  const tokens: string[] = [];
  let previous = '';
  const emit = (raw: string, digit: boolean): void => {
    let token = raw;
    if (digit) token = MASK;
    else if (mask && (CALENDAR.has(raw) || (previous !== '' && rules.greetings.has(previous)))) token = MASK;
    if (token === MASK && previous === MASK) return;
    if (previous === MASK && NUMBER_SUFFIXES.has(token)) return;
    tokens.push(token);
    previous = token;
  };
  if (ascii || ASCII_ONLY.test(clean)) {
    // The common case, scanned by hand: a regular expression costs more than the rest together.
    let start = -1;
    let digit = false;
    for (let i = 0; i <= clean.length; i++) {
      const c = i < clean.length ? clean.charCodeAt(i) : 32;
      const isDigit = c >= 48 && c <= 57;
      if (isDigit || (c >= 97 && c <= 122) || c === 95) {
        if (start < 0) {
          start = i;
          digit = false;
        }
        if (isDigit) digit = true;
      } else if (start >= 0) {
        emit(clean.slice(start, i), digit);
        start = -1;
      }
    }
  } else {
    WORD.lastIndex = 0;
    for (let m = WORD.exec(clean); m !== null; m = WORD.exec(clean)) emit(m[0], hasDigit(m[0]));
  }
  return tokens;
}

function hasDigit(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
    if (c > 127) return DIGIT.test(word);
  }
  return false;
}

function stripBoilerplate(tokens: string[], rules: TextRules): string[] {
  // Opt-out instructions written as one stretch ("Reply STOP to opt out", "Txt STOP to # to
  // unsubscribe"), by first token; then the detector's own phrases (help, message rates).
  const stretches = rules.optOut.findStretches(tokens, WORDING_VIEW);
  let stretch = 0;
  const out: string[] = [];
  for (let i = 0; i < tokens.length;) {
    while (stretch < stretches.length && stretches[stretch]!.first < i) stretch++;
    const instruction = stretches[stretch];
    if (instruction?.first === i) {
      i = instruction.last + 1;
      continue;
    }
    const phrases = rules.boilerplate.get(tokens[i]!);
    let skipped = 0;
    if (phrases) {
      for (const phrase of phrases) {
        let j = 0;
        while (j < phrase.length && tokens[i + j] === phrase[j]) j++;
        if (j === phrase.length) {
          skipped = j;
          break;
        }
      }
    }
    if (skipped > 0) i += skipped;
    else out.push(tokens[i++]!);
  }
  return out;
}

/** 32-bit string hash (MurmurHash3's mixing over UTF-16 code units). */
export function hash32(text: string, seed = 0): number {
  let h = seed ^ text.length;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// Two hex digits per byte: formatting a hash is on every message's path.
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The 64-bit hash of a token sequence (as if joined by spaces), 16 hex digits, without building the string. */
export function templateHash(tokens: readonly string[]): string {
  let a = 0x9747b28c;
  let b = 0x5bd1e995;
  for (const t of tokens) {
    for (let i = 0; i <= t.length; i++) {
      const c = i < t.length ? t.charCodeAt(i) : 32;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul((b ^ c) + 0x7f4a7c15, 0x85ebca6b);
      b ^= b >>> 13;
    }
  }
  const fin = (h: number) => {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return HEX[(h >>> 24) & 255]! + HEX[(h >>> 16) & 255]! + HEX[(h >>> 8) & 255]! + HEX[h & 255]!;
  };
  return fin(a) + fin(b ^ tokens.length);
}

const seedCache = new Map<number, Uint32Array>();
function seeds(k: number): Uint32Array {
  let s = seedCache.get(k);
  if (!s) {
    s = new Uint32Array(k);
    for (let i = 0; i < k; i++) s[i] = hash32(`minhash-${i}`, 0x2545f491);
    seedCache.set(k, s);
  }
  return s;
}

/**
 * MinHash: for each of k hash functions, the least hash over the set. The i-th function is
 * the token's hash xor a per-function seed, put through MurmurHash3's finaliser (a bijection
 * on 32 bits, so each function is a pseudo-random permutation of token hashes).
 */
export function minhash(tokenHashes: readonly number[], k: number): Uint32Array {
  const s = seeds(k);
  const signature = new Uint32Array(k).fill(0xffffffff);
  for (const t of tokenHashes) {
    for (let i = 0; i < k; i++) {
      let x = t ^ s[i]!;
      x ^= x >>> 16;
      x = Math.imul(x, 0x85ebca6b);
      x ^= x >>> 13;
      x = Math.imul(x, 0xc2b2ae35);
      x ^= x >>> 16;
      x >>>= 0;
      if (x < signature[i]!) signature[i] = x;
    }
  }
  return signature;
}

/** The estimated Jaccard similarity of the two sets behind two signatures. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  const k = Math.min(a.length, b.length);
  let same = 0;
  for (let i = 0; i < k; i++) if (a[i] === b[i]) same++;
  return same / k;
}

/**
 * LSH band keys: pairs of similarity s share at least one with probability 1-(1-s^rows)^bands.
 * A key mixes the band's index into its hash and keeps 30 bits, so that keys are small integers
 * (no allocation per key in maps); two bands meeting on one key only adds a candidate, which
 * verification turns away.
 */
export function bandKeys(signature: Uint32Array, bands: number, rows: number): number[] {
  const keys: number[] = new Array<number>(bands);
  for (let b = 0; b < bands; b++) {
    let h = Math.imul(b + 1, 0x9e3779b1);
    for (let r = 0; r < rows; r++) {
      h = Math.imul(h ^ signature[b * rows + r]!, 0x01000193);
      h ^= h >>> 15;
    }
    keys[b] = Math.imul(h, 0x85ebca6b) >>> 2;
  }
  return keys;
}

/** A band key as text, for stores keyed by strings. */
export function bandKeyText(key: number): string {
  return key.toString(36);
}

export function fingerprint(body: string, text: TextRules, similarity: SnowshoeRules['similarity']): Fingerprint {
  const seen = { folded: '', hosts: [] as string[] };
  const words = stripBoilerplate(tokenize(body, text, true, seen), text);
  // Most messages repeat a known template and need nothing but its hash: the rest is computed on first use.
  let hashes: number[] | undefined;
  let signature: Uint32Array | null | undefined;
  let bands: number[] | undefined;
  const tokens = (): number[] => {
    if (hashes === undefined) {
      const content = new Set<string>();
      for (const t of words) if (t !== MASK && t.length > 1 && !text.stopwords.has(t)) content.add(t);
      hashes = [];
      // 30 bits: small integers, stored without allocation.
      if (content.size >= similarity.minTokens) for (const t of content) hashes.push(hash32(t, 0x3c6ef372) >>> 2);
    }
    return hashes;
  };
  const signatureOf = (): Uint32Array | null => {
    if (signature === undefined) {
      const h = tokens();
      signature = h.length > 0 ? minhash(h, similarity.hashes) : null;
    }
    return signature;
  };
  return {
    template: templateHash(words),
    folded: seen.folded,
    hosts: seen.hosts,
    // Counted without hashing: most messages repeat a known template and never need the hashes.
    hasContent: () => {
      if (hashes !== undefined) return hashes.length > 0;
      let n = 0;
      for (const t of words) if (t !== MASK && t.length > 1 && !text.stopwords.has(t)) n++;
      return n >= similarity.minTokens;
    },
    tokens,
    signature: signatureOf,
    bands: () => {
      if (bands === undefined) {
        const sig = signatureOf();
        bands = sig ? bandKeys(sig, similarity.bands, similarity.rows) : [];
      }
      return bands;
    },
  };
}
