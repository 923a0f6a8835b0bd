import { aRecipient, call, registerTenant, waitFor, type SimMessage, type TestStack, type TestTenant } from '@sms/testing';

export type { SimMessage } from '@sms/testing';

export interface AuditView {
  id: string;
  status: string;
  twilioSid?: string;
  decisions: { stage: string; decision: string; clauses: string[]; reason: string; at: string }[];
  statuses: { status: string; at: string; source: string; errorCode?: number; reason?: string; cancellation?: 'cancelled' | 'refused'; requestedBy?: string }[];
}

/** Helpers that talk to the running stack the way an upstream product and a phone would. */
export class Pipeline {
  constructor(readonly stack: TestStack) {}

  /** A tenant of its own, under its own brand when given (the platform's clinics each have one). */
  newTenant(brand?: string): Promise<TestTenant> {
    return registerTenant(this.stack, {}, brand === undefined ? {} : { brand });
  }

  async consent(tenant: TestTenant, to: string, campaign = 'offers', basis: 'express' | 'prior_relationship' = 'express'): Promise<string> {
    const answer = await call<{ id: string }>(`${this.stack.urls.consent}/v1/consents`, {
      apiKey: tenant.apiKey,
      body: {
        to,
        brand: tenant.brand,
        campaign,
        basis,
        source: 'web_form',
        capturedAt: new Date(Date.now() - 60_000).toISOString(),
        wording: `Yes, text me from ${tenant.brand}. Msg & data rates may apply. Reply STOP to opt out.`,
        evidence: { formId: 'e2e-signup', ip: '203.0.113.9' },
      },
    });
    if (answer.status !== 201) throw new Error(`consent capture failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.id;
  }

  async send(tenant: TestTenant, message: { to: string; body: string; campaign?: string; useCase?: string; from?: string; sendAt?: string }, idempotencyKey?: string): Promise<string> {
    const answer = await call<{ id: string; status: string }>(`${this.stack.urls.intake}/v1/messages`, {
      apiKey: tenant.apiKey,
      headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
      body: {
        to: message.to,
        from: message.from ?? tenant.senders[0],
        brand: tenant.brand,
        campaign: message.campaign ?? 'offers',
        useCase: message.useCase ?? 'marketing',
        body: message.body,
        ...(message.sendAt ? { sendAt: message.sendAt } : {}),
      },
    });
    if (answer.status !== 202) throw new Error(`send failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.id;
  }

  async simMessages(to: string): Promise<SimMessage[]> {
    const answer = await call<{ messages: SimMessage[] }>(`${this.stack.urls['twilio-simulator']}/sim/messages?to=${encodeURIComponent(to)}`);
    return answer.body.messages;
  }

  async history(tenant: TestTenant, id: string): Promise<AuditView | undefined> {
    const answer = await call<AuditView>(`${this.stack.urls.audit}/v1/messages/${id}`, { apiKey: tenant.apiKey });
    return answer.status === 200 ? answer.body : undefined;
  }

  /** Waits until audit reports the message in one of the given states. */
  waitForStatus(tenant: TestTenant, id: string, statuses: string[], timeoutMs = 30_000): Promise<AuditView> {
    return this.waitForView(tenant, id, `to reach ${statuses.join(' or ')}`, (view) => statuses.includes(view.status), timeoutMs);
  }

  /**
   * Waits until audit's view of the message satisfies `ready`. Statuses and each stage's
   * decision reach audit on different topics, so a message can show `delivered` before the
   * decision of a stage it passed: a test that reads a decision waits for it.
   */
  waitForView(tenant: TestTenant, id: string, what: string, ready: (view: AuditView) => boolean, timeoutMs = 30_000): Promise<AuditView> {
    return waitFor(
      `message ${id} ${what}`,
      async () => {
        const view = await this.history(tenant, id);
        return view && ready(view) ? view : undefined;
      },
      { timeoutMs },
    );
  }

  /** A person texts one of the tenant's numbers. */
  /** A phone texts one of the tenant's numbers; Twilio posts the webhook once and does not retry it. */
  async reply(tenant: TestTenant, from: string, body: string, twilio: { optOutType?: 'STOP' | 'START' | 'HELP' } = {}): Promise<{ webhookStatus: number }> {
    // Through the tenant's Messaging Service, where Advanced Opt-Out gives Twilio's reading of the body.
    const inbound = { from, to: tenant.senders[0], body, ...(twilio.optOutType ? { optOutType: twilio.optOutType, messagingServiceSid: tenant.messagingServiceSid } : {}) };
    const answer = await call<{ webhookStatus: number }>(`${this.stack.urls['twilio-simulator']}/sim/inbound`, { body: inbound });
    if (answer.status !== 200 || answer.body.webhookStatus !== 200) throw new Error(`inbound webhook failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** Consents `to`, then sends their unclear reply, which pauses marketing to them (held for review); resolves once consent shows the pause. */
  async pauseMarketing(tenant: TestTenant, to: string, unclearReply: string): Promise<void> {
    await this.consent(tenant, to);
    await this.reply(tenant, to, unclearReply);
    await waitFor('the pause', async () => {
      const state = await call<{ state: { marketingPaused: boolean } }>(`${this.stack.urls.consent}/v1/consents?to=${encodeURIComponent(to)}&brand=${encodeURIComponent(tenant.brand)}`, {
        apiKey: tenant.apiKey,
      });
      return state.body.state.marketingPaused ? true : undefined;
    });
  }

  recipient(): string {
    return aRecipient();
  }
}
