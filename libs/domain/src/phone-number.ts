import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export interface ParsedPhoneNumber {
  /** E.164, e.g. +14155552671 */
  e164: string;
  /** ISO 3166-1 alpha-2 country of the number, or undefined when the number is non-geographic. */
  country: string | undefined;
}

export type PhoneNumberProblem = 'not_a_phone_number' | 'not_international' | 'invalid_for_region';

export type PhoneNumberResult = { ok: true; value: ParsedPhoneNumber } | { ok: false; problem: PhoneNumberProblem };

/**
 * Normalises a phone number written in international form ("+1 (415) 555-2671") to E.164
 * and tells which country it belongs to. Numbers without a leading "+" are refused rather
 * than guessed: guessing the country of a recipient could send a text to a stranger.
 */
export function parseInternationalNumber(input: string): PhoneNumberResult {
  const trimmed = input.trim();
  if (!trimmed.startsWith('+')) return { ok: false, problem: 'not_international' };
  const parsed = parsePhoneNumberFromString(trimmed);
  if (!parsed) return { ok: false, problem: 'not_a_phone_number' };
  if (!parsed.isValid()) return { ok: false, problem: 'invalid_for_region' };
  return { ok: true, value: { e164: parsed.number, country: parsed.country } };
}

export function describePhoneNumberProblem(problem: PhoneNumberProblem): string {
  switch (problem) {
    case 'not_international':
      return 'must be an international number starting with "+" and the country code (E.164)';
    case 'not_a_phone_number':
      return 'is not a phone number';
    case 'invalid_for_region':
      return 'is not a valid number for its country';
  }
}
