import { z } from 'zod';
import { E164Schema, MessagingServiceSidSchema } from './common.js';
import { MessageEnvelopeSchema } from './envelope.event.js';

/**
 * The measures the snowshoeing detector keeps per sending identity (a tenant's content
 * cluster) and window, and for the actor markers a message shares with other tenants
 * (MP.EVASION.SNOWSHOE). A rule of the detector holds or blocks when every measure it names
 * reaches its minimum.
 */
export const SnowshoeMeasureSchema = z.enum([
  'messages',
  'distinctSenders',
  'effectiveSenders',
  /** Senders beyond what the content's volume justifies (an ordinary pool, or the numbers its rate needs). */
  'excessSenders',
  'retiredSenders',
  /** Senders that joined the content after it was established (a pool growing mid-campaign). */
  'lateSenders',
  'newSenders',
  'outsideCampaignPool',
  'unregisteredSenders',
  /** Tenants sending with one of this message's actor markers (its link domain, call-back number or full text). */
  'tenants',
  /** Messages and sender numbers carrying that marker, over every tenant. */
  'sharedMessages',
  'sharedSenders',
]);
export type SnowshoeMeasure = z.infer<typeof SnowshoeMeasureSchema>;

/**
 * Per-tenant or per-campaign changes to the detector's default snowshoeing rules, by rule
 * name: new minimums for some of the rule's measures, or "off". A campaign's overrides win
 * over its tenant's.
 */
export const SnowshoeOverridesSchema = z.record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/), z.union([z.literal('off'), z.partialRecord(SnowshoeMeasureSchema, z.number().min(0).max(1_000_000))]));
export type SnowshoeOverrides = z.infer<typeof SnowshoeOverridesSchema>;

/** A campaign's own sender pool: numbers and messaging services it may send from. */
export const CampaignSenderPoolSchema = z.array(z.union([E164Schema, MessagingServiceSidSchema])).max(1000);

/**
 * Internal to the snowshoeing detector: a screened message with the content cluster it
 * belongs to, re-keyed by cluster so that one instance sees all of a cluster's messages in
 * order and keeps its windows without cross-instance coordination.
 */
export const ClusteredMessageEventSchema = z.strictObject({
  envelope: MessageEnvelopeSchema,
  /** The content cluster (a template fingerprint or near-duplicate group), hex. */
  clusterId: z.string().regex(/^[0-9a-f]{16}$/),
  /** The message's own template fingerprint, hex. */
  template: z.string().regex(/^[0-9a-f]{16}$/),
  /** How the cluster was found: its own template, an earlier message's template, or near-duplicate. */
  match: z.enum(['new', 'template', 'near_duplicate']),
  /** Near-duplicates: the share of the message's content words the cluster had already used. */
  similarity: z.number().min(0).max(1).optional(),
  /**
   * Its actor markers, which link tenants into one actor's campaign: `d:` a link's registrable
   * domain, `p:` a call-back number, `t:` the full text with personal fields masked.
   */
  markers: z.array(z.string().min(3).max(300)).max(32).optional(),
});
export type ClusteredMessageEvent = z.infer<typeof ClusteredMessageEventSchema>;
