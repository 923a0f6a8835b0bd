import { createParamDecorator, Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { TenantConfigEvent } from '@sms/contracts';
import { ProblemException } from '@sms/nest-runtime';
import type { Request } from 'express';
import { TenantDirectory } from './tenant-directory.js';

interface TenantRequest extends Request {
  tenant?: TenantConfigEvent;
}

const ALLOW_SUSPENDED = 'sms:allow-suspended-tenant';

/**
 * Lets a suspended tenant in (to read its history, answer reviews, see why it was
 * suspended); everything else refuses a suspended tenant.
 */
export const AllowSuspendedTenant = (): MethodDecorator & ClassDecorator => SetMetadata(ALLOW_SUSPENDED, true);

/** Authenticates `Authorization: Bearer <tenant API key>`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

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
    const allowSuspended = this.reflector.getAllAndOverride<boolean | undefined>(ALLOW_SUSPENDED, [context.getHandler(), context.getClass()]) ?? false;
    if (tenant.status !== 'active' && !allowSuspended) {
      throw new ProblemException(403, 'tenant-suspended', 'Tenant suspended', `this tenant is suspended until an operator lifts it${tenant.suspension ? `: ${tenant.suspension.reason}` : ''}`);
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
