import { Inject, Injectable } from '@nestjs/common';
import type { MessageEnvelope, ReviewStatus } from '@sms/contracts';
import { DataSource } from 'typeorm';
import { LEDGER_STAGE } from '../rules/history.js';

export interface HeldMessage {
  messageId: string;
  tenantId: string;
  stage: string;
  reason: string;
  clauses: string[];
  heldAt: string;
  status: ReviewStatus;
  decidedBy: string | null;
  decidedAt: string | null;
  note: string | null;
  brand: string;
  campaign: string;
  useCase: string;
  envelope: MessageEnvelope;
}

interface Row {
  message_id: string;
  tenant_id: string;
  stage: string;
  reason: string;
  clauses: string[];
  held_at: Date;
  status: HeldMessage['status'];
  decided_by: string | null;
  decided_at: Date | null;
  note: string | null;
  envelope: MessageEnvelope;
}

const toHeld = (r: Row): HeldMessage => ({
  messageId: r.message_id,
  tenantId: r.tenant_id,
  stage: r.stage,
  reason: r.reason,
  clauses: r.clauses,
  heldAt: r.held_at.toISOString(),
  status: r.status,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at?.toISOString() ?? null,
  note: r.note,
  brand: r.envelope.message.brand,
  campaign: r.envelope.message.campaign,
  useCase: r.envelope.message.useCase,
  envelope: r.envelope,
});

/** The queue of held messages (a work queue; the decisions also go into the history). */
@Injectable()
export class HeldMessagesRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async hold(held: MessageEnvelope[]): Promise<void> {
    // One row per message: a gathered batch may carry a message twice (a redelivery), and one
    // INSERT ... ON CONFLICT may not touch a row twice; its latest envelope (the most verdicts)
    // is the hold that stands.
    const latest = new Map<string, MessageEnvelope>();
    for (const e of held) if (e.verdicts.length >= (latest.get(e.id)?.verdicts.length ?? 0)) latest.set(e.id, e);
    const envelopes = [...latest.values()];
    if (envelopes.length === 0) return;
    const last = envelopes.map((e) => e.verdicts.at(-1)!);
    await this.db.query(
      `INSERT INTO audit.held_messages (message_id, tenant_id, stage, envelope, reason, clauses, held_at, status)
       SELECT id, tenant_id, stage, envelope, reason, ARRAY(SELECT jsonb_array_elements_text(clauses)), held_at, 'pending'
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::jsonb[], $7::timestamptz[])
              AS h(id, tenant_id, stage, envelope, reason, clauses, held_at)
       ON CONFLICT (message_id) DO UPDATE
         SET stage = EXCLUDED.stage, envelope = EXCLUDED.envelope, reason = EXCLUDED.reason, clauses = EXCLUDED.clauses, held_at = EXCLUDED.held_at,
             status = 'pending', decided_by = NULL, decided_at = NULL, note = NULL
         -- Released, then held again (consent decided again on the state of that moment): pending again.
         WHERE held_messages.status = 'approved' AND EXCLUDED.held_at > held_messages.held_at`,
      [
        envelopes.map((e) => e.id),
        envelopes.map((e) => e.tenantId),
        last.map((v) => v.stage),
        envelopes.map((e) => JSON.stringify(e)),
        last.map((v) => v.reason),
        last.map((v) => JSON.stringify(v.clauses)),
        last.map((v) => v.at),
      ],
    );
  }

  /** One tenant's held messages, or (tenant null: the compliance reviewers' queue) every tenant's. */
  async list(tenantId: string | null, status: ReviewStatus | undefined): Promise<HeldMessage[]> {
    const rows = await this.db.query<Row[]>(`SELECT * FROM audit.held_messages WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR status = $2) ORDER BY held_at LIMIT 500`, [
      tenantId,
      status ?? null,
    ]);
    return rows.map(toHeld);
  }

  async find(messageId: string): Promise<HeldMessage | undefined> {
    const rows = await this.db.query<Row[]>(`SELECT * FROM audit.held_messages WHERE message_id = $1`, [messageId]);
    return rows.map(toHeld)[0];
  }

  /** Pending holds of one tenant that rest on an opt-out review (marketing paused: held by consent or the dispatcher). */
  async pendingBehindOptOutReview(tenantId: string): Promise<HeldMessage[]> {
    const rows = await this.db.query<Row[]>(`SELECT * FROM audit.held_messages WHERE tenant_id = $1 AND status = 'pending' AND 'MP.OPTOUT.HONOR' = ANY(clauses) ORDER BY held_at`, [tenantId]);
    return rows.map(toHeld);
  }

  async pendingCount(): Promise<{ tenantId: string; stage: string; count: number }[]> {
    const rows = await this.db.query<{ tenant_id: string; stage: string; count: string }[]>(
      `SELECT tenant_id, stage, count(*) FROM audit.held_messages WHERE status = 'pending' GROUP BY tenant_id, stage`,
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, stage: r.stage, count: Number(r.count) }));
  }

  /**
   * Held messages cancelled while they waited (asked by their tenant, or answered by the
   * dispatcher): no longer anyone's to decide (a later approval is refused).
   */
  async cancelled(items: { messageId: string; tenantId: string; by: string; at: string; note?: string }[]): Promise<Set<string>> {
    if (items.length === 0) return new Set();
    const [rows] = await this.db.query<[{ message_id: string }[], number]>(
      `UPDATE audit.held_messages h SET status = 'cancelled', decided_by = v.by, decided_at = v.at, note = v.note
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[]) AS v(id, tenant_id, by, at, note)
        WHERE h.message_id = v.id AND h.tenant_id = v.tenant_id AND h.status = 'pending'
        RETURNING h.message_id`,
      [items.map((i) => i.messageId), items.map((i) => i.tenantId), items.map((i) => i.by), items.map((i) => i.at), items.map((i) => i.note ?? null)],
    );
    return new Set(rows.map((r) => r.message_id));
  }

  /**
   * Held messages the dispatcher handed to Twilio while they waited: nothing is left to decide
   * (a later decision is refused). Only holds from before the ledger (stopsBeforeTheLedger in
   * rules/history.ts): the dispatcher's own come after its hand-overs.
   */
  async superseded(items: { messageId: string; tenantId: string; at: string }[]): Promise<void> {
    if (items.length === 0) return;
    await this.db.query(
      `UPDATE audit.held_messages h SET status = 'superseded', decided_by = 'dispatcher: handed to Twilio', decided_at = v.at
         FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS v(id, tenant_id, at)
        WHERE h.message_id = v.id AND h.tenant_id = v.tenant_id AND h.status = 'pending' AND h.stage <> $4`,
      [items.map((i) => i.messageId), items.map((i) => i.tenantId), items.map((i) => i.at), LEDGER_STAGE],
    );
  }

  /** Records a decision once; null when the message is not pending (or not this tenant's). */
  async decide(tenantId: string, messageId: string, status: 'approved' | 'rejected', decidedBy: string, note: string | null): Promise<HeldMessage | null> {
    const [rows] = await this.db.query<[Row[], number]>(
      `UPDATE audit.held_messages SET status = $3, decided_by = $4, decided_at = now(), note = $5
        WHERE tenant_id = $1 AND message_id = $2 AND status = 'pending' RETURNING *`,
      [tenantId, messageId, status, decidedBy, note],
    );
    return rows[0] ? toHeld(rows[0]) : null;
  }
}
