/** Twilio's JSON error body, as the REST API returns it with a 4xx/5xx status. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

/** Twilio's wording for the errors the simulator produces or is commonly asked to inject. */
const MESSAGES: Readonly<Record<number, string>> = {
  20001: 'Invalid parameter',
  20003: 'Authenticate',
  20004: 'Method not allowed',
  20404: 'The requested resource was not found',
  20429: 'Too Many Requests',
  20500: 'Internal Server Error',
  20503: 'Service Unavailable',
  21211: "The 'To' number is not a valid phone number.",
  21408: 'Permission to send an SMS has not been enabled for the region indicated by the To number',
  21602: 'Message body is required.',
  21603: "A 'From' phone number is required.",
  21604: "A 'To' phone number is required.",
  21606: "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination.",
  21609: 'Invalid StatusCallback url',
  21610: 'Attempt to send to unsubscribed recipient',
  21611: "This 'From' number has exceeded the maximum number of queued messages",
  21612: "The 'To' phone number is not currently reachable via SMS",
  21614: "'To' number is not a valid mobile number",
  21617: 'The concatenated message body exceeds the 1600 character limit.',
  21701: 'The Messaging Service Sid is invalid.',
  21711: 'Phone Number Shortcode or AlphaSender is not associated to the specified Messaging Service.',
  30001: 'Queue overflow',
  30002: 'Account suspended',
  30003: 'Unreachable destination handset',
  30004: 'Message blocked',
  30005: 'Unknown destination handset',
  30006: 'Landline or unreachable carrier',
  30007: 'Carrier violation',
  30008: 'Unknown error',
  30022: 'US A2P 10DLC - Rate Limits Exceeded',
  30032: 'Toll-Free Number Has Not Been Verified',
  30034: 'US A2P 10DLC - Message from an Unregistered Number',
  63038: 'Account exceeded the daily messages limit',
};

export function twilioErrorMessage(code: number): string {
  return MESSAGES[code] ?? `Simulated Twilio error ${code}`;
}

export function twilioError(status: number, code: number, message: string = twilioErrorMessage(code)): TwilioErrorBody {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

/**
 * Delivery errors a message can end with after Twilio accepted it (201), and the final status
 * Twilio reports for each: `failed` when Twilio itself could not send it, `undelivered` when the
 * carrier or handset did not take it.
 *
 * The account and registration limits are reported the same way, after the create call
 * succeeded, by their error pages' log type:
 * - 63038, the account's daily message limit over a rolling 24 hours, is Twilio's own ("Log
 *   Type: TWILIO", https://www.twilio.com/docs/api/errors/63038): the message fails at Twilio,
 *   never sent, like a queue overflow;
 * - 30022 (10DLC campaign rate exceeded, https://www.twilio.com/docs/api/errors/30022), 30032
 *   (toll-free number not verified, https://www.twilio.com/docs/api/errors/30032) and 30034
 *   (unregistered 10DLC number, https://www.twilio.com/docs/api/errors/30034) are the carriers'
 *   ("Log Type: CARRIER": a downstream carrier rejects or blocks the message): the callback says
 *   `undelivered` with the ErrorCode, as Twilio's callbacks for 30034 do
 *   (`MessageStatus=undelivered&ErrorCode=30034`).
 */
export const DELIVERY_ERRORS: ReadonlyMap<number, 'failed' | 'undelivered'> = new Map([
  [30001, 'failed'],
  [30002, 'failed'],
  [30003, 'undelivered'],
  [30004, 'undelivered'],
  [30005, 'undelivered'],
  [30006, 'undelivered'],
  [30007, 'undelivered'],
  [30008, 'failed'],
  [30022, 'undelivered'],
  [30032, 'undelivered'],
  [30034, 'undelivered'],
  [63038, 'failed'],
]);
