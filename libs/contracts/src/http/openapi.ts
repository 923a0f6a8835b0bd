import { z } from 'zod';
import { ConsentCaptureSchema } from '../events/consent-capture.event.js';
import { SendRequestSchema } from '../events/send-request.event.js';
import { TenantConfigEventSchema } from '../events/tenant-config.event.js';
import { AcceptedResponseSchema, ConsentStateViewSchema, MessageHistoryViewSchema, ProblemSchema } from './api-views.js';

const schema = (s: z.ZodType, io: 'input' | 'output' = 'output') => {
  const json = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json['$schema'];
  return json;
};

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const json = (ref: string, description: string) => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const bearer = [{ tenantApiKey: [] }];
const health = (server: string) => ({
  get: {
    tags: ['operations'],
    summary: 'Health: 200 when the service and everything it depends on answer, else 503',
    servers: [{ url: server }],
    responses: { '200': { description: 'healthy' }, '503': { description: 'a dependency is not ready' } },
  },
});

/**
 * The HTTP interfaces of the gateway as one OpenAPI 3.1 document, built from the same
 * schemas the services validate with, so the description cannot drift from the code.
 */
export function buildOpenApi(servers: { intake: string; consent: string; audit: string }): Record<string, unknown> {
  const tenantRegistration = TenantConfigEventSchema.pick({ name: true, brands: true, campaigns: true, senders: true, messagingServices: true, settings: true }).extend({
    apiKey: z.string().min(32).max(200).optional(),
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Outbound-SMS compliance gateway',
      version: '1.0.0',
      description:
        'Send requests enter at intake, pass consent, content screening and snowshoeing detection, and reach Twilio through the dispatcher. ' +
        'Every error is RFC 9457 problem details (application/problem+json) saying what is wrong and where.',
    },
    servers: [{ url: servers.intake, description: 'intake' }],
    tags: [
      { name: 'messages', description: 'Sending (intake) and what happened to a message (audit)' },
      { name: 'consents', description: 'Consent records with their proof, and opt-out state (consent)' },
      { name: 'twilio-webhooks', description: 'Called by Twilio; signed with X-Twilio-Signature' },
      { name: 'admin', description: 'Platform operators: tenant onboarding' },
      { name: 'operations', description: 'Health' },
    ],
    paths: {
      '/v1/messages': {
        post: {
          tags: ['messages'],
          summary: 'Accept a message for the compliance pipeline',
          description:
            'Validates the request, normalises numbers to E.164 and answers 202 with the message id. A retried request with the same ' +
            'Idempotency-Key returns the same id (header Idempotent-Replayed: true); the same key with a different request is a 422.',
          servers: [{ url: servers.intake }],
          security: bearer,
          parameters: [
            { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 200 } },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SendRequest' } } } },
          responses: {
            '202': json('Accepted', 'accepted; follow it at audit GET /v1/messages/{id}'),
            '400': problem('invalid request: errors[] lists each problem with its path (body.to, body.campaign, ...)'),
            '401': problem('missing or unknown API key'),
            '403': problem('tenant suspended'),
            '413': problem('request body too large'),
            '415': problem('not application/json'),
            '422': problem('Idempotency-Key reused for a different request'),
          },
        },
      },
      '/v1/messages/{id}': {
        get: {
          tags: ['messages'],
          summary: "A message's status and every stage's decision with the clauses it cited",
          servers: [{ url: servers.audit }],
          security: bearer,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: {
            '200': json('MessageHistory', 'the history'),
            '400': problem('the id is not a UUID'),
            '401': problem('missing or unknown API key'),
            '404': problem("no such message for this tenant (another tenant's message answers the same)"),
          },
        },
      },
      '/v1/consents': {
        post: {
          tags: ['consents'],
          summary: 'Record a consent with its proof (MP.CONSENT.PROOF)',
          description: 'Purchased, rented or shared lists are refused with 422 (MP.CONSENT.NOT_PURCHASED); brand and campaign must be the tenant\'s (MP.CONSENT.SCOPE).',
          servers: [{ url: servers.consent }],
          security: bearer,
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ConsentCapture' } } } },
          responses: {
            '201': { description: 'recorded', content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] } } } },
            '400': problem('invalid request, with paths'),
            '401': problem('missing or unknown API key'),
            '422': problem('refused by policy: a purchased/rented/shared list, or a brand or campaign that is not the tenant\'s'),
          },
        },
        get: {
          tags: ['consents'],
          summary: 'The opt-out state of one person and the consent records and opt events behind it',
          servers: [{ url: servers.consent }],
          security: bearer,
          parameters: [
            { name: 'to', in: 'query', required: true, schema: { type: 'string' }, description: 'E.164 number' },
            { name: 'brand', in: 'query', required: false, schema: { type: 'string' } },
          ],
          responses: { '200': json('ConsentState', 'state and records'), '400': problem('invalid query'), '401': problem('missing or unknown API key') },
        },
      },
      '/twilio/inbound': {
        post: {
          tags: ['twilio-webhooks'],
          summary: "Twilio's incoming-message webhook: STOP, START, HELP and replies",
          servers: [{ url: servers.intake }],
          parameters: [{ name: 'X-Twilio-Signature', in: 'header', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', required: ['MessageSid', 'AccountSid', 'From', 'To'], properties: { MessageSid: { type: 'string' }, AccountSid: { type: 'string' }, From: { type: 'string' }, To: { type: 'string' }, Body: { type: 'string' } } } } } },
          responses: { '200': { description: 'empty TwiML', content: { 'text/xml': { schema: { type: 'string' } } } }, '403': problem('missing or invalid signature'), '415': problem('not form-encoded') },
        },
      },
      '/twilio/status': {
        post: {
          tags: ['twilio-webhooks'],
          summary: "Twilio's status callback for a message the dispatcher sent",
          servers: [{ url: servers.intake }],
          parameters: [
            { name: 'X-Twilio-Signature', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'm', in: 'query', required: true, schema: { type: 'string', format: 'uuid' }, description: 'message id (set by the dispatcher)' },
            { name: 't', in: 'query', required: true, schema: { type: 'string' }, description: 'tenant id' },
            { name: 'tp', in: 'query', required: false, schema: { type: 'string' }, description: 'W3C traceparent of the message' },
          ],
          requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', required: ['MessageSid', 'AccountSid', 'MessageStatus'], properties: { MessageSid: { type: 'string' }, AccountSid: { type: 'string' }, MessageStatus: { type: 'string' }, ErrorCode: { type: 'string' } } } } } },
          responses: { '204': { description: 'recorded' }, '400': problem('invalid callback'), '403': problem('missing or invalid signature') },
        },
      },
      '/admin/v1/tenants/{tenantId}': {
        put: {
          tags: ['admin'],
          summary: 'Register or update a tenant; answers with an API key shown only here',
          servers: [{ url: servers.intake }],
          security: [{ adminApiKey: [] }],
          parameters: [{ name: 'tenantId', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' } }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/TenantRegistration' } } } },
          responses: {
            '200': { description: 'registered', content: { 'application/json': { schema: { type: 'object', properties: { tenantId: { type: 'string' }, apiKey: { type: 'string' } }, required: ['tenantId', 'apiKey'] } } } },
            '400': problem('invalid registration'),
            '401': problem('missing or wrong admin key'),
          },
        },
      },
      '/health': health(servers.intake),
    },
    components: {
      securitySchemes: {
        tenantApiKey: { type: 'http', scheme: 'bearer', description: "The tenant's API key" },
        adminApiKey: { type: 'http', scheme: 'bearer', description: "The platform operator's key" },
      },
      schemas: {
        SendRequest: schema(SendRequestSchema, 'input'),
        Accepted: schema(AcceptedResponseSchema),
        MessageHistory: schema(MessageHistoryViewSchema),
        ConsentCapture: schema(ConsentCaptureSchema, 'input'),
        ConsentState: schema(ConsentStateViewSchema),
        TenantRegistration: schema(tenantRegistration, 'input'),
        Problem: schema(ProblemSchema),
      },
    },
  };
}
