import { DecisionSchema, type Decision } from '@sms/contracts';

/** Decisions in order of severity, for tables. */
export const DECISIONS: readonly Decision[] = DecisionSchema.options;
