import { Body, Inject, Param, Put } from '@nestjs/common';
import { TenantIdSchema } from '@sms/contracts';
import { ZodValidationPipe } from '@sms/nest-runtime';
import { AdminApi, generateApiKey } from '@sms/tenancy';
import { TenantRegistry } from '../tenants/tenant-registry.js';
import { TenantRegistrationSchema, type TenantRegistrationBody } from './tenant-registration.schema.js';

@AdminApi('admin/v1/tenants')
export class TenantsAdminController {
  constructor(@Inject(TenantRegistry) private readonly registry: TenantRegistry) {}

  /** Registers or updates a tenant; answers with an API key (shown only here). */
  @Put(':tenantId')
  async register(
    @Param('tenantId', new ZodValidationPipe(TenantIdSchema, 'params')) tenantId: string,
    @Body(new ZodValidationPipe(TenantRegistrationSchema)) body: TenantRegistrationBody,
  ): Promise<{ tenantId: string; apiKey: string }> {
    const { apiKey = generateApiKey(), name, ...profile } = body;
    await this.registry.register({ tenantId, name, profile, apiKeys: [{ key: apiKey, label: 'admin-api' }] });
    return { tenantId, apiKey };
  }
}
