import { OutboxLease } from '@sms/database';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { HealthController, MetricsController, type JsonLogger } from '@sms/nest-runtime';
import { DATABASE_AND_TENANTS_HEALTH, serviceImports, serviceKeys } from '@sms/tenancy/service';
import { DataSource } from 'typeorm';
import { CancelRequestsConsumer } from './cancellation/cancel-requests.consumer.js';
import { CancellationsRepository } from './cancellation/cancellations.repository.js';
import { DISPATCHER_CONFIG_TOKEN, type DispatcherConfig } from './config.js';
import { ConsentStateConsumer } from './consent-state/consent-state.consumer.js';
import { ConsentViewRepository } from './consent-state/consent-view.repository.js';
import { dispatcherDataSource } from './database/data-source.js';
import { DeliveriesRepository } from './delivery/deliveries.repository.js';
import { DeliveryLookup } from './delivery/delivery-lookup.js';
import { DeliveryStatusConsumer } from './delivery/delivery-status.consumer.js';
import { ClaimRoundRepository } from './dispatch/claim-round.repository.js';
import { ClearedMessagesConsumer } from './dispatch/cleared-messages.consumer.js';
import { DispatchOutbox } from './dispatch/dispatch-outbox.js';
import { DispatchPolicy } from './dispatch/dispatch-policy.js';
import { OptOutScreen } from './dispatch/opt-out-screen.js';
import { OUTBOX_LEASE, OutboxRepository } from './dispatch/outbox.repository.js';
import { ClaimLease } from './dispatch/claim-lease.js';
import { SendEngine } from './dispatch/send-engine.js';
import { SendLedgerRepository } from './dispatch/send-ledger.repository.js';
import { SendPausesRepository } from './dispatch/send-pauses.repository.js';
import { SendPauses } from './dispatch/send-pauses.service.js';
import { SendQueueService } from './dispatch/send-queue.service.js';
import { SendReconciler } from './dispatch/send-reconciler.js';
import { TwilioGateway } from './twilio/twilio-gateway.js';
import { loadRuleData, RULE_DATA } from './rules/rule-data.js';

@Module({})
export class DispatcherModule {
  static forRoot(config: DispatcherConfig, logger: JsonLogger): DynamicModule {
    return {
      module: DispatcherModule,
      // The pool serves the consumers, the claim rounds and the batched outcome writes at once.
      imports: serviceImports('dispatcher', config, logger, () => dispatcherDataSource(config.DATABASE_URL, 20)),
      controllers: [HealthController, MetricsController, ClearedMessagesConsumer, ConsentStateConsumer, DeliveryStatusConsumer, CancelRequestsConsumer],
      providers: [
        { provide: DISPATCHER_CONFIG_TOKEN, useValue: config },
        ...serviceKeys(config),
        // Rule data is validated and loaded once at start-up: a broken file stops the service from starting.
        { provide: RULE_DATA, useFactory: loadRuleData },
        DATABASE_AND_TENANTS_HEALTH,
        {
          provide: OUTBOX_LEASE,
          inject: [DataSource],
          useFactory: (db: DataSource) => {
            const log = new Logger('OutboxLease');
            return new OutboxLease(db, 'dispatcher.outbox_instances', config.OUTBOX_CLAIM_LEASE_MS, (message, error) => log.warn({ message, error: error.message }));
          },
        },
        // First: its lease is taken before anything writes to the outbox.
        DispatchOutbox,
        // The repositories, each beside the feature that owns its tables.
        OutboxRepository,
        SendLedgerRepository,
        ClaimRoundRepository,
        SendPausesRepository,
        ConsentViewRepository,
        DeliveriesRepository,
        CancellationsRepository,
        DeliveryLookup,
        DispatchPolicy,
        OptOutScreen,
        ClaimLease,
        SendEngine,
        SendPauses,
        SendQueueService,
        SendReconciler,
        TwilioGateway,
      ],
    };
  }
}
