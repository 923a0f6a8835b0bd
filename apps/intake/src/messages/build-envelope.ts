import type { MessageEnvelope, SendRequest, TenantConfigEvent } from '@sms/contracts';
import { describePhoneNumberProblem, parseInternationalNumber, recipientLocale } from '@sms/domain';

export interface FieldError {
  path: string;
  message: string;
}

export type BuildResult = { ok: true; envelope: MessageEnvelope } | { ok: false; errors: FieldError[] };

export interface BuildInput {
  id: string;
  tenant: TenantConfigEvent;
  request: SendRequest;
  channel: MessageEnvelope['channel'];
  idempotencyKey: string | undefined;
  now: Date;
}

/** Twilio schedules at most 35 days ahead; we hold the same limit. */
const MAX_SCHEDULE_AHEAD_MS = 35 * 24 * 60 * 60 * 1000;

/**
 * Turns a schema-valid send request into the message envelope: numbers normalised to E.164,
 * the recipient's country, state or province and time zone found from the number (for
 * state rules and quiet hours), sender, brand and campaign checked against the tenant's
 * registrations. Every problem is reported with its path.
 */
export function buildEnvelope(input: BuildInput): BuildResult {
  const { request, tenant } = input;
  const errors: FieldError[] = [];

  const to = parseInternationalNumber(request.to);
  if (!to.ok) errors.push({ path: 'to', message: describePhoneNumberProblem(to.problem) });
  // Twilio refuses a number sending to itself (21211): one of the tenant's own numbers is no recipient.
  else if (tenant.senders.some((s) => s.number === to.value.e164)) {
    errors.push({ path: 'to', message: `${to.value.e164} is one of this tenant's own sender numbers, not a recipient` });
  }

  let from: string | undefined;
  if (request.from !== undefined) {
    const parsed = parseInternationalNumber(request.from);
    if (!parsed.ok) errors.push({ path: 'from', message: describePhoneNumberProblem(parsed.problem) });
    // A number the tenant has not registered is refused here, as a mistake the caller can
    // correct, rather than sent on to be judged as snowshoeing (MP.EVASION.SNOWSHOE), which
    // counts toward suspension (MP.ISV).
    else if (!tenant.senders.some((s) => s.number === parsed.value.e164)) {
      errors.push({ path: 'from', message: `${parsed.value.e164} is not one of this tenant's registered sender numbers` });
    } else from = parsed.value.e164;
  }
  if (request.messagingServiceSid !== undefined && !tenant.messagingServices.some((m) => m.sid === request.messagingServiceSid)) {
    errors.push({ path: 'messagingServiceSid', message: `messaging service ${request.messagingServiceSid} is not one of this tenant's` });
  }

  if (!tenant.brands.some((b) => b.name === request.brand)) {
    errors.push({ path: 'brand', message: `brand "${request.brand}" is not registered for this tenant` });
  }
  const campaign = tenant.campaigns.find((c) => c.id === request.campaign);
  if (!campaign) {
    errors.push({ path: 'campaign', message: `campaign "${request.campaign}" is not registered for this tenant` });
  } else {
    if (campaign.brand !== request.brand) {
      errors.push({ path: 'campaign', message: `campaign "${campaign.id}" belongs to brand "${campaign.brand}", not "${request.brand}"` });
    }
    if (campaign.useCase !== request.useCase) {
      errors.push({ path: 'useCase', message: `campaign "${campaign.id}" is registered for ${campaign.useCase} messages, not ${request.useCase}` });
    }
  }

  if (request.sendAt !== undefined && Date.parse(request.sendAt) - input.now.getTime() > MAX_SCHEDULE_AHEAD_MS) {
    errors.push({ path: 'sendAt', message: 'must be at most 35 days ahead' });
  }

  if (errors.length > 0 || !to.ok) return { ok: false, errors };
  // A time zone only when the number's area code lies in one; else the dispatcher checks every candidate.
  const locale = recipientLocale(to.value.e164);

  return {
    ok: true,
    envelope: {
      schema: 'sms.envelope',
      version: 1,
      id: input.id,
      tenantId: tenant.tenantId,
      kind: 'standard',
      ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
      channel: input.channel,
      acceptedAt: input.now.toISOString(),
      message: {
        to: to.value.e164,
        ...(from !== undefined ? { from } : {}),
        ...(request.messagingServiceSid !== undefined ? { messagingServiceSid: request.messagingServiceSid } : {}),
        brand: request.brand,
        campaign: request.campaign,
        useCase: request.useCase,
        body: request.body,
        ...(request.sendAt !== undefined ? { sendAt: new Date(request.sendAt).toISOString() } : {}),
      },
      // Unknown country: the strictest rules apply downstream (MP.COUNTRY).
      recipient: {
        country: to.value.country ?? 'ZZ',
        ...(locale.region !== undefined ? { region: locale.region } : {}),
        ...(locale.timeZone !== undefined ? { timeZone: locale.timeZone } : {}),
      },
      verdicts: [],
    },
  };
}
