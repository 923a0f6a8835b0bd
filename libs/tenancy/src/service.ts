import type { DynamicModule, Provider } from '@nestjs/common';
import { DatabaseModule, databaseHealth } from '@sms/database';
import { Pseudonymizer } from '@sms/domain';
import { KafkaModule } from '@sms/nest-kafka';
import { HEALTH_CHECKS, type JsonLogger } from '@sms/nest-runtime';
import { DataSource } from 'typeorm';
import { ADMIN_API_KEY, AdminKeyGuard } from './admin-key.guard.js';
import { TenancyModule } from './tenancy.module.js';
import { TenantDirectory } from './tenant-directory.js';

/*
 * The wiring shared by the services that own a schema (audit, consent, dispatcher, intake,
 * snowshoeing-detector). A separate entry point (`@sms/tenancy/service`): a service without a
 * database (content screening) imports `@sms/tenancy` without loading TypeORM.
 */

/** A service's modules: its database (`create` makes its data source), Kafka as `service`, and the tenant directory. */
export function serviceImports(service: string, config: { KAFKA_BROKERS: string[] }, logger: JsonLogger, create: () => DataSource): DynamicModule[] {
  return [DatabaseModule.forRoot(create), KafkaModule.forRoot({ brokers: config.KAFKA_BROKERS, service, log: logger.kafkaSink() }), TenancyModule.forRoot()];
}

/** `GET /health` of such a service: its database answers and the tenant directory has been read to the end. */
export const DATABASE_AND_TENANTS_HEALTH: Provider = {
  provide: HEALTH_CHECKS,
  inject: [DataSource, TenantDirectory],
  useFactory: (db: DataSource, tenants: TenantDirectory) => [databaseHealth(db), tenants.health()],
};

/** The pseudonymizer keyed with `PII_HASH_KEY`, and the operator's key with its guard (`AdminKeyGuard`) where the service has operator routes. */
export function serviceKeys(config: { PII_HASH_KEY: string; ADMIN_API_KEY?: string }): Provider[] {
  const pseudonymizer: Provider = { provide: Pseudonymizer, useValue: new Pseudonymizer(config.PII_HASH_KEY) };
  return config.ADMIN_API_KEY === undefined ? [pseudonymizer] : [pseudonymizer, { provide: ADMIN_API_KEY, useValue: config.ADMIN_API_KEY }, AdminKeyGuard];
}
