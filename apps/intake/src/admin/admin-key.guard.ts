import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ProblemException } from '@sms/nest-runtime';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { INTAKE_CONFIG_TOKEN, type IntakeConfig } from '../config.js';

/** The platform operator's key, for onboarding tenants. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(@Inject(INTAKE_CONFIG_TOKEN) private readonly config: IntakeConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? '');
    const expected = Buffer.from(this.config.ADMIN_API_KEY);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ProblemException(401, 'unauthenticated', 'Admin key required', 'send "Authorization: Bearer <admin API key>"');
    }
    return true;
  }
}
