/** The numbers and the Messaging Service the simulator's specs send with. */
export const TO = '+14155550100';
export const FROM = '+14155550199';
export const MG = 'MG0123456789abcdef0123456789abcdef';

export type Json = Record<string, unknown>;

/** A call to one of the simulator's JSON endpoints: a string body is sent as it is (malformed JSON included), anything else as JSON. */
export async function callSim(sim: { url: string }, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}
