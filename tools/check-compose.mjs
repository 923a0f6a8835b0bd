// Keeps docker-compose.yml in step with the code (there is no Docker engine here to run it):
// - every service of the stack is in it, and its environment passes the service's own
//   configuration schema (required variables present, values valid);
// - the one-shot jobs migrate every service that has migrations;
// - `docker compose config -q` (or docker-compose) validates the file when a client that
//   can is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, SERVICES } from './stack/profiles.mjs';

const problems = [];
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
const { loadConfig } = await import(join(ROOT, 'libs', 'config', 'dist', 'index.js'));

const isSpec = (value) =>
  typeof value === 'object' && value !== null && Object.values(value).length > 0 && Object.values(value).every((v) => v && typeof v === 'object' && 'schema' in v && 'description' in v);

for (const service of [...SERVICES, 'twilio-simulator']) {
  const folder = service === 'twilio-simulator' ? join('apps', 'dev', 'twilio-simulator') : join('apps', service);
  const definition = compose.services?.[service];
  if (!definition) {
    problems.push(`${service}: missing from docker-compose.yml`);
    continue;
  }
  const module = await import(join(ROOT, folder, 'dist', 'config.js'));
  const spec = Object.values(module).find(isSpec);
  if (!spec) {
    problems.push(`${service}: no configuration spec exported from ${folder}/src/config.ts`);
    continue;
  }
  const env = Object.fromEntries(Object.entries(definition.environment ?? {}).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));
  try {
    loadConfig(spec, env);
  } catch (error) {
    problems.push(`${service}: its compose environment does not pass its configuration schema:\n${error.message}`);
  }
  const expectedDir = folder.replace(/^apps\//, '');
  if (env.SERVICE !== expectedDir) problems.push(`${service}: SERVICE must be "${expectedDir}" (the folder under apps/), is "${env.SERVICE}"`);
}

const migrateCommand = JSON.stringify(compose.services?.migrate?.command ?? '');
for (const service of SERVICES) {
  if (existsSync(join(ROOT, 'apps', service, 'src', 'migrate.ts')) && !migrateCommand.includes(service)) {
    problems.push(`migrate: does not run the migrations of ${service}`);
  }
}

const works = (bin, args) => {
  try {
    execFileSync(bin, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const client = works('docker', ['compose', 'version']) ? ['docker', ['compose']] : works('docker-compose', ['version']) ? ['docker-compose', []] : null;
if (client) {
  const [bin, prefix] = client;
  try {
    execFileSync(bin, [...prefix, 'config', '-q'], { cwd: ROOT, stdio: 'pipe' });
    console.log(`${bin} ${[...prefix, 'config'].join(' ')}: valid`);
  } catch (error) {
    problems.push(`${bin} ${[...prefix, 'config'].join(' ')} refused docker-compose.yml:\n${error.stderr ?? error.message}`);
  }
} else {
  console.log('no Docker Compose client here: checked the file against the services only');
}

if (problems.length > 0) {
  console.error(`docker-compose.yml is out of step:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('docker-compose.yml is in step with the services');
