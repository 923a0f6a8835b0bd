import { z } from 'zod';
import { AgeVerificationSchema, ConsentCaptureSchema, RelationshipEventSchema } from '../events/consent-capture.event.js';
import { SendRequestSchema } from '../events/send-request.event.js';
import { TenantConfigEventSchema } from '../events/tenant-config.event.js';
import {
  AcceptedResponseSchema,
  CancelResponseSchema,
  ConsentStateViewSchema,
  MessageHistoryViewSchema,
  OptOutReviewDecisionSchema,
  OptOutReviewSchema,
  ProblemSchema,
  ReviewStatusSchema,
} from './api-views.js';

const schema = (s: z.ZodType, io: 'input' | 'output' = 'output') => {
  const json = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json['$schema'];
  return json;
};

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const json = (ref: string, description: string) => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const bearer = [{ tenantApiKey: [] }];
const created = { description: 'recorded', content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] } } } };
const health = (server: string) => ({
  get: {
    tags: ['operations'],
    summary: 'Readiness: 200 when the service and everything it depends on answer, else 503 (the database is asked on a connection of its own, not one the work is waiting for)',
    servers: [{ url: server }],
    responses: { '200': { description: 'healthy' }, '503': { description: 'a dependency is not ready' } },
  },
});

const liveness = (server: string) => ({
  get: {
    tags: ['operations'],
    summary: 'Liveness: 200 while the process serves requests, whatever its dependencies do (an orchestrator restarts on this, not on readiness)',
    servers: [{ url: server }],
    responses: { '200': { description: 'the process is up' } },
  },
});

/**
 * The HTTP interfaces of the gateway as one OpenAPI 3.1 document, built from the same
 * schemas the services validate with, so the description cannot drift from the code.
 */
