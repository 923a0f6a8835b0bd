import { Inject, Injectable } from '@nestjs/common';
import type { AnalystEvent } from '@sms/contracts';
import { Pseudonymizer } from '@sms/domain';
import { KafkaPublisher, record } from '@sms/kafka';
import { AUDIT_CONFIG_TOKEN, type AuditConfig } from '../config.js';
import type { AnalystPseudonyms } from '../rules/analyst.js';

/**
 * The pseudonymised stream for analysts (`audit.analyst.v1`, AUP.DATA_SAFEGUARDS). Its
 * pseudonyms come from a key of their own, so an analyst cannot match them with the
 * platform's internal recipient tokens; they are stable per tenant, so joins still work.
 */
@Injectable()
export class AnalystStream implements AnalystPseudonyms {
  private readonly platform: Pseudonymizer;
  private readonly analysts: Pseudonymizer;

  constructor(
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(AUDIT_CONFIG_TOKEN) config: AuditConfig,
  ) {
    this.platform = new Pseudonymizer(config.PII_HASH_KEY);
    this.analysts = new Pseudonymizer(config.ANALYST_HASH_KEY);
  }

  recipientToken(tenantId: string, number: string): string {
    return this.platform.token(tenantId, number);
  }

  recipient(tenantId: string, recipientToken: string): string {
    return this.analysts.token(tenantId, `recipient:${recipientToken}`);
  }

  sender(tenantId: string, sender: string): string {
    return this.analysts.token(tenantId, `sender:${sender}`);
  }

  publish(events: AnalystEvent[]): Promise<void> {
    return this.publisher.publishRaw(events.map((e) => record('analyst', e.tenantId, e)));
  }
}
