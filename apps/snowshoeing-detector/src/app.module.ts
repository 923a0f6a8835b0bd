import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DatabaseModule, databaseHealth } from '@sms/database';
import { Pseudonymizer } from '@sms/domain';
import { withAdmin } from '@sms/kafka';
import { KafkaModule, KAFKA_CLIENT } from '@sms/nest-kafka';
import { HEALTH_CHECKS, HealthController, JsonLogger } from '@sms/nest-runtime';
import { ADMIN_API_KEY, AdminKeyGuard, TenancyModule, TenantDirectory } from '@sms/tenancy';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { SnowshoeConfig } from './config.js';
import { snowshoeDataSource } from './database/data-source.js';
import { DecisionPruner } from './decisions/decision-pruner.js';
import { DecisionsRepository } from './decisions/decisions.repository.js';

import { ClusterAssignmentConsumer } from './detection/cluster-assignment.consumer.js';
import { ClustersController } from './detection/clusters.controller.js';
import { RedisStore, redisStoreSettings } from './detection/redis-store.js';
import { SnowshoeConsumer } from './detection/snowshoe.consumer.js';
import { SnowshoeMetrics } from './detection/snowshoe-metrics.js';
import { loadRuleData, RULE_DATA, type RuleData } from './rules/rule-data.js';

const REDIS = Symbol('REDIS');

/** Closes the Redis connection after the consumers have stopped. */
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** The Kafka cluster id: the detector's state belongs to the stream it summarises. */
async function kafkaClusterId(kafka: Kafka): Promise<string> {
  return withAdmin(kafka, async (admin) => (await admin.describeCluster()).clusterId);
}

@Module({})
export class SnowshoeingDetectorModule {
  static forRoot(config: SnowshoeConfig, logger: JsonLogger): DynamicModule {
    return {
      module: SnowshoeingDetectorModule,
      imports: [
        DatabaseModule.forRoot(() => snowshoeDataSource(config.DATABASE_URL)),
        KafkaModule.forRoot({ brokers: config.KAFKA_BROKERS, service: 'snowshoeing-detector', log: logger.kafkaSink() }),
        TenancyModule.forRoot(),
      ],
      controllers: [HealthController, ClusterAssignmentConsumer, SnowshoeConsumer, ClustersController],
      providers: [
        { provide: Pseudonymizer, useValue: new Pseudonymizer(config.PII_HASH_KEY) },
        { provide: JsonLogger, useValue: logger },
        { provide: ADMIN_API_KEY, useValue: config.ADMIN_API_KEY },
        AdminKeyGuard,
        // Rule data is validated and loaded once at start-up: a broken file stops the service from starting.
        { provide: RULE_DATA, useFactory: loadRuleData },
        SnowshoeMetrics,
        {
          provide: REDIS,
          useFactory: async (): Promise<Redis> => {
            const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: null, enableAutoPipelining: false });
            redis.on('error', (error: Error) => logger.warn({ message: 'redis connection error', error: error.message }));
            await redis.connect();
            return redis;
          },
        },
        RedisLifecycle,
        {
          provide: RedisStore,
          inject: [REDIS, KAFKA_CLIENT, RULE_DATA],
          useFactory: async (redis: Redis, kafka: Kafka, rules: RuleData): Promise<RedisStore> => {
            const prefix = `${config.SNOWSHOE_REDIS_PREFIX}${await kafkaClusterId(kafka)}:`;
            logger.log({ message: 'snowshoe state in redis', prefix });
            return new RedisStore(redis, prefix, redisStoreSettings(rules.snowshoe));
          },
        },
        { provide: DecisionsRepository, inject: [DataSource], useFactory: (db: DataSource) => new DecisionsRepository(db) },
        {
          provide: DecisionPruner,
          inject: [DecisionsRepository],
          useFactory: (decisions: DecisionsRepository) => new DecisionPruner(decisions, config.SNOWSHOE_DECISION_RETENTION_MS, config.SNOWSHOE_DECISION_PRUNE_INTERVAL_MS, logger),
        },
        {
          provide: HEALTH_CHECKS,
          inject: [TenantDirectory, REDIS, DataSource],
          useFactory: (tenants: TenantDirectory, redis: Redis, db: DataSource) => [tenants.health(), { name: 'redis', check: async () => redis.status === 'ready' }, databaseHealth(db)],
        },
      ],
    };
  }
}
