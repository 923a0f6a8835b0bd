import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ProblemException } from '@sms/nest-runtime';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';

/** The platform operator's key, provided by the service from its configuration. */
export const ADMIN_API_KEY = Symbol('ADMIN_API_KEY');

/** Authenticates the platform operator (`Authorization: Bearer <admin key>`): tenant onboarding, enforcement. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(@Inject(ADMIN_API_KEY) private readonly adminKey: string) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? '');
    const expected = Buffer.from(this.adminKey);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ProblemException(401, 'unauthenticated', 'Admin key required', 'send "Authorization: Bearer <admin API key>"');
    }
    return true;
  }
}
