import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { AlertEvent, PauseRule } from '@sms/contracts';
import { KafkaPublisher, record } from '@sms/kafka';
import type { Context } from '@sms/tracing';
import { Periodic } from '@sms/util';
import { Counter, Gauge, register } from 'prom-client';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from '../config.js';
import { SendPausesRepository, type StoredPause } from './send-pauses.repository.js';
import { RULE_DATA, type RuleData } from '../rules/rule-data.js';
import { pauseFor } from '../rules/twilio-errors.js';
import { ACCOUNT_SCOPE, nextPause, pauseActive, pauseDescription, senderOfScope, tenantOfScope, type PauseTimings } from '../rules/send-pauses.js';
import { TwilioGateway } from '../twilio/twilio-gateway.js';

/** sms_sending_paused{scope, code}: pauses in force (runbook: sending-paused). */
const pausedGauge =
  (register.getSingleMetric('sms_sending_paused') as Gauge<'scope' | 'code'> | undefined) ??
  new Gauge({ name: 'sms_sending_paused', help: 'Sending pauses in force, by scope (account, sender, credentials) and the Twilio error that caused them', labelNames: ['scope', 'code'] as const });
/** sms_sending_pauses_total{scope, code}: pauses started. */
const pausesStarted =
  (register.getSingleMetric('sms_sending_pauses_total') as Counter<'scope' | 'code'> | undefined) ??
  new Counter({ name: 'sms_sending_pauses_total', help: 'Sending pauses started, by scope and the Twilio error that caused them', labelNames: ['scope', 'code'] as const });

/** How often the view of the pauses (and the gauge) is read again from the database. */
const REFRESH_MS = 1_000;

/** Where a paused message stands: when it is due again, and what its status says. */
export interface PausedFor {
  dueAt: Date;
  reason: string;
  clauses: PauseRule['clauses'];
  /** When the pause ends by itself; null when an operator (or working credentials) must end it. */
  untilMs: number | null;
}

/**
 * Pauses of sending after Twilio's answers about the account, a sender or the credentials
 * rather than a message (rule data `pauses`): 63038 pauses the account, 30022 and 21611 a
 * sender for a while, 30032 and 30034 a sender until an operator clears it, and a 401 (20003)
 * this instance until its credentials work again. Account and sender pauses are rows of
 * `dispatcher.send_pauses`, shared by every instance (claim rounds skip what they pause); this
 * keeps a view of them, refreshed every second, for the check right before each call. The
 * credentials are the instance's own, so their pause is too: it ends when a probe succeeds.
 * Each pause that starts is logged at error (critical) or warn level, counted, and sent as a
 * `sending_paused` alert to the tenants whose messages wait.
 */