export function buildOpenApi(servers: { intake: string; consent: string; snowshoe: string; audit: string }): Record<string, unknown> {
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
      { name: 'reviews', description: 'Held messages waiting for a person (audit)' },
      { name: 'reports', description: 'Proof, violations, dashboard, integrity (audit)' },
      {
        name: 'admin',
        description:
          'Platform operators and compliance reviewers (operator key): tenant onboarding (intake), held messages and enforcement (audit), opt-out reviews (consent), snowshoeing clusters (snowshoeing-detector)',
      },
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
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 200 } }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SendRequest' } } } },
          responses: {
            '202': json(
              'Accepted',
              'accepted and stored, answered once the message is on the pipeline (2 s at most; a message sent after this answer comes after it); follow it at audit GET /v1/messages/{id}',
            ),
            '400': problem(
              "invalid request: errors[] lists each problem with its path (body.to, body.campaign, ...); a `from` the tenant has not registered is body.from, a messaging service that is not the tenant's is body.messagingServiceSid",
            ),
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
        delete: {
          tags: ['messages'],
          summary: 'Cancel a message that has not been handed to Twilio, whatever stage it is in',
          description:
            'Stops the message wherever it is: still in the pipeline, held for review, scheduled (sendAt) or deferred (quiet hours) at the dispatcher, or claimed ' +
            "but not yet called. The request goes on sms.cancel-requests.v1 and the dispatcher's ledger, the record of what was handed to Twilio, decides: " +
            '200 when cancelled (it is never sent; the history shows `cancelled` with who and when; a repeated DELETE answers the same), 409 once Twilio has it ' +
            '(or it was blocked or failed before), 202 when the dispatcher has not answered within a few seconds (its answer then shows in the history). ' +
            "A held message's review closes at once: no reviewer can release it after this request.",
          servers: [{ url: servers.audit }],
          security: bearer,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: {
            '200': json('CancelResponse', 'cancelled: it will never be sent'),
            '202': json('CancelResponse', 'requested (status cancel_requested); follow GET /v1/messages/{id}'),
            '400': problem('the id is not a UUID'),
            '401': problem('missing or unknown API key'),
            '404': problem("no such message for this tenant (another tenant's message answers the same)"),
            '409': problem('too late: handed to Twilio (sending, sent, delivered, ...), or already blocked or failed'),
          },
        },
      },
      '/v1/consents': {
        post: {
          tags: ['consents'],
          summary: 'Record a consent with its proof (MP.CONSENT.PROOF)',
          description: "Purchased, rented or shared lists are refused with 422 (MP.CONSENT.NOT_PURCHASED); brand and campaign must be the tenant's (MP.CONSENT.SCOPE).",
          servers: [{ url: servers.consent }],
          security: bearer,
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ConsentCapture' } } } },
          responses: {
            '201': created,
            '400': problem('invalid request, with paths'),
            '401': problem('missing or unknown API key'),
            '422': problem("refused by policy: a purchased/rented/shared list, or a brand or campaign that is not the tenant's"),
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
      '/v1/relationships': {
        post: {
          tags: ['consents'],
          summary: 'Record that the person gave their number and took an action (MP.CONSENT.PRIOR_RELATIONSHIP)',
          description:
            'Lets informational messages of the named campaign go to the person (reminders for a booking, receipts for an order); never marketing. The campaign must be informational (else 422).',
          servers: [{ url: servers.consent }],
          security: bearer,
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RelationshipEvent' } } } },
          responses: {
            '201': created,
            '400': problem('invalid request, with paths'),
            '401': problem('missing or unknown API key'),
            '422': problem("brand or campaign not the tenant's, or not informational"),
          },
        },
      },
      '/v1/age-verifications': {
        post: {
          tags: ['consents'],
          summary: "Record a recipient's verified date of birth (MP.AGE_GATE)",
          description: "Consent puts the recipient's age on each message; content screening lets age-gated content through only at or above the legal age of the recipient's jurisdiction.",
          servers: [{ url: servers.consent }],
          security: bearer,
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/AgeVerification' } } } },
          responses: { '201': created, '400': problem('invalid request, with paths'), '401': problem('missing or unknown API key') },
        },
      },
      '/v1/opt-out-reviews': {
        get: {
          tags: ['consents'],
          summary: "The tenant's unclear replies that paused marketing to a person, and who decided them (decided by the platform's compliance reviewers)",
          servers: [{ url: servers.consent }],
          security: bearer,
          parameters: [{ name: 'status', in: 'query', required: false, schema: { type: 'string', enum: ['pending', 'opted_out', 'not_opt_out'] } }],
          responses: {
            '200': {
              description: 'the reviews',
              content: { 'application/json': { schema: { type: 'object', properties: { reviews: { type: 'array', items: { $ref: '#/components/schemas/OptOutReview' } } }, required: ['reviews'] } } },
            },
            '400': problem('invalid status (errors[] with paths)'),
            '401': problem('missing or unknown API key'),
          },
        },
      },
      '/v1/opt-out-reviews/{id}/decision': {
        post: {
          tags: ['consents'],
          summary: "Refused for tenants: whether a reply was an opt-out is decided by the platform's compliance reviewers (POST /admin/v1/opt-out-reviews/{id}/decision)",
          description: 'A clinic never clears its own compliance holds: an opt-out review pauses marketing to the person, and its decision releases or blocks the messages held behind it.',
          servers: [{ url: servers.consent }],
          security: bearer,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: {
            '400': problem('invalid id'),
            '401': problem('missing or unknown API key'),
            '403': problem('decided by compliance reviewers'),
            '404': problem('no such review for this tenant'),
          },
        },
      },
      '/admin/v1/opt-out-reviews': {
        get: {
          tags: ['admin'],
          summary: "The compliance reviewers' queue of unclear replies: every tenant's opt-out reviews",
          servers: [{ url: servers.consent }],
          security: [{ adminApiKey: [] }],
          parameters: [
            { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: ['pending', 'opted_out', 'not_opt_out'] } },
            { name: 'tenantId', in: 'query', required: false, schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'the reviews',
              content: { 'application/json': { schema: { type: 'object', properties: { reviews: { type: 'array', items: { $ref: '#/components/schemas/OptOutReview' } } }, required: ['reviews'] } } },
            },
            '400': problem('invalid query (errors[] with paths)'),
            '401': problem('missing or wrong admin key'),
          },
        },
      },
      '/admin/v1/opt-out-reviews/{id}/decision': {
        post: {
          tags: ['admin'],
          summary: 'A compliance reviewer, by name, decides whether an unclear reply was an opt-out; recorded with who decided and when',
          description:
            'opted_out records the opt-out and sends its one confirmation; not_opt_out ends the pause. Either way audit releases (through consent again) or blocks the messages held behind the reply. A review is decided once (409 after).',
          servers: [{ url: servers.consent }],
          security: [{ adminApiKey: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/OptOutReviewDecision' } } } },
          responses: {
            '200': json('OptOutReview', 'the decided review'),
            '400': problem('invalid id or body (errors[] with paths)'),
            '401': problem('missing or wrong admin key'),
            '404': problem('no such review'),
            '409': problem('already decided'),
          },
        },
      },
      '/v1/reviews': {
        get: {
          tags: ['reviews'],
          summary: "The tenant's held messages: the reason, the clauses, the message (decided by the platform's compliance reviewers)",
          servers: [{ url: servers.audit }],
          security: bearer,
          parameters: [{ name: 'status', in: 'query', required: false, schema: schema(ReviewStatusSchema) }],
          responses: {
            '200': { description: '{reviews: [{messageId, tenantId, stage, clauses, reason, heldAt, body, to (last digits), status, decidedBy, decidedAt}]}' },
            '401': problem('missing or unknown API key'),
          },
        },
      },
      '/v1/reviews/{messageId}/decision': {
        post: {
          tags: ['reviews'],
          summary: "Refused for tenants: holds rest on policy and are decided by the platform's compliance reviewers (POST /admin/v1/reviews/{messageId}/decision)",
          description: 'A clinic never clears its own compliance holds: it withdraws a held message (DELETE /v1/messages/{id}) or edits and resubmits it (POST /v1/reviews/{messageId}/resubmit).',
          servers: [{ url: servers.audit }],
          security: bearer,
          parameters: [{ name: 'messageId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: { '401': problem('missing or unknown API key'), '403': problem('decided by compliance reviewers; says how to withdraw or resubmit'), '404': problem('not held for this tenant') },
        },
      },
      '/v1/reviews/{messageId}/resubmit': {
        post: {
          tags: ['reviews'],
          summary: 'Edit and resubmit a held message: it is withdrawn (cancelled) and the edited text sent as a new message that every stage judges afresh',
          description:
            "The held message's review closes at once (cancelled, note `resubmitted as <id> (text sha256:...)`) and a cancel request goes to the dispatcher, whose answer is not waited for. The new message is a send request on sms.send-requests.v1 with idempotency key `resubmit:<messageId>`, so its id is messageIdFor(tenant, that key); same recipient, sender, brand, campaign and use case. A repeated resubmit of the same message with the same text answers the same.",
          servers: [{ url: servers.audit }],
          security: bearer,
          parameters: [{ name: 'messageId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['body'], properties: { body: { type: 'string', minLength: 1, maxLength: 1600 } } } } } },
          responses: {
            '202': { description: '{id (the new message), replaces}' },
            '400': problem('invalid body (errors[] with paths)'),
            '401': problem('missing or unknown API key'),
            '404': problem('not held for this tenant'),
            '409': problem('decided by a reviewer, withdrawn otherwise (DELETE), or resubmitted before with another text'),
          },
        },
      },
      '/admin/v1/reviews': {
        get: {
          tags: ['admin'],
          summary: "The compliance reviewers' queue: every tenant's held messages",
          servers: [{ url: servers.audit }],
          security: [{ adminApiKey: [] }],
          parameters: [
            { name: 'status', in: 'query', required: false, schema: schema(ReviewStatusSchema) },
            { name: 'tenantId', in: 'query', required: false, schema: { type: 'string' } },
          ],
          responses: {
            '200': { description: '{reviews: [{messageId, tenantId, stage, clauses, reason, heldAt, body, to (last digits), status, decidedBy, decidedAt}]}' },
            '401': problem('missing or wrong admin key'),
          },
        },
      },
      '/admin/v1/reviews/{messageId}/decision': {
        post: {
          tags: ['admin'],
          summary: 'A compliance reviewer, by name, approves (it goes on; a consent hold goes through consent again, on the state of that moment) or rejects (blocked) a held message',
          description:
            "A message held behind an unclear reply (MP.OPTOUT.HONOR) is decided by that reply's opt-out review, whose decision releases or blocks it: approving it here is a 409. The dispatcher's last-moment opt-out check applies to released messages too.",
          servers: [{ url: servers.audit }],
          security: [{ adminApiKey: [] }],
          parameters: [{ name: 'messageId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['decision', 'decidedBy'],
                  properties: { decision: { type: 'string', enum: ['approve', 'reject'] }, decidedBy: { type: 'string' }, note: { type: 'string' } },
                },
              },
            },
          },
          responses: {
            '200': { description: 'the decided review' },
            '401': problem('missing or wrong admin key'),
            '404': problem('not held'),
            '409': problem('already decided or cancelled, or decided by its opt-out review'),
          },
        },
      },
      '/v1/consent-proof': {
        get: {
          tags: ['reports'],
          summary: 'Every consent of one person with its proof, every opt-out with the message that caused it and the confirmation sent (MP.CONSENT.PROOF)',
          servers: [{ url: servers.audit }],
          security: bearer,
          parameters: [
            { name: 'to', in: 'query', required: true, schema: { type: 'string' }, description: 'E.164 number' },
            { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'html'], default: 'json' }, description: 'html: a printable document' },
          ],
          responses: {
            '200': { description: 'the proof, as JSON or as a printable HTML document, with the integrity of the history' },
            '400': problem('invalid number'),
            '401': problem('missing or unknown API key'),
          },
        },
      },
      '/v1/reports/violations': {
        get: {
          tags: ['reports'],
          summary: "The tenant's blocked and held messages in a period, by clause, campaign and stage (AUP.REPORTING)",
          servers: [{ url: servers.audit }],
          security: bearer,
          parameters: [
            { name: 'from', in: 'query', required: true, schema: { type: 'string', format: 'date-time' } },
            { name: 'to', in: 'query', required: true, schema: { type: 'string', format: 'date-time' } },
          ],
          responses: { '200': { description: '{total, byClause, byCampaign, byStage, messages}' }, '400': problem('invalid period'), '401': problem('missing or unknown API key') },
        },
      },
      '/v1/dashboard': {
        get: {
          tags: ['reports'],
          summary: "The tenant's decisions per hour by stage, decision and clause",
          servers: [{ url: servers.audit }],
          security: bearer,
          parameters: [{ name: 'hours', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 2160, default: 24 } }],
          responses: { '200': { description: '{hours, byStage, byClause, byTenant}' }, '401': problem('missing or unknown API key') },
        },
      },
      '/v1/history/verify': {
        get: {
          tags: ['reports'],
          summary: "Recomputes the tenant's hash chain: whether its history is exactly as written",
          servers: [{ url: servers.audit }],
          security: bearer,
          responses: { '200': { description: '{ok: true, records, head} or {ok: false, brokenAt, reason}' }, '401': problem('missing or unknown API key') },
        },
      },
      '/console/settings': {
        get: {
          tags: ['reviews'],
          summary: "What the review console (/console/) needs besides audit's API: the address of consent's opt-out reviews, which it calls from the browser",
          description: "Consent allows the console's origin (its CONSOLE_ORIGINS, CORS); audit's CONSOLE_CONSENT_URL sets the address. Public: an address, no data.",
          servers: [{ url: servers.audit }],
          responses: { '200': { description: '{consentUrl}' } },
        },
      },
      '/admin/v1/enforcement': {
        get: {
          tags: ['admin'],
          summary: "Suspensions, thresholds and every tenant's violations in the window (MP.ISV, MP.ENFORCEMENT)",
          servers: [{ url: servers.audit }],
          security: [{ adminApiKey: [] }],
          responses: { '200': { description: '{windowHours, thresholds, suspensions, tenants}' }, '401': problem('missing or wrong admin key') },
        },
      },
      '/admin/v1/enforcement/lift': {
        post: {
          tags: ['admin'],
          summary: 'Lift the suspension of a tenant or campaign; recorded in its history',
          servers: [{ url: servers.audit }],
          security: [{ adminApiKey: [] }],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['tenantId', 'liftedBy', 'reason'],
                  properties: { tenantId: { type: 'string' }, campaign: { type: 'string' }, liftedBy: { type: 'string' }, reason: { type: 'string' } },
                },
              },
            },
          },
          responses: {
            '200': { description: 'lifted; the violation window of the campaign or tenant starts afresh' },
            '400': problem('invalid request'),
            '401': problem('missing or wrong admin key'),
            '409': problem('not suspended: nothing to lift, nothing written'),
          },
        },
      },
      '/admin/v1/enforcement/dashboard': {
        get: {
          tags: ['admin'],
          summary: 'Decisions per hour for every tenant',
          servers: [{ url: servers.audit }],
          security: [{ adminApiKey: [] }],
          parameters: [{ name: 'hours', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 2160, default: 24 } }],
          responses: { '200': { description: '{hours, byStage, byClause, byTenant}' }, '401': problem('missing or wrong admin key') },
        },
      },
      '/twilio/inbound': {
        post: {
          tags: ['twilio-webhooks'],
          summary: "Twilio's incoming-message webhook: STOP, START, HELP and replies",
          servers: [{ url: servers.intake }],
          parameters: [{ name: 'X-Twilio-Signature', in: 'header', required: true, schema: { type: 'string' } }],
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  required: ['MessageSid', 'AccountSid', 'From', 'To'],
                  properties: { MessageSid: { type: 'string' }, AccountSid: { type: 'string' }, From: { type: 'string' }, To: { type: 'string' }, Body: { type: 'string' } },
                },
              },
            },
          },
          responses: {
            '200': { description: 'empty TwiML', content: { 'text/xml': { schema: { type: 'string' } } } },
            '400': problem('invalid webhook'),
            '403': problem('missing or invalid signature'),
            '409': problem('replayed: this webhook (its I-Twilio-Idempotency-Token, or its URL and fields) was handled before'),
            '415': problem('not form-encoded'),
          },
        },
      },
      '/twilio/status': {
        post: {
          tags: ['twilio-webhooks'],
          summary: "Twilio's status callback for a message the dispatcher sent",
          description:
            'A state the pipeline tracks (sent, delivered, read, undelivered, failed, canceled) is published on sms.status.v1, acknowledged by the broker, before the 204; any other (queued, accepted, sending, ...) is answered at once and changes nothing. ' +
            'Nothing is stored: a replay (the same callback again) is answered the same, and every consumer of sms.status.v1 takes a state once per message and Twilio message.',
          servers: [{ url: servers.intake }],
          parameters: [
            { name: 'X-Twilio-Signature', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'm', in: 'query', required: true, schema: { type: 'string', format: 'uuid' }, description: 'message id (set by the dispatcher)' },
            { name: 't', in: 'query', required: true, schema: { type: 'string' }, description: 'tenant id' },
            { name: 'tp', in: 'query', required: false, schema: { type: 'string' }, description: 'W3C traceparent of the message' },
          ],
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  required: ['MessageSid', 'AccountSid', 'MessageStatus'],
                  properties: { MessageSid: { type: 'string' }, AccountSid: { type: 'string' }, MessageStatus: { type: 'string' }, ErrorCode: { type: 'string' }, ErrorMessage: { type: 'string' } },
                },
              },
            },
          },
          responses: {
            '204': { description: 'published, or nothing to publish' },
            '400': problem('invalid callback: the URL without its message id or tenant, or a field missing'),
            '403': problem('missing or invalid signature'),
            '415': problem('not form-encoded'),
          },
        },
      },
      '/v1/clusters': {
        get: {
          tags: ['admin'],
          summary: "The snowshoeing detector's clusters in the window, newest first, with their measures, senders and state (docs/snowshoeing.md)",
          servers: [{ url: servers.snowshoe }],
          security: [{ adminApiKey: [] }],
          parameters: [
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } },
            { name: 'state', in: 'query', required: false, schema: { type: 'string', enum: ['stopped'] }, description: 'held or blocked clusters only' },
          ],
          responses: {
            '200': {
              description: 'clusters',
              content: { 'application/json': { schema: { type: 'object', properties: { clusters: { type: 'array', items: { type: 'object' } } }, required: ['clusters'] } } },
            },
            '401': problem('missing or wrong admin key'),
          },
        },
      },
      '/v1/clusters/{id}': {
        get: {
          tags: ['admin'],
          summary: 'One snowshoeing cluster: its measures per window, senders with their shares and flags, samples, what stopped it',
          servers: [{ url: servers.snowshoe }],
          security: [{ adminApiKey: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{16}$' } }],
          responses: {
            '200': { description: 'the cluster', content: { 'application/json': { schema: { type: 'object' } } } },
            '401': problem('missing or wrong admin key'),
            '404': problem('no such cluster within the window'),
          },
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
            '200': {
              description: 'registered',
              content: { 'application/json': { schema: { type: 'object', properties: { tenantId: { type: 'string' }, apiKey: { type: 'string' } }, required: ['tenantId', 'apiKey'] } } },
            },
            '400': problem('invalid registration'),
            '401': problem('missing or wrong admin key'),
          },
        },
      },
      '/health': health(servers.intake),
      '/health/live': liveness(servers.intake),
      '/metrics': {
        get: {
          tags: ['operations'],
          summary: 'Prometheus metrics (every service, on its own port)',
          servers: [{ url: servers.intake }],
          responses: { '200': { description: 'Prometheus text exposition', content: { 'text/plain': { schema: { type: 'string' } } } } },
        },
      },
    },
    components: {
      securitySchemes: {
        tenantApiKey: { type: 'http', scheme: 'bearer', description: "The tenant's API key" },
        adminApiKey: {
          type: 'http',
          scheme: 'bearer',
          description: "The platform operator's key, held by operators and the compliance reviewers (who decide held messages and opt-out reviews by name)",
        },
      },
      schemas: {
        SendRequest: schema(SendRequestSchema, 'input'),
        Accepted: schema(AcceptedResponseSchema),
        MessageHistory: schema(MessageHistoryViewSchema),
        CancelResponse: schema(CancelResponseSchema),
        ConsentCapture: schema(ConsentCaptureSchema, 'input'),
        ConsentState: schema(ConsentStateViewSchema),
        RelationshipEvent: schema(RelationshipEventSchema, 'input'),
        AgeVerification: schema(AgeVerificationSchema, 'input'),
        OptOutReview: schema(OptOutReviewSchema),
        OptOutReviewDecision: schema(OptOutReviewDecisionSchema, 'input'),
        TenantRegistration: schema(tenantRegistration, 'input'),
        Problem: schema(ProblemSchema),
      },
    },
  };
}
