import { createParamDecorator, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { TenantConfigEvent } from '@sms/contracts';
import { ProblemException } from '@sms/nest-runtime';
import type { Request } from 'express';
import { TenantDirectory } from './tenant-directory.js';

interface TenantRequest extends Request {
  tenant?: TenantConfigEvent;
}

/** Authenticates `Authorization: Bearer <tenant API key>`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(TenantDirectory) private readonly tenants: TenantDirectory) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<TenantRequest>();
    const header = request.headers.authorization;
    if (!header) {
      throw new ProblemException(401, 'unauthenticated', 'Missing API key', 'send "Authorization: Bearer <tenant API key>"');
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      throw new ProblemException(401, 'unauthenticated', 'Malformed Authorization header', 'expected "Authorization: Bearer <tenant API key>"');
    }
    if (!this.tenants.isReady()) {
      throw new ProblemException(503, 'starting', 'Service starting', 'the tenant directory is still loading; retry shortly');
    }
    const tenant = this.tenants.byApiKey(match[1]!);
    if (!tenant) throw new ProblemException(401, 'unauthenticated', 'Unknown API key', 'the API key is not valid');
    if (tenant.status !== 'active') {
      throw new ProblemException(403, 'tenant-suspended', 'Tenant suspended', 'this tenant is suspended until a review lifts it');
    }
    request.tenant = tenant;
    return true;
  }
}

/** The authenticated tenant of the request (after ApiKeyGuard). */
export const CurrentTenant = createParamDecorator((_: unknown, context: ExecutionContext): TenantConfigEvent => {
  const tenant = context.switchToHttp().getRequest<TenantRequest>().tenant;
  if (!tenant) throw new Error('CurrentTenant used without ApiKeyGuard');
  return tenant;
});
