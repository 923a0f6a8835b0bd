/**
 * How many SMS segments a body takes, as carriers (and Twilio's `num_segments`) count them.
 *
 * GSM-7 (3GPP TS 23.038): one septet per character of the basic table, two for the extension
 * table (escape + character); 160 septets fit one SMS, a concatenated message carries 153 per
 * segment (the user data header takes the rest), and an escape pair is never split across two.
 * Anything outside both tables forces UCS-2 for the whole message: 70 UTF-16 code units in one
 * SMS, 67 per segment when concatenated, and a surrogate pair (emoji) is never split either.
 */

const GSM7_BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' + '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '\f^{}\\[~]|€';

// Septets per code unit (1 or 2), 0 for "not GSM-7". Every GSM-7 character is in the BMP.
const SEPTETS = new Map<number, number>();
for (const ch of GSM7_BASIC) SEPTETS.set(ch.charCodeAt(0), 1);
for (const ch of GSM7_EXTENSION) SEPTETS.set(ch.charCodeAt(0), 2);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the body needs. */
  units: number;
  segments: number;
}

export function isGsm7(body: string): boolean {
  for (let i = 0; i < body.length; i++) if (!SEPTETS.has(body.charCodeAt(i))) return false;
  return true;
}

export function countSegments(body: string): SegmentCount {
  return isGsm7(body) ? countGsm7(body) : countUcs2(body);
}

function countGsm7(body: string): SegmentCount {
  let units = 0;
  for (let i = 0; i < body.length; i++) units += SEPTETS.get(body.charCodeAt(i)) ?? 1;
  if (units <= 160) return { encoding: 'GSM-7', units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (let i = 0; i < body.length; i++) {
    const size = SEPTETS.get(body.charCodeAt(i)) ?? 1;
    if (used + size > 153) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return { encoding: 'GSM-7', units, segments };
}

function countUcs2(body: string): SegmentCount {
  const units = body.length;
  if (units <= 70) return { encoding: 'UCS-2', units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    const next = i + 1 < body.length ? body.charCodeAt(i + 1) : 0;
    // A high surrogate followed by a low one is one character: keep the pair together.
    const size = code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
    if (used + size > 67) {
      segments++;
      used = 0;
    }
    used += size;
    i += size - 1;
  }
  return { encoding: 'UCS-2', units, segments };
}
