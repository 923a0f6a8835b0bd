// A single-node Apache Kafka broker in KRaft mode from Apache Kafka's official artifacts,
// fetched with Maven into an ignored cache (no Docker needed). The distribution's shell
// scripts only run kafka.tools.StorageTool and kafka.Kafka on this classpath; so do we.
//
//   node tools/stack/kafka.mjs start|stop|status|topics [--profile local|test]
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { runningPid } from './pid-file.mjs';
import { getProfile, ROOT } from './profiles.mjs';

const KAFKA_VERSION = readFileSync(join(ROOT, 'tools', 'kafka', 'pom.xml'), 'utf8').match(/<kafka.version>([^<]+)</)[1];
const CACHE = join(ROOT, '.cache', 'kafka', KAFKA_VERSION);
const LIBS = join(CACHE, 'libs');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Downloads the broker's jars once; later runs reuse the cache. */
export function ensureArtifacts(log = console.log) {
  if (existsSync(join(LIBS, `kafka_2.13-${KAFKA_VERSION}.jar`))) return;
  log(`fetching Apache Kafka ${KAFKA_VERSION} artifacts with Maven (once)...`);
  mkdirSync(CACHE, { recursive: true });
  execFileSync('mvn', ['-q', '-B', '-f', join(ROOT, 'tools', 'kafka', 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${LIBS}`], { stdio: 'inherit' });
  if (!existsSync(join(LIBS, `kafka_2.13-${KAFKA_VERSION}.jar`))) {
    throw new Error(`Maven did not produce kafka_2.13-${KAFKA_VERSION}.jar in ${LIBS}`);
  }
}

function paths(profile) {
  const dir = join(profile.dir, 'kafka');
  return { dir, data: join(dir, 'data'), config: join(dir, 'server.properties'), pid: join(dir, 'broker.pid'), log: join(dir, 'broker.log') };
}

function writeConfig(profile, p) {
  const { port, controllerPort } = profile.kafka;
  const props = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': p.data,
    'num.partitions': '1',
    'auto.create.topics.enable': 'false',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'group.initial.rebalance.delay.ms': '0',
    'log.cleaner.min.compaction.lag.ms': '0',
    'delete.topic.enable': 'true',
  };
  writeFileSync(
    p.config,
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
}

function java(args, options) {
  return spawn('java', ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', `-Dlog4j.configuration=file:${join(ROOT, 'tools', 'kafka', 'log4j.properties')}`, '-cp', `${LIBS}/*`, ...args], options);
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitReady(profile, pid, p, timeoutMs = 90_000) {
  const { Kafka, logLevel } = await import('kafkajs');
  const { fixIdleRequestQueuePolling } = await import(join(ROOT, 'libs', 'kafka', 'dist', 'request-queue-fix.js'));
  fixIdleRequestQueuePolling();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pid !== null) {
      try {
        process.kill(pid, 0);
      } catch {
        throw new Error(`the broker exited during start-up; see ${p.log}`);
      }
    }
    if (await portOpen(profile.kafka.port)) {
      const admin = new Kafka({ brokers: [`127.0.0.1:${profile.kafka.port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        await admin.disconnect();
        if (cluster.brokers.length > 0 && cluster.controller !== null) return;
      } catch {
        await admin.disconnect().catch(() => undefined);
      }
    }
    await sleep(250);
  }
  throw new Error(`the broker was not ready after ${timeoutMs / 1000}s; see ${p.log}`);
}

/** Starts the profile's broker unless it runs already; resolves when it answers. */
export async function startBroker(profileName, log = console.log) {
  const profile = getProfile(profileName);
  const p = paths(profile);
  const existing = runningPid(p.pid);
  if (existing !== null) {
    await waitReady(profile, existing, p);
    return { pid: existing, started: false };
  }
  if (await portOpen(profile.kafka.port)) {
    throw new Error(`port ${profile.kafka.port} is taken by a process that is not this project's broker`);
  }
  ensureArtifacts(log);
  mkdirSync(p.dir, { recursive: true });
  writeConfig(profile, p);
  if (!existsSync(join(p.data, 'meta.properties'))) {
    rmSync(p.data, { recursive: true, force: true });
    const format = java(['kafka.tools.StorageTool', 'format', '-t', randomUUID().replace(/-/g, '').slice(0, 22), '-c', p.config], { stdio: 'pipe' });
    const code = await new Promise((resolve) => format.on('exit', resolve));
    if (code !== 0) throw new Error(`formatting the KRaft storage failed (exit ${code})`);
  }
  const out = openSync(p.log, 'a');
  const broker = java(['kafka.Kafka', p.config], { stdio: ['ignore', out, out], detached: true });
  closeSync(out);
  broker.unref();
  writeFileSync(p.pid, String(broker.pid));
  const started = Date.now();
  await waitReady(profile, broker.pid, p);
  log(`Kafka ${KAFKA_VERSION} (${profileName}) ready on 127.0.0.1:${profile.kafka.port} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return { pid: broker.pid, started: true };
}

/** Stops the broker cleanly (controlled shutdown), forcing it after 30 s. */
export async function stopBroker(profileName, { wipe = false } = {}) {
  const profile = getProfile(profileName);
  const p = paths(profile);
  const pid = runningPid(p.pid);
  if (pid !== null) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 30_000;
    while (runningPid(p.pid) !== null && Date.now() < deadline) await sleep(200);
    if (runningPid(p.pid) !== null) process.kill(pid, 'SIGKILL');
    while (runningPid(p.pid) !== null) await sleep(100);
  }
  rmSync(p.pid, { force: true });
  if (wipe) rmSync(p.data, { recursive: true, force: true });
}

/** Kills the broker with SIGKILL (a crash: no controlled shutdown), keeping its data for the next start. */
export async function killBroker(profileName) {
  const p = paths(getProfile(profileName));
  const pid = runningPid(p.pid);
  if (pid !== null) {
    process.kill(pid, 'SIGKILL');
    while (runningPid(p.pid) !== null) await sleep(100);
  }
  rmSync(p.pid, { force: true });
}

/** Creates every topic of the catalogue (needs libs/contracts and libs/kafka built). */
export async function createTopics(profileName, log = console.log, brokers = [`127.0.0.1:${getProfile(profileName).kafka.port}`]) {
  const { TOPIC_LIST } = await import(join(ROOT, 'libs', 'contracts', 'dist', 'index.js'));
  const { createKafkaClient, ensureTopics } = await import(join(ROOT, 'libs', 'kafka', 'dist', 'index.js'));
  const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined };
  const kafka = createKafkaClient({ brokers, clientId: 'topic-setup', log: quiet });
  const result = await ensureTopics(kafka, TOPIC_LIST);
  if (result.created.length > 0) log(`created topics: ${result.created.join(', ')}`);
  return result;
}

export function brokerStatus(profileName) {
  const p = paths(getProfile(profileName));
  return { pid: runningPid(p.pid), log: p.log, cache: CACHE, cachedJars: existsSync(LIBS) ? readdirSync(LIBS).length : 0 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command = 'status'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const profileArg = process.argv.find((a) => a.startsWith('--profile='))?.split('=')[1] ?? 'local';
  try {
    if (command === 'start') {
      await startBroker(profileArg);
      await createTopics(profileArg);
    } else if (command === 'stop') await stopBroker(profileArg);
    else if (command === 'topics') {
      const brokers = process.argv
        .find((a) => a.startsWith('--brokers='))
        ?.split('=')[1]
        ?.split(',');
      await createTopics(profileArg, console.log, brokers);
    } else if (command === 'status') console.log(JSON.stringify(brokerStatus(profileArg)));
    else throw new Error(`unknown command "${command}" (start, stop, status, topics)`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
