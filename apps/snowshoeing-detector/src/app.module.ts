import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { databaseHealth } from '@sms/database';
import { withAdmin } from '@sms/kafka';
import { KAFKA_CLIENT } from '@sms/nest-kafka';
import { HEALTH_CHECKS, HealthController, JsonLogger } from '@sms/nest-runtime';
import { TenantDirectory } from '@sms/tenancy';
import { serviceImports, serviceKeys } from '@sms/tenancy/service';
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
      imports: serviceImports('snowshoeing-detector', config, logger, () => snowshoeDataSource(config.DATABASE_URL)),
      controllers: [HealthController, ClusterAssignmentConsumer, SnowshoeConsumer, ClustersController],
      providers: [
        ...serviceKeys(config),
        { provide: JsonLogger, useValue: logger },
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
