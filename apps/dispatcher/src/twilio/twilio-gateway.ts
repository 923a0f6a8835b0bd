import { Inject, Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import twilio from 'twilio';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from '../config.js';

type RequestClient = InstanceType<typeof twilio.RequestClient>;

/** The headers of Twilio's answer the dispatcher reads, for the call in progress. */
interface AnswerHeaders {
  retryAfter?: string;
}

/**
 * The answer headers of the call made in this async context: the SDK turns an error answer into
 * a RestException with its body only, so the request client notes what the dispatcher needs
 * (Retry-After) for the call that asked.
 */
const answerHeaders = new AsyncLocalStorage<AnswerHeaders>();

/**
 * The SDK's own HTTP client, noting the Retry-After of each answer for the call that made it,
 * and with the origin of every request replaced by a configured base address (the simulator)
 * when one is given. Everything else (auth, form encoding, error mapping) stays the SDK's.
 */
export class TwilioRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: URL | undefined,
    options: ConstructorParameters<typeof twilio.RequestClient>[0],
  ) {
    super(options);
  }

  override request: RequestClient['request'] = async (options) => {
    let uri = options.uri;
    if (this.baseUrl) {
      const target = new URL(options.uri);
      target.protocol = this.baseUrl.protocol;
      target.host = this.baseUrl.host;
      uri = target.toString();
    }
    const answer = await super.request({ ...options, uri });
    const noted = answerHeaders.getStore();
    const retryAfter = (answer.headers as Record<string, unknown> | undefined)?.['retry-after'];
    if (noted && typeof retryAfter === 'string') noted.retryAfter = retryAfter;
    return answer;
  };
}

/** A refused call: the SDK's RestException, with the Retry-After Twilio sent with it, if any. */
export type TwilioCallError = Error & { status?: number; code?: number | string; retryAfter?: string };

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
      httpClient: new TwilioRequestClient(config.TWILIO_API_BASE_URL ? new URL(config.TWILIO_API_BASE_URL) : undefined, http),
      autoRetry: false,
    });
    // The SDK loads its REST resources on first use; loading them now keeps that time off the first send's pacing slot.
    void this.client.messages;
  }

  /**
   * One harmless authenticated call (a page of one message to no one): before the first send,
   * so that the SDK's and the connection's first-use costs are not paid inside a pacing slot,
   * and to learn whether Twilio accepts the credentials (`refused`: 401), as the probe that
   * resumes sending after a 20003. `unreachable`: no answer, or another error.
   */
  async probe(): Promise<'ok' | 'refused' | 'unreachable'> {
    try {
      await this.client.messages.list({ to: '+15005550000', limit: 1 });
      return 'ok';
    } catch (error) {
      return (error as TwilioCallError).status === 401 ? 'refused' : 'unreachable';
    }
  }

  /** Sends one message; a refusal is thrown as a TwilioCallError (with Twilio's Retry-After, if it sent one). */
  async send(sms: OutgoingSms): Promise<TwilioMessageRef> {
    const noted: AnswerHeaders = {};
    try {
      const message = await answerHeaders.run(noted, () =>
        this.client.messages.create({
          to: sms.to,
          body: sms.body,
          statusCallback: sms.statusCallback,
          ...(sms.from !== undefined ? { from: sms.from } : {}),
          ...(sms.messagingServiceSid !== undefined ? { messagingServiceSid: sms.messagingServiceSid } : {}),
        }),
      );
      return { sid: message.sid, status: message.status };
    } catch (error) {
      if (error instanceof Error && noted.retryAfter !== undefined) (error as TwilioCallError).retryAfter = noted.retryAfter;
      throw error;
    }
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
