import type { InboundMessageEvent } from '@sms/contracts';
import type { OptOutPhrases } from './rule-data.js';

/**
 * What an inbound text asks for, and why we think so. Standard keywords are matched as the
 * whole message (any case, surrounding spaces and punctuation, "opt out" with a space);
 * requests in ordinary words are matched by phrase patterns; an unclear one is neither
 * honoured nor ignored: it pauses marketing until a person decides (MP.OPTOUT.HONOR).
 */
export type InboundIntent =
  | { kind: 'opt_out'; keyword: string | null; evidence: string; confidence: number; rule: string }
  | { kind: 'unclear_opt_out'; evidence: string; confidence: number; rule: string }
  | { kind: 'opt_in'; keyword: string; evidence: string; confidence: 1; rule: 'keyword' }
  | { kind: 'help'; keyword: string; evidence: string; confidence: 1; rule: 'keyword' }
  | { kind: 'message'; evidence: null; confidence: number; rule: string };

export interface InboundClassifier {
  version: string;
  classify(body: string): InboundIntent;
}

/** Lower case, compatibility forms, accents removed ("envíes" → "envies"), apostrophes unified. */
function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’‘`´]/g, "'");
}

function keywordOf(body: string): string {
  return fold(body)
    .replace(/[\p{P}\p{S}\s]+/gu, ' ')
    .trim()
    .toUpperCase()
    .replace(/^OPT OUT$/, 'OPTOUT');
}

export function compileClassifier(phrases: OptOutPhrases): InboundClassifier {
  const optOut = new Set(phrases.keywords.optOut);
  const optIn = new Set(phrases.keywords.optIn);
  const help = new Set(phrases.keywords.help);
  const not = phrases.not.length > 0 ? new RegExp(phrases.not.map((p) => `(?:${p})`).join('|'), 'gu') : null;
  const strong = phrases.strong.map((p, i) => ({ re: new RegExp(p.pattern, 'u'), confidence: p.confidence, rule: `strong[${i}]` }));
  const weak = phrases.weak.map((p, i) => ({ re: new RegExp(p.pattern, 'u'), confidence: p.confidence, rule: `weak[${i}]` }));

  return {
    version: phrases.version,
    classify(body: string): InboundIntent {
      const keyword = keywordOf(body);
      if (optOut.has(keyword)) return { kind: 'opt_out', keyword, evidence: body.trim(), confidence: 1, rule: 'keyword' };
      if (optIn.has(keyword)) return { kind: 'opt_in', keyword, evidence: body.trim(), confidence: 1, rule: 'keyword' };
      if (help.has(keyword)) return { kind: 'help', keyword, evidence: body.trim(), confidence: 1, rule: 'keyword' };

      // Phrases that contain opt-out words without being opt-outs ("stop by", "cancel my appointment").
      const text = (not ? fold(body).replace(not, ' ') : fold(body)).replace(/\s+/g, ' ').trim();
      for (const s of strong) {
        const match = s.re.exec(text);
        if (match) return { kind: 'opt_out', keyword: null, evidence: match[0].trim(), confidence: s.confidence, rule: s.rule };
      }
      for (const w of weak) {
        const match = w.re.exec(text);
        if (match) return { kind: 'unclear_opt_out', evidence: match[0].trim(), confidence: w.confidence, rule: w.rule };
      }
      return { kind: 'message', evidence: null, confidence: 0, rule: 'no opt-out words' };
    },
  };
}

/**
 * What an inbound text asks for. Twilio's own reading comes first when it gives one (Advanced
 * Opt-Out on a Messaging Service: the body matched one of the service's keywords, custom ones
 * such as "Arrêt" included); otherwise the classifier reads the body.
 */
export function intentOf(message: Pick<InboundMessageEvent, 'body' | 'optOutType'>, classifier: InboundClassifier): InboundIntent {
  const keyword = message.body.trim();
  switch (message.optOutType) {
    case 'STOP':
      return { kind: 'opt_out', keyword, evidence: keyword, confidence: 1, rule: 'twilio-opt-out-type' };
    case 'START':
      return { kind: 'opt_in', keyword, evidence: keyword, confidence: 1, rule: 'keyword' };
    case 'HELP':
      return { kind: 'help', keyword, evidence: keyword, confidence: 1, rule: 'keyword' };
    default:
      return classifier.classify(message.body);
  }
}