@Injectable()
export class SendPauses implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SendPauses.name);
  private active = new Map<string, StoredPause>();
  private credentials: { since: Date; code: number; rule: PauseRule } | null = null;
  private readonly instance = randomUUID().slice(0, 8);
  private readonly refresher: Periodic;
  private readonly prober: Periodic;
  private readonly timings: PauseTimings;

  constructor(
    @Inject(SendPausesRepository) private readonly stored: SendPausesRepository,
    @Inject(TwilioGateway) private readonly twilio: TwilioGateway,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
    @Inject(RULE_DATA) private readonly rules: RuleData,
    @Inject(DISPATCHER_CONFIG_TOKEN) private readonly config: DispatcherConfig,
  ) {
    this.timings = { recheckMs: config.DAILY_LIMIT_RECHECK_MS, backoffMs: config.RATE_PAUSE_MS, backoffMaxMs: config.RATE_PAUSE_MAX_MS };
    this.refresher = new Periodic(
      REFRESH_MS,
      () => this.refresh(),
      (error) => this.logger.warn({ message: 'reading sending pauses failed; will retry', error: error.message }),
    );
    this.prober = new Periodic(
      config.AUTH_PROBE_MS,
      () => this.probe(),
      (error) => this.logger.warn({ message: 'probing the Twilio credentials failed; will retry', error: error.message }),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh().catch((error: Error) => this.logger.warn({ message: 'reading sending pauses failed; will retry', error: error.message }));
    this.refresher.start();
    this.prober.start();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.refresher.stop(), this.prober.stop()]);
  }

  /** Whether this instance's credentials are refused: it claims nothing and calls nothing until they work again. */
  get credentialsRefused(): boolean {
    return this.credentials !== null;
  }

  /**
   * What holds back a message of this sender now: its sender's pause, the account's, or this
   * instance's refused credentials; null when nothing does.
   */
  blocking(senderKey: string): PausedFor | null {
    const now = Date.now();
    if (this.credentials) {
      const { rule, code } = this.credentials;
      return { dueAt: new Date(now), reason: credentialsReason(rule, code), clauses: rule.clauses, untilMs: null };
    }
    for (const scope of [ACCOUNT_SCOPE, senderKey]) {
      const pause = this.active.get(scope);
      if (!pause || !pauseActive({ untilMs: pause.until?.getTime() ?? null }, now)) continue;
      const untilMs = pause.until?.getTime() ?? null;
      const clauses = pauseFor(this.rules.twilioErrors, pause.code)?.clauses ?? ['AUP.SERVICE_LIMITS'];
      return { dueAt: new Date(untilMs ?? now), reason: pauseDescription(pause, pause.code, scope, untilMs), clauses, untilMs };
    }
    return null;
  }

  /**
   * Twilio answered an error that pauses a scope: records the pause (or finds the one in
   * force), alerts when it starts, and says when the message that met it is due again. A
   * message waiting for an operator is due at once: claim rounds skip its sender meanwhile.
   */
  async hit(rule: PauseRule, code: number, senderKey: string, tenantId: string, ctx?: Context): Promise<PausedFor> {
    if (rule.scope === 'credentials') {
      if (!this.credentials) {
        this.credentials = { since: new Date(), code, rule };
        pausesStarted.inc({ scope: 'credentials', code: String(code) });
        this.refreshGauge();
        this.logger.error({ message: 'Twilio refused the credentials: this instance stops sending until they work again', code, reason: rule.reason, probeEveryMs: this.config.AUTH_PROBE_MS });
        await this.alert(rule, code, 'credentials', null, this.credentials.since, [tenantId], ctx);
      }
      return { dueAt: new Date(), reason: credentialsReason(rule, code), clauses: rule.clauses, untilMs: null };
    }
    const scope = rule.scope === 'account' ? ACCOUNT_SCOPE : senderKey;
    const pause = await this.stored.pause(scope, code, rule.reason, (stored, nowMs) => nextPause(rule, stored, nowMs, this.timings));
    this.active.set(scope, pause);
    const untilMs = pause.until?.getTime() ?? null;
    if (pause.started) {
      pausesStarted.inc({ scope: rule.scope, code: String(code) });
      this.refreshGauge();
      const line = {
        message: `sending paused for ${scope === ACCOUNT_SCOPE ? 'the whole Twilio account' : `sender ${senderOfScope(scope)} of tenant ${tenantOfScope(scope)}`}`,
        scope,
        code,
        reason: rule.reason,
        until: pause.until?.toISOString() ?? 'until an operator clears it',
      };
      if (rule.severity === 'critical') this.logger.error(line);
      else this.logger.warn(line);
      await this.alert(rule, code, scope, pause.until, pause.since, [tenantId], ctx);
    }
    return { dueAt: new Date(untilMs ?? Date.now()), reason: pauseDescription(pause, pause.code, scope, untilMs), clauses: rule.clauses, untilMs };
  }

  /** Reads the pauses in force again (another instance, or an operator, may have changed them). */
  async refresh(): Promise<void> {
    const pauses = await this.stored.activePauses();
    this.active = new Map(pauses.map((p) => [p.scope, p]));
    this.refreshGauge();
  }

  private refreshGauge(): void {
    pausedGauge.reset();
    const now = Date.now();
    for (const p of this.active.values()) {
      if (pauseActive({ untilMs: p.until?.getTime() ?? null }, now)) pausedGauge.inc({ scope: p.scope === ACCOUNT_SCOPE ? 'account' : 'sender', code: String(p.code) });
    }
    if (this.credentials) pausedGauge.inc({ scope: 'credentials', code: String(this.credentials.code) });
  }

  /** While the credentials are refused: do they work again? Then sending resumes. */
  private async probe(): Promise<void> {
    if (!this.credentials) return;
    const answer = await this.twilio.probe();
    if (answer !== 'ok') return;
    this.logger.log({ message: 'Twilio accepts the credentials again: sending resumes', pausedSince: this.credentials.since.toISOString() });
    this.credentials = null;
    this.refreshGauge();
  }

  /** Twilio refused the credentials before anything was sent (start-up): no claim until they work. */
  async credentialsRefusedAtStart(rule: PauseRule, code: number): Promise<void> {
    if (this.credentials) return;
    this.credentials = { since: new Date(), code, rule };
    pausesStarted.inc({ scope: 'credentials', code: String(code) });
    this.refreshGauge();
    this.logger.error({ message: 'Twilio refuses the credentials at start: this instance sends nothing until they work', code, reason: rule.reason, probeEveryMs: this.config.AUTH_PROBE_MS });
    await this.alert(rule, code, 'credentials', null, this.credentials.since, [], undefined);
  }

  /**
   * A `sending_paused` alert to each tenant concerned: the sender's tenant, or for the account
   * (and refused credentials) every tenant whose messages wait, and the one whose message met it.
   */
  private async alert(rule: PauseRule, code: number, scope: string, until: Date | null, since: Date, alsoTenants: string[], ctx: Context | undefined): Promise<void> {
    const own = tenantOfScope(scope === 'credentials' ? ACCOUNT_SCOPE : scope);
    const tenants = own !== null ? [own] : [...new Set([...(await this.stored.waiting(ACCOUNT_SCOPE)).keys(), ...alsoTenants])];
    const who = scope === 'credentials' ? `this dispatcher instance (${this.instance})` : scope === ACCOUNT_SCOPE ? 'the whole Twilio account' : `sender ${senderOfScope(scope)}`;
    const reason = `Sending paused for ${who}: ${rule.reason} (Twilio error ${code}); ${until ? `resumes at ${until.toISOString()}` : rule.resume === 'probe' ? 'resumes when Twilio accepts the credentials again' : 'until an operator clears the pause'}. Messages wait; none is failed for it.`;
    const at = new Date().toISOString();
    const alertScope = scope === 'credentials' ? `credentials:${this.instance}` : scope;
    const records = tenants.map((tenantId) => {
      const event: AlertEvent = {
        alertId: `sending_paused:${alertScope}:${since.toISOString()}`.slice(0, 200),
        tenantId,
        kind: 'sending_paused',
        severity: rule.severity,
        clauses: rule.clauses,
        reason: reason.slice(0, 1000),
        errorCode: code,
        ...(scope !== ACCOUNT_SCOPE && scope !== 'credentials' ? { sender: senderOfScope(scope) } : {}),
        ...(until ? { pausedUntil: until.toISOString() } : {}),
        at,
      };
      return record('alerts', tenantId, event, ctx);
    });
    await this.publisher.publishRaw(records);
  }
}

function credentialsReason(rule: PauseRule, code: number): string {
  return `sending paused until Twilio accepts this instance's credentials again: ${rule.reason} (Twilio error ${code}); the message waits, nothing is failed for it`;
}
