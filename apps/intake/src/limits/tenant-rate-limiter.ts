import { Inject, Injectable, type CanActivate, type ExecutionContext, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { TenantConfigEvent } from '@sms/contracts';
import { ProblemException } from '@sms/nest-runtime';
import type { Request, Response } from 'express';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { INTAKE_CONFIG_TOKEN, type IntakeConfig } from '../config.js';

const REDIS_WAIT_MS = 2_000;

/**
 * Per-tenant rate limit on the HTTP API, shared by every intake instance through Redis (an
 * in-memory limiter takes over while Redis is away, so intake keeps working). Over the limit:
 * 429 with Retry-After. Twilio's own limits are the dispatcher's business (AUP.SERVICE_LIMITS);
 * this one protects the platform from one tenant's burst.
 */
@Injectable()
export class TenantRateLimitGuard implements CanActivate, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly limiters = new Map<number, RateLimiterRedis>();

  constructor(@Inject(INTAKE_CONFIG_TOKEN) private readonly config: IntakeConfig) {
    this.redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on('error', () => undefined); // the insurance limiter covers outages
  }

  /**
   * Waits a little for Redis at start-up (never fails for it): until it is connected, each
   * instance counts on its own, and a tenant could send its limit once per instance.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, REDIS_WAIT_MS);
      const redis = this.redis;
      function done() {
        clearTimeout(timer);
        redis.off('ready', done);
        resolve();
      }
      redis.once('ready', done);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }

  private limiter(points: number): RateLimiterRedis {
    let limiter = this.limiters.get(points);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: 'intake:rate',
        points,
        duration: 1,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: 'intake:rate:mem', points, duration: 1 }),
      });
      this.limiters.set(points, limiter);
    }
    return limiter;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const tenant = http.getRequest<Request & { tenant?: TenantConfigEvent }>().tenant;
    if (!tenant) return true;
    const points = tenant.settings.rateLimitPerSecond ?? this.config.RATE_LIMIT_PER_SECOND;
    try {
      await this.limiter(points).consume(tenant.tenantId);
      return true;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      http.getResponse<Response>().setHeader('Retry-After', String(seconds));
      throw new ProblemException(429, 'rate-limited', 'Too many requests', `this tenant may send ${points} messages per second; retry in ${seconds}s`);
    }
  }
}
