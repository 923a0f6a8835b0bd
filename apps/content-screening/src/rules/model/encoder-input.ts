import { Tokenizer } from '@huggingface/tokenizers';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NormalisedText } from '../normalise.js';

/**
 * What the text encoder (the second stage's heavier model, `text-encoder.ts`) reads: the
 * normalised text as word pieces of the pretrained encoder's own vocabulary. Shared by the
 * trainer, so that training and screening cut text the same way.
 */

/** Word pieces read per message; an SMS of 1,600 characters rarely needs more. */
export const MAX_TOKENS = 128;

export const modelDir = (): string => fileURLToPath(new URL('../../../model/', import.meta.url));

/** What we use of the library's tokenizer (its published type declarations use extensionless imports that Node's ESM resolution cannot follow). */
interface WordPieces {
  encode(text: string): { ids: number[] };
}
const WordPieceTokenizer = Tokenizer as unknown as new (tokenizerJson: object, config: object) => WordPieces;

export class EncoderTokenizer {
  private readonly tokenizer: WordPieces;

  constructor(tokenizerJson: string = readFileSync(`${modelDir()}tokenizer.json`, 'utf8')) {
    this.tokenizer = new WordPieceTokenizer(JSON.parse(tokenizerJson) as object, {});
  }

  /** [CLS] pieces [SEP], cut to MAX_TOKENS with the closing [SEP] kept; reference codes read as one word (`maskCodes`). */
  encode(normalised: Pick<NormalisedText, 'text'>): number[] {
    const ids = this.tokenizer.encode(maskCodes(normalised.text)).ids;
    if (ids.length <= MAX_TOKENS) return ids;
    return [...ids.slice(0, MAX_TOKENS - 1), ids[ids.length - 1]!];
  }
}

// A UUID, or a run of eight or more letters and digits with at least one of each: an order
// number, a booking reference, a tracking or request id. Cut into word pieces, a random code
// reads to the encoder like the random paths of phishing links; its characters say nothing
// about the message, so every code reads as the same placeholder.
const CODE = /(?<![\p{L}\p{N}./-])(?:[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{8,})(?![\p{L}\p{N}/-])/gu;
export const CODE_PLACEHOLDER = 'ref';

/** The normalised text with reference codes replaced by one placeholder (links keep theirs: a code inside a path is part of the link). */
export function maskCodes(text: string): string {
  return text.replace(CODE, CODE_PLACEHOLDER);
}
