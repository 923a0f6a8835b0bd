import { Inject, Injectable } from '@nestjs/common';
import type { MessageEnvelope } from '@sms/contracts';
import { recipientLocale } from '@sms/domain';
import { TenantDirectory } from '@sms/tenancy';
import { PolicyClock } from '../clock/policy-clock.js';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from '../config.js';
import { RULE_DATA, type RuleData } from '../rules/rule-data.js';
import { checkQuietHours, recipientZones, type QuietHoursVerdict } from '../rules/quiet-hours.js';
import { initialSchedule, type InitialSchedule } from '../rules/send-window.js';
import { senderOutsidePool, senderPlan, type SenderPlan } from '../rules/sender-rate.js';

/** Feeds the dispatcher's pure rules with the tenant directory, the rule data and the policy clock. */
@Injectable()
export class DispatchPolicy {
  readonly clock: PolicyClock;

  constructor(
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(DISPATCHER_CONFIG_TOKEN) config: DispatcherConfig,
    @Inject(RULE_DATA) private readonly rules: RuleData,
  ) {
    this.clock = new PolicyClock(config.DISPATCHER_POLICY_CLOCK_START);
  }

  plan(envelope: MessageEnvelope): SenderPlan {
    return senderPlan(this.rules.senderRates, envelope, this.tenants.get(envelope.tenantId));
  }

  /** Why a From given with a MessagingServiceSid must not be sent (it is not in that service's pool), or null. */
  senderOutsidePool(envelope: MessageEnvelope): string | null {
    return senderOutsidePool(envelope, this.tenants.get(envelope.tenantId));
  }

  /** Quiet hours for the message if it started at a real instant, read on the policy clock. */
  quietHours(envelope: MessageEnvelope, realMs: number): QuietHoursVerdict {
    const tenant = this.tenants.get(envelope.tenantId);
    return checkQuietHours(
      this.rules.quietHours,
      {
        useCase: envelope.message.useCase,
        kind: envelope.kind,
        country: envelope.recipient.country,
        region: envelope.recipient.region,
        timeZones: recipientZones(envelope, (to) => recipientLocale(to).timeZones),
        informationalInQuietHours: tenant?.settings.informationalInQuietHours,
      },
      new Date(this.clock.toPolicyMs(realMs)),
    );
  }

  initialSchedule(envelope: MessageEnvelope, nowMs: number): InitialSchedule {
    return initialSchedule(
      envelope,
      nowMs,
      (at) => this.quietHours(envelope, at),
      (policyMs) => this.clock.toRealMs(policyMs),
    );
  }
}
