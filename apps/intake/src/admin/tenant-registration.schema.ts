import { TenantConfigEventSchema } from '@sms/contracts';
import { z } from 'zod';

/** The body of `PUT /admin/v1/tenants/{tenantId}`. */
export const TenantRegistrationSchema = TenantConfigEventSchema.pick({
  name: true,
  brands: true,
  campaigns: true,
  senders: true,
  messagingServices: true,
  settings: true,
}).extend({
  /** Give a key to register it (at least 32 characters); leave out to have one generated. */
  apiKey: z
    .string()
    .regex(/^[\x21-\x7e]{32,200}$/, 'must be 32-200 printable ASCII characters')
    .optional(),
});
export type TenantRegistrationBody = z.infer<typeof TenantRegistrationSchema>;
