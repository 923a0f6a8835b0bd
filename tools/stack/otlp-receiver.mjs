// A minimal OTLP/HTTP (JSON) trace receiver for the end-to-end tier: it keeps the spans the
// services export and answers GET /spans?traceId=... so a test can check that one message
// made one trace across all six services. Operators use a real trace backend instead.
import { createServer } from 'node:http';

const hex = (id) => (typeof id === 'string' && /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id ?? '', 'base64').toString('hex'));

export function startOtlpReceiver(port) {
  const spans = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/v1/traces') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          for (const rs of body.resourceSpans ?? []) {
            const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? 'unknown';
            for (const ss of rs.scopeSpans ?? []) {
              for (const s of ss.spans ?? []) {
                const attributes = Object.fromEntries((s.attributes ?? []).map((a) => [a.key, Object.values(a.value ?? {})[0]]));
                spans.push({ service, traceId: hex(s.traceId), spanId: hex(s.spanId), parentSpanId: s.parentSpanId ? hex(s.parentSpanId) : null, name: s.name, attributes });
              }
            }
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } catch (error) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message }));
        }
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/spans') {
      const traceId = url.searchParams.get('traceId');
      const messageId = url.searchParams.get('messageId');
      const selected = spans.filter((s) => (!traceId || s.traceId === traceId) && (!messageId || s.attributes['sms.message_id'] === messageId));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ spans: selected }));
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ close: () => new Promise((r) => server.close(() => r())), count: () => spans.length }));
  });
}
