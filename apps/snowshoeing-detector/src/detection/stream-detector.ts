import type { MessageEnvelope, TenantConfigEvent } from '@sms/contracts';
import { decideSnowshoe, senderOf, type Decision, type SenderRegistry } from '../rules/decide-snowshoe.js';
import { fingerprint, TextRules } from '../rules/fingerprint.js';
import { actorMarkers, sharedByDesign, type SharedByDesign } from '../rules/markers.js';
import type { SnowshoeRules, TextNormalisation } from '../rules/rule-data.js';
import { indexSettings } from './cluster-assignment.js';
import { MemoryStore } from './memory-store.js';

/** One message of a time-ordered stream, as the command line reads it. */
export interface StreamMessage {
  id: string;
  tenant: string;
  campaign: string;
  from?: string;
  messagingServiceSid?: string;
  to: string;
  body: string;
  /** ISO 8601 time or epoch milliseconds. */
  at: string | number;
  brand?: string;
}

/**
 * The whole detector (fingerprint, cluster index, windows, decision) over one time-ordered
 * stream in one process, on the in-memory store. The service runs the same functions with
 * the Redis store, split over two Kafka stages.
 */
export class StreamDetector {
  readonly store: MemoryStore;
  private readonly text: TextRules;
  private readonly shared: SharedByDesign;

  constructor(
    private readonly data: SnowshoeRules,
    text: TextNormalisation,
    private readonly tenants: ReadonlyMap<string, TenantConfigEvent> = new Map(),
    private readonly registry: SenderRegistry = tenants.size > 0 ? 'tenants' : 'unknown',
  ) {
    this.text = new TextRules(text);
    this.shared = sharedByDesign(data.markers);
    const longest = Math.max(...data.windows.map((w) => w.ms));
    this.store = new MemoryStore(indexSettings(data.similarity, longest), Math.max(longest, data.senders.newForMs));
  }

  process(message: StreamMessage): Decision {
    const at = typeof message.at === 'number' ? message.at : Date.parse(message.at);
    if (!Number.isFinite(at)) throw new Error(`message ${message.id}: "at" is not a time`);
    const tenant = this.tenants.get(message.tenant);
    const iso = new Date(at).toISOString();
    const envelope = toEnvelope(message, iso, tenant);
    const fp = fingerprint(message.body, this.text, this.data.similarity);
    const assignment = this.store.assignOne(fp, at);
    const markers = actorMarkers(fp, envelope.message.brand, this.shared);
    const shared = this.store.observeMarkers(markers, message.tenant, senderOf(envelope, tenant), at, this.data);
    // Verdicts are stamped with the message's own time: the same stream gives the same output.
    return decideSnowshoe({ envelope, template: fp.template, markers, ...assignment }, tenant, this.store, this.data, this.registry, iso, at, shared);
  }
}

function toEnvelope(m: StreamMessage, acceptedAt: string, tenant: TenantConfigEvent | undefined): MessageEnvelope {
  const brand = m.brand ?? tenant?.campaigns.find((c) => c.id === m.campaign)?.brand ?? tenant?.brands[0]?.name ?? m.tenant;
  return {
    schema: 'sms.envelope',
    version: 1,
    id: m.id,
    tenantId: m.tenant,
    kind: 'standard',
    channel: 'kafka',
    acceptedAt,
    message: {
      to: m.to,
      ...(m.from !== undefined ? { from: m.from } : {}),
      ...(m.messagingServiceSid !== undefined ? { messagingServiceSid: m.messagingServiceSid } : {}),
      brand,
      campaign: m.campaign,
      useCase: 'marketing',
      body: m.body,
    },
    recipient: { country: 'US' },
    verdicts: [],
  };
}
