import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import type { Response } from 'express';

export interface HealthCheck {
  name: string;
  check(): Promise<boolean>;
}

/** Providers registered under this token are checked by GET /health (readiness). */
export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

@Controller('health')
export class HealthController {
  constructor(@Optional() @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[] = []) {}

  /**
   * Liveness: the process serves requests, whatever its dependencies do. An orchestrator that
   * restarted a service because its database or broker is away would only add restarts to the
   * outage; readiness (`GET /health`) is what takes an instance out of service.
   */
  @Get('live')
  live(@Res() response: Response): void {
    response.status(200).json({ status: 'ok' });
  }

  @Get()
  async health(@Res() response: Response): Promise<void> {
    const results = await Promise.all(this.checks.map(async (c) => [c.name, await c.check().catch(() => false)] as const));
    const ok = results.every(([, passed]) => passed);
    response.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  }
}
