import { applyDecorators, Controller, UseGuards } from '@nestjs/common';
import { AdminKeyGuard } from './admin-key.guard.js';
import { ApiKeyGuard } from './api-key.guard.js';

/** A controller of the tenants' API under `path`: every route needs a tenant's API key, and acts for that tenant only. */
export const TenantApi = (path: string): ClassDecorator => applyDecorators(Controller(path), UseGuards(ApiKeyGuard));

/** A controller of the platform operator's API under `path`: every route needs the admin key. */
export const AdminApi = (path: string): ClassDecorator => applyDecorators(Controller(path), UseGuards(AdminKeyGuard));
