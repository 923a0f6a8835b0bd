import assert from 'node:assert/strict';
import twilio from 'twilio';

type RequestClient = InstanceType<typeof twilio.RequestClient>;

/**
 * The SDK's own HTTP client with the origin of every request replaced by a base URL (the
 * simulator's): the SDK hard-codes https://api.twilio.com, and everything else it does (auth,
 * form encoding, paging, error mapping) must stay the SDK's for the test to prove anything.
 * The dispatcher owns its own copy of this class.
 */
export class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: URL,
    options: ConstructorParameters<typeof twilio.RequestClient>[0] = {},
  ) {
    super(options);
  }

  override request: RequestClient['request'] = (options) => {
    const target = new URL(options.uri);
    target.protocol = this.baseUrl.protocol;
    target.host = this.baseUrl.host;
    return super.request({ ...options, uri: target.toString() });
  };
}

/** An official SDK client whose requests go to a running simulator. */
export function sdkClientFor(simulator: { url: string; accountSid: string; authToken: string }, authToken = simulator.authToken): twilio.Twilio {
  return twilio(simulator.accountSid, authToken, {
    httpClient: new BaseUrlRequestClient(new URL(simulator.url), { keepAlive: true }),
    autoRetry: false,
  });
}

/** The SDK's error for a call the test expects Twilio to refuse (fails the test if it went through). */
export async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof twilio.RestException>> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof twilio.RestException, `expected a RestException, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the SDK call to be rejected');
}
