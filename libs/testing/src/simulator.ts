/**
 * A message as the Twilio simulator's `GET /sim/messages` lists it: the wire shape tests and
 * benchmarks read (the simulator, a development tool, defines it; apps do not import apps).
 */
export interface SimMessage {
  /** Order of arrival (0, 1, ...): `GET /sim/messages?since=<seq>` reads on from it. */
  seq: number;
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  status: string;
  errorCode: number | null;
  numSegments: number;
  /** When the simulator received the create request, ISO 8601 with milliseconds. */
  receivedAt: string;
  statusCallback: string | null;
  /** `outbound-api` for a send through the API, `outbound-reply` for Twilio's own keyword reply. */
  direction: 'outbound-api' | 'outbound-reply';
}
