// An HTTP balancer in front of a service's instances, as a load balancer fronts them in
// production: it listens on the service's own port and hands each request to the next instance
// in turn. An instance that refuses the connection (killed, not yet started again) is skipped
// for the next one, which is safe since nothing reached it; a request an instance took and then
// dropped is answered 502, as a real balancer would, and the caller retries.
import http from 'node:http';

/**
 * Starts a balancer on `port` for the instances at `targets` (ports on 127.0.0.1). Resolves
 * once it listens, with a function that closes it.
 */
export async function startBalancer(port, targets) {
  // No cap on sockets: a balancer that queued requests would hold a STOP behind status callbacks
  // that wait for a broker to come back, where the instances themselves take every connection.
  const agent = new http.Agent({ keepAlive: true });
  let next = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => forward(req, res, Buffer.concat(chunks), next++ % targets.length, targets.length));
  });

  function forward(req, res, body, index, triesLeft) {
    const upstream = http.request({ host: '127.0.0.1', port: targets[index], method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      if (res.headersSent) return res.destroy();
      if (error.code === 'ECONNREFUSED' && triesLeft > 1) return forward(req, res, body, (index + 1) % targets.length, triesLeft - 1);
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `instance on port ${targets[index]} failed: ${error.code ?? error.message}`, where: req.url }));
    });
    upstream.end(body);
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
}
