import type { MessageEnvelope, TenantConfigEvent } from '@sms/contracts';
import type { SenderRates } from './rule-data.js';

/** A rate a message's segments count against, shared by every message with the same key. */
export interface RateBucket {
  key: string;
  segmentsPerSecond: number;
}

/** How one message may be paced (AUP.SERVICE_LIMITS). */
export interface SenderPlan {
  /** The queue the message waits in: one per sender number or messaging service. */
  senderKey: string;
  /** Every rate the message must fit: the sender's, and a 10DLC brand's per carrier. */
  buckets: RateBucket[];
  /** T-Mobile's daily cap of a 10DLC brand, when the message may go to T-Mobile. */
  dailyCap?: { key: string; brand: string; cap: number; dayTimeZone: string };
  /** For audit facts and logs: what limits applied. */
  description: string;
}

type Sender = TenantConfigEvent['senders'][number];
type SenderType = Sender['type'];
type Carrier = NonNullable<MessageEnvelope['recipient']['carrier']>;

/** The queue key of a message: the same as the key of `sms.cleared.v1`. */
export function senderKeyOf(envelope: MessageEnvelope): string {
  return `${envelope.tenantId}|${envelope.message.from ?? envelope.message.messagingServiceSid ?? ''}`;
}

function tenDlcRate(data: SenderRates, sender: Sender): { total: number; split: boolean; tmobileDailyCap: number; registration: string } {
  const registration = sender.registration ?? data.tenDlc.defaultRegistration;
  if (registration === 'standard_brand') {
    const entry = data.tenDlc.registrations.standard_brand;
    const score = sender.trustScore ?? 0;
    const tier = [...entry.trustScoreTiers].sort((a, b) => b.minScore - a.minScore).find((t) => score >= t.minScore) ?? entry.trustScoreTiers.at(-1)!;
    return { total: tier.segmentsPerSecond, split: entry.splitAcrossCarriers, tmobileDailyCap: entry.tmobileDailyCap, registration: `standard brand, trust score ${score}` };
  }
  const entry = data.tenDlc.registrations[registration];
  return { total: entry.segmentsPerSecond, split: entry.splitAcrossCarriers, tmobileDailyCap: entry.tmobileDailyCap, registration: registration.replaceAll('_', ' ') };
}

/** The slowest 10DLC registration among the numbers a message may go out from. */
function slowestTenDlc(data: SenderRates, senders: Sender[]): { sender: Sender; rate: ReturnType<typeof tenDlcRate> } | undefined {
  let best: { sender: Sender; rate: ReturnType<typeof tenDlcRate> } | undefined;
  for (const sender of senders) {
    const rate = tenDlcRate(data, sender);
    if (!best || rate.total < best.rate.total) best = { sender, rate };
  }
  return best;
}

const typeRate = (data: SenderRates, type: Exclude<SenderType, '10dlc'>): number => data.senderTypes[type].segmentsPerSecond;

/**
 * Why the pair of a From and a MessagingServiceSid given together must not be sent, or null
 * when it may: with both, Twilio sends from that From only if it is a number of the service's
 * sender pool (CreateMessage: "a specific sender from your Sender Pool") and refuses any other
 * with 21711. The pool is the tenant's configuration (its senders' messagingServiceSid).
 */
export function senderOutsidePool(envelope: MessageEnvelope, tenant: TenantConfigEvent | undefined): string | null {
  const { from, messagingServiceSid } = envelope.message;
  if (from === undefined || messagingServiceSid === undefined) return null;
  if (tenant?.senders.some((s) => s.number === from && s.messagingServiceSid === messagingServiceSid)) return null;
  return `the sender ${from} is not a number of messaging service ${messagingServiceSid} in the tenant's configuration, and Twilio refuses a From outside the service's sender pool (21711): not sent`;
}

/**
 * The rates a message must respect: its sender number's (long code 1 segment/s, toll-free 3,
 * short code 100), or for a messaging service the sum of its pool's, as Twilio paces a service;
 * and for 10DLC the brand's throughput by registration and trust score, split evenly across the
 * carriers. A message whose carrier is unknown may reach any of them, so it counts against
 * every carrier's share, and against T-Mobile's daily cap.
 */
export function senderPlan(data: SenderRates, envelope: MessageEnvelope, tenant: TenantConfigEvent | undefined): SenderPlan {
  const senderKey = senderKeyOf(envelope);
  const { from, messagingServiceSid, brand } = envelope.message;
  const candidates: Sender[] =
    from !== undefined
      ? (tenant?.senders.filter((s) => s.number === from) ?? [])
      : (tenant?.senders.filter((s) => messagingServiceSid !== undefined && s.messagingServiceSid === messagingServiceSid) ?? []);

  const buckets: RateBucket[] = [];
  const descriptions: string[] = [];

  const plain = candidates.filter((s): s is Sender & { type: Exclude<SenderType, '10dlc'> } => s.type !== '10dlc');
  const tenDlc = candidates.filter((s) => s.type === '10dlc');
  if (plain.length > 0 || tenDlc.length === 0) {
    const rate = plain.length > 0 ? plain.reduce((sum, s) => sum + typeRate(data, s.type), 0) : typeRate(data, data.unknownSenderType);
    buckets.push({ key: `sender:${senderKey}`, segmentsPerSecond: rate });
    descriptions.push(
      plain.length === 0
        ? `unknown sender paced as a ${data.unknownSenderType.replaceAll('_', ' ')} (${rate} segment/s)`
        : from !== undefined
          ? `${plain[0]!.type.replaceAll('_', ' ')} (${rate} segment/s)`
          : `messaging service of ${plain.length} number(s) (${rate} segment/s)`,
    );
  }

  let dailyCap: SenderPlan['dailyCap'];
  const slowest = slowestTenDlc(data, tenDlc);
  if (slowest) {
    const brandName = slowest.sender.brand ?? brand;
    const brandKey = `${envelope.tenantId}|${brandName}`;
    const carrier: Carrier | undefined = envelope.recipient.carrier;
    const carriers = data.tenDlc.carriers;
    if (slowest.rate.split) {
      const share = slowest.rate.total / carriers.length;
      const reached = carrier !== undefined && (carriers as string[]).includes(carrier) ? [carrier] : carriers;
      for (const c of reached) buckets.push({ key: `10dlc:${brandKey}|${c}`, segmentsPerSecond: share });
      descriptions.push(`10DLC ${slowest.rate.registration}: ${share} segment/s per carrier, ${reached.length === 1 ? `to ${reached[0]}` : 'carrier unknown'}`);
    } else {
      buckets.push({ key: `10dlc:${brandKey}`, segmentsPerSecond: slowest.rate.total });
      descriptions.push(`10DLC ${slowest.rate.registration}: ${slowest.rate.total} segment/s`);
    }
    if (carrier === undefined || carrier === 'tmobile') {
      const configured = tenant?.brands.find((b) => b.name === brandName)?.tmobileDailyCap;
      dailyCap = { key: `tmobile:${brandKey}`, brand: brandName, cap: configured ?? slowest.rate.tmobileDailyCap, dayTimeZone: data.tenDlc.tmobileDayTimeZone };
    }
  }

  return {
    senderKey,
    buckets,
    ...(dailyCap ? { dailyCap } : {}),
    description: descriptions.join('; '),
  };
}
