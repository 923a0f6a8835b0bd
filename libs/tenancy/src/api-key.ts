import { createHash, randomBytes } from 'node:crypto';

/** API keys are random and long, so an unsalted SHA-256 is a safe way to store them. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): string {
  return `sk_${randomBytes(24).toString('base64url')}`;
}
