/**
 * The account's auth token: the HTTP Basic password of the API and the key webhooks are signed
 * with. Twilio lets an account rotate it: promoting the secondary token makes it the primary,
 * and "after promoting the new token, all requests to Twilio using your old primary Auth Token
 * will result in an error" (https://www.twilio.com/docs/iam/api/authtoken), a 401 with 20003.
 */
export class AccountCredentials {
  private token: string;

  constructor(readonly configured: string) {
    this.token = configured;
  }

  /** The token Twilio accepts now. */
  get authToken(): string {
    return this.token;
  }

  /** Rotates the token (PUT /sim/auth-token): the old one is refused from now on. */
  rotate(authToken: string): void {
    this.token = authToken;
  }

  /** Back to the configured token (DELETE /sim/state). */
  reset(): void {
    this.token = this.configured;
  }
}
