import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

type Json = Record<string, unknown>;

/** Twilio's OpenAPI description, as copied into contract/ (this file runs from dist/test-support/). */
export const OAS = JSON.parse(readFileSync(new URL('../../contract/twilio_api_v2010.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json> };
};

const MESSAGES_PATH = '/2010-04-01/Accounts/{AccountSid}/Messages.json';

const dig = (value: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Json)[key] : undefined), value);

export const MESSAGE_SCHEMA = OAS.components.schemas['api.v2010.account.message'] as { properties: Json };
export const LIST_RESPONSE_SCHEMA = dig(OAS.paths[MESSAGES_PATH], 'get', 'responses', '200', 'content', 'application/json', 'schema') as Json & { properties: Json };
export const CREATE_REQUEST_SCHEMA = dig(OAS.paths[MESSAGES_PATH], 'post', 'requestBody', 'content', 'application/x-www-form-urlencoded', 'schema') as {
  properties: Json;
  required?: string[];
};
export const LIST_QUERY_PARAMETERS = (dig(OAS.paths[MESSAGES_PATH], 'get', 'parameters') as { name: string; in: string }[]).filter((p) => p.in === 'query').map((p) => p.name);
export const STATUS_ENUM = (OAS.components.schemas.message_enum_status as { enum: string[] }).enum;

/**
 * Ajv over the OpenAPI 3.0 schemas: `nullable` is Ajv's own OpenAPI keyword; strict mode is off for
 * the vendor extensions (x-twilio) and the schemas are loaded under their OpenAPI location, so that
 * their "#/components/schemas/..." references resolve. Twilio's custom formats get definitions that
 * check what they name (an RFC 2822 date, an E.164 number, ...) instead of being ignored.
 */
function compile(): { message: ValidateFunction; list: ValidateFunction } {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('date-time-rfc-2822', /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
  // What Twilio's description of `from` names: an E.164 number, a short code, an alphanumeric sender ID or a channel address.
  ajv.addFormat('phone-number', /^(\+[1-9]\d{1,14}|\d{3,8}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}|[a-z]+:\S+)$/);
  // Twilio's page URIs are relative to https://api.twilio.com.
  ajv.addFormat('uri', /^(\/|https?:\/\/)\S*$/);
  ajv.addFormat('uri-map', true);
  ajv.addFormat('currency', /^[A-Za-z]{3}$/);
  ajv.addSchema({ $id: 'twilio-oas', components: { schemas: { ...OAS.components.schemas, ListMessageResponse: LIST_RESPONSE_SCHEMA } } });
  const get = (name: string): ValidateFunction => {
    const validate = ajv.getSchema(`twilio-oas#/components/schemas/${name}`);
    if (!validate) throw new Error(`no schema ${name} in the OpenAPI description`);
    return validate;
  };
  return { message: get('api.v2010.account.message'), list: get('ListMessageResponse') };
}

const validators = compile();

/** The schema errors of a value, empty when it conforms. */
export function contractErrors(kind: 'message' | 'list', value: unknown): string[] {
  const validate = validators[kind];
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
