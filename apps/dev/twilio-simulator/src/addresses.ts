/** E.164: "+", country code, subscriber number; 15 digits at most. */
export const E164 = /^\+[1-9]\d{1,14}$/;

export const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;

const SHORT_CODE = /^\d{3,8}$/;
// Alphanumeric sender ID: up to 11 letters, digits and spaces, at least one letter.
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

/** Whether `from` has the form of an SMS sender Twilio accepts: E.164 number, short code or alphanumeric ID. */
export function isSenderAddress(from: string): boolean {
  return E164.test(from) || SHORT_CODE.test(from) || ALPHANUMERIC_SENDER.test(from);
}

/** A "+" sent unencoded in a form or query string arrives as a space: read it as the "+" meant. */
export function plusRestored(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return /^ \d/.test(value) ? `+${value.trim()}` : value.trim();
}
