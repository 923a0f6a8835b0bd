import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { TenantConfigEventSchema, type EnforcementEvent, type TenantConfigEvent } from '@sms/contracts';
import { KafkaPublisher } from '@sms/kafka';
import { hashApiKey } from '@sms/tenancy';
import { DataSource } from 'typeorm';
import { ApiKeyEntity, TenantEntity } from './tenant.entity.js';

/** A tenant as an operator registers it: everything but the key hashes and timestamps. */
export type TenantProfile = Omit<TenantConfigEvent, 'apiKeyHashes' | 'updatedAt' | 'status' | 'name' | 'tenantId'>;

export interface TenantRegistration {
  tenantId: string;
  name: string;
  profile: TenantProfile;
  apiKeys: { key: string; label: string }[];
}

/**
 * The tenant registry (owned by intake) and its publication on `tenant.config.v1`, which
 * every service reads. Publishing all tenants at start-up makes the compacted topic converge
 * on the database even if a publish was lost.
 */
@Injectable()
export class TenantRegistry implements OnApplicationBootstrap {
  private readonly logger = new Logger(TenantRegistry.name);

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(KafkaPublisher) private readonly publisher: KafkaPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const tenants = await this.loadAll();
    await Promise.all(tenants.map((t) => this.publisher.publishTo('tenantConfig', t.tenantId, t)));
    this.logger.log({ message: 'tenants published', count: tenants.length });
  }

  /**
   * Creates or replaces a tenant and adds its API keys, then publishes it. Re-registering
   * never lifts a suspension: only enforcement does (MP.ENFORCEMENT).
   */
  async register(registration: TenantRegistration): Promise<TenantConfigEvent> {
    const now = new Date();
    await this.db.transaction(async (manager) => {
      const existing = await manager.findOne(TenantEntity, { where: { id: registration.tenantId }, lock: { mode: 'pessimistic_write' } });
      const previous = existing?.profile as TenantProfile | undefined;
      const profile: TenantProfile = {
        ...registration.profile,
        ...(previous?.suspension ? { suspension: previous.suspension } : {}),
        campaigns: registration.profile.campaigns.map((c) => {
          const suspension = previous?.campaigns.find((p) => p.id === c.id)?.suspension;
          return suspension ? { ...c, suspension } : c;
        }),
      };
      await manager.upsert(TenantEntity, { id: registration.tenantId, name: registration.name, status: existing?.status ?? 'active', profile, updatedAt: now }, ['id']);
      for (const apiKey of registration.apiKeys) {
        await manager.upsert(ApiKeyEntity, { keyHash: hashApiKey(apiKey.key), tenantId: registration.tenantId, label: apiKey.label, createdAt: now, revokedAt: null }, ['keyHash']);
      }
    });
    const event = (await this.loadAll()).find((t) => t.tenantId === registration.tenantId);
    if (!event) throw new Error(`tenant ${registration.tenantId} vanished after registration`);
    await this.publisher.publishTo('tenantConfig', event.tenantId, event);
    return event;
  }

  /** Suspends or reinstates a tenant or one of its campaigns, as enforcement decided, and publishes it. */
  async applyEnforcement(event: EnforcementEvent): Promise<void> {
    const changed = await this.db.transaction(async (manager) => {
      const tenant = await manager.findOne(TenantEntity, { where: { id: event.tenantId }, lock: { mode: 'pessimistic_write' } });
      if (!tenant) return false;
      const profile = tenant.profile as TenantProfile;
      const suspension = event.suspended ? { reason: event.reason, at: event.at } : undefined;
      let next: TenantProfile;
      let status = tenant.status;
      if (event.campaign === undefined) {
        const { suspension: _old, ...rest } = profile;
        next = suspension ? { ...rest, suspension } : rest;
        status = event.suspended ? 'suspended' : 'active';
      } else {
        next = {
          ...profile,
          campaigns: profile.campaigns.map((c) => {
            if (c.id !== event.campaign) return c;
            const { suspension: _old, ...rest } = c;
            return suspension ? { ...rest, suspension } : rest;
          }),
        };
      }
      await manager.update(TenantEntity, { id: tenant.id }, { profile: next, status, updatedAt: new Date() });
      return true;
    });
    if (!changed) {
      this.logger.warn({ message: 'enforcement for an unknown tenant ignored', tenantId: event.tenantId });
      return;
    }
    const published = (await this.loadAll()).find((t) => t.tenantId === event.tenantId);
    if (published) await this.publisher.publishTo('tenantConfig', published.tenantId, published);
    this.logger.log({ message: event.suspended ? 'suspended' : 'reinstated', tenantId: event.tenantId, campaign: event.campaign ?? '*', reason: event.reason });
  }

  async loadAll(): Promise<TenantConfigEvent[]> {
    const tenants = await this.db.getRepository(TenantEntity).find();
    const keys = await this.db.getRepository(ApiKeyEntity).find();
    return tenants.map((t) =>
      TenantConfigEventSchema.parse({
        ...(t.profile as TenantProfile),
        tenantId: t.id,
        name: t.name,
        status: t.status,
        apiKeyHashes: keys.filter((k) => k.tenantId === t.id && k.revokedAt === null).map((k) => k.keyHash),
        updatedAt: t.updatedAt.toISOString(),
      }),
    );
  }
}
