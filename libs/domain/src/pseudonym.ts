import { createHmac } from 'node:crypto';

/**
 * Keyed hashing of personal data (phone numbers, bodies) for logs, span attributes, Kafka
 * keys and analyst streams (AUP.DATA_SAFEGUARDS, DESIGN principle 7). A plain hash of a
 * phone number is reversible by enumerating the number space; an HMAC with a secret is not.
 */
export class Pseudonymizer {
  constructor(private readonly key: string) {
    if (key.length < 16) {
      throw new Error('The pseudonymisation key must be at least 16 characters long');
    }
  }

  /** A stable, non-reversible token for a value, scoped by a namespace (usually the tenant). */
  token(namespace: string, value: string): string {
    return createHmac('sha256', this.key).update(namespace).update('\u0000').update(value).digest('base64url').slice(0, 22);
  }
}
