import { z } from 'zod';

export const TimestampSchema = z.iso.datetime({ offset: true });
export const E164Schema = z.e164();
export const TenantIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2-63 lowercase letters, digits or dashes');
export const MessageIdSchema = z.uuid();
export const TwilioMessageSidSchema = z.string().regex(/^(SM|MM)[0-9a-f]{32}$/, 'must be a Twilio Message SID (SM + 32 hex)');
export const MessagingServiceSidSchema = z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Twilio Messaging Service SID (MG + 32 hex)');

/** Twilio accepts up to 1,600 characters in a message body. */
export const MAX_BODY_LENGTH = 1600;

export const UseCaseSchema = z.enum(['marketing', 'informational', 'conversational']);
export type UseCase = z.infer<typeof UseCaseSchema>;

export const ConsentBasisSchema = z.enum(['express', 'prior_relationship', 'conversation']);
export type ConsentBasis = z.infer<typeof ConsentBasisSchema>;

/** A name (brand, campaign): no control characters, which no display or carrier handles well. */
export const NameSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

/** A message body: up to Twilio's limit; line breaks and tabs allowed, other control characters not. */
export const BodySchema = z
  .string()
  .min(1)
  .max(MAX_BODY_LENGTH)
  .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/u, 'must not contain control characters other than line breaks and tabs');
