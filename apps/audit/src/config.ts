import { COMMON_VARIABLES, httpVariables, type ConfigValues } from '@sms/config';

export const AUDIT_CONFIG = {
  ...COMMON_VARIABLES,
  ...httpVariables(3005, 'the audit API'),
};

export type AuditConfig = ConfigValues<typeof AUDIT_CONFIG>;
