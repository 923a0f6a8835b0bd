import { Inject, Injectable } from '@nestjs/common';
import twilio from 'twilio';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from '../config.js';

type RequestClient = InstanceType<typeof twilio.RequestClient>;

/**
 * The SDK's own HTTP client, with the origin of every request replaced by a configured base
 * address (the simulator). Everything else (auth, form encoding, error mapping) stays the SDK's.
 */
export class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: URL,
    options: ConstructorParameters<typeof twilio.RequestClient>[0],
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

export interface OutgoingSms {
  to: string;
  from?: string | undefined;
  messagingServiceSid?: string | undefined;
  body: string;
  statusCallback: string;
}

export interface TwilioMessageRef {
  sid: string;
  status: string;
}

/** The only caller of Twilio in the system, through the official SDK. */
@Injectable()
export class TwilioGateway {
  private readonly client: ReturnType<typeof twilio>;

  constructor(@Inject(DISPATCHER_CONFIG_TOKEN) config: DispatcherConfig) {
    // A call must end well within the lease of its claim, so that the reconciler never looks a
    // message up at Twilio while a call that could still create it is in flight.
    const timeout = Math.min(15_000, Math.floor(config.IN_DOUBT_AFTER_MS / 3));
    const http = { keepAlive: true, maxSockets: config.MAX_CONCURRENT_SENDS * 2, timeout };
    this.client = twilio(config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN, {
      httpClient: config.TWILIO_API_BASE_URL ? new BaseUrlRequestClient(new URL(config.TWILIO_API_BASE_URL), http) : new twilio.RequestClient(http),
      autoRetry: false,
    });
    // The SDK loads its REST resources on first use; loading them now keeps that time off the first send's pacing slot.
    void this.client.messages;
  }

  /**
   * One harmless call (a page of one message to no one) before the first send, so that the
   * SDK's and the connection's first-use costs are not paid inside a pacing slot. Failures
   * are ignored: sending will report them.
   */
  async warmUp(): Promise<void> {
    await this.client.messages.list({ to: '+15005550000', limit: 1 }).catch(() => undefined);
  }

  async send(sms: OutgoingSms): Promise<TwilioMessageRef> {
    const message = await this.client.messages.create({
      to: sms.to,
      body: sms.body,
      statusCallback: sms.statusCallback,
      ...(sms.from !== undefined ? { from: sms.from } : {}),
      ...(sms.messagingServiceSid !== undefined ? { messagingServiceSid: sms.messagingServiceSid } : {}),
    });
    return { sid: message.sid, status: message.status };
  }

  /** The message Twilio has under this SID: its status and error code now. */
  async fetchStatus(sid: string): Promise<{ status: string; errorCode: number | null; errorMessage: string | null }> {
    const message = await this.client.messages(sid).fetch();
    return { status: message.status, errorCode: message.errorCode ?? null, errorMessage: message.errorMessage ?? null };
  }

  /**
   * The messages Twilio took since `since` to this recipient with this body (and sender): the
   * candidates for a send that a crash left in doubt. More than one when the same text went to
   * the same person twice; the caller leaves out those another send holds.
   *
   * Listed by To (and From), newest first, and bounded by date_created, never by DateSent: Twilio
   * leaves date_sent null while a message waits in its queue ("for an outgoing message, this is
   * when Twilio sent the message", https://www.twilio.com/docs/messaging/api/message-resource),
   * and a DateSent filter would miss exactly the message a 5xx under load left queued, which
   * would then be sent twice.
   */
  async findSent(sms: OutgoingSms, since: Date): Promise<TwilioMessageRef[]> {
    // A minute of slack for the difference between our clock and Twilio's (whole seconds there).
    const createdFrom = since.getTime() - 60_000;
    const found = await this.client.messages.list({ to: sms.to, ...(sms.from !== undefined ? { from: sms.from } : {}), pageSize: 200, limit: 200 });
    return found
      .filter(
        (m) =>
          m.body === sms.body &&
          !(m.dateCreated instanceof Date && m.dateCreated.getTime() < createdFrom) &&
          (sms.from === undefined || m.from === sms.from) &&
          (sms.messagingServiceSid === undefined || m.messagingServiceSid === sms.messagingServiceSid),
      )
      .map((m) => ({ sid: m.sid, status: m.status }));
  }
}
