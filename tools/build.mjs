#!/usr/bin/env node
// Compiles TypeScript projects with SWC: <project>/src/**/*.ts -> <project>/dist/**/*.js, and an
// app's benchmarks, evaluations, training scripts and CLIs, <project>/scripts/**/*.ts ->
// <project>/dist-scripts/**/*.js. A script imports its app's rules from src (`../../src/rules/x.js`);
// in the compiled script that import points at the compiled src (`../../dist/rules/x.js`). src never
// imports scripts (lint forbids it), so what the service runs is src alone.
// Type checking is separate (`npm run typecheck`); SWC only strips types and emits decorator
// metadata, which NestJS needs and Node's own type stripping does not provide.
//   node tools/build.mjs            every project
//   node tools/build.mjs apps/intake libs/kafka
import { transformFile } from '@swc/core';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const swcOptions = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

export async function listProjects() {
  const roots = [];
  for (const group of ['libs', 'apps', 'apps/dev']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const entry of await readdir(base, { withFileTypes: true })) {
      const dir = join(base, entry.name);
      if (entry.isDirectory() && existsSync(join(dir, 'project.json')) && existsSync(join(dir, 'src'))) roots.push(dir);
    }
  }
  return roots;
}

/** The compile roots of a project: its src, and an app's scripts when it has them. */
const ROOTS = [
  { from: 'src', to: 'dist' },
  { from: 'scripts', to: 'dist-scripts' },
];

/** In a compiled script, a relative import of the app's src points at the compiled src instead. */
function redirectSrcImports(code, projectDir, sourceFile, targetFile) {
  const srcDir = join(projectDir, 'src') + sep;
  return code.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?\/[^'"]*)\2/g, (whole, lead, quote, specifier) => {
    const target = resolve(dirname(sourceFile), specifier);
    if (!target.startsWith(srcDir)) return whole;
    const compiled = relative(dirname(targetFile), join(projectDir, 'dist', relative(srcDir, target)))
      .split(sep)
      .join('/');
    return `${lead}${quote}${compiled.startsWith('.') ? compiled : `./${compiled}`}${quote}`;
  });
}

async function buildProject(projectDir) {
  let compiled = 0;
  for (const root of ROOTS) if (existsSync(join(projectDir, root.from))) compiled += await buildRoot(projectDir, root);
  return compiled;
}

async function buildRoot(projectDir, root) {
  const src = join(projectDir, root.from);
  const out = join(projectDir, root.to);
  const isScripts = root.from !== 'src';
  const expected = new Set();
  let compiled = 0;
  const jobs = [];
  for await (const file of walk(src)) {
    const rel = relative(src, file);
    if (rel.endsWith('.d.ts')) continue;
    if (rel.endsWith('.ts')) {
      const target = join(out, rel.replace(/\.ts$/, '.js'));
      expected.add(target);
      expected.add(`${target}.map`);
      jobs.push(
        (async () => {
          const [s, t] = await Promise.all([stat(file), stat(target).catch(() => null)]);
          if (t && t.mtimeMs >= s.mtimeMs) return;
          const result = await transformFile(file, { ...swcOptions, filename: file, sourceFileName: relative(dirname(target), file), swcrc: false });
          await mkdir(dirname(target), { recursive: true });
          const code = isScripts ? redirectSrcImports(result.code, projectDir, file, target) : result.code;
          await writeFile(target, `${code}\n//# sourceMappingURL=${rel.split('/').pop().replace(/\.ts$/, '.js')}.map\n`);
          if (result.map) await writeFile(`${target}.map`, result.map);
          compiled++;
        })(),
      );
    } else if (/\.(json|txt|html|css|svg|csv|tsv)$/.test(rel)) {
      const target = join(out, rel);
      expected.add(target);
      jobs.push(
        (async () => {
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, readFileSync(file));
        })(),
      );
    }
  }
  await Promise.all(jobs);
  // Remove outputs whose source is gone, so a deleted spec never runs again.
  if (existsSync(out)) {
    for await (const file of walk(out)) if (!expected.has(file)) await rm(file);
  }
  return compiled;
}

const args = process.argv.slice(2);
const projects = args.length > 0 ? args.map((a) => resolve(root, a)) : await listProjects();
const started = performance.now();
let total = 0;
for (const project of projects) total += await buildProject(project);
console.log(`built ${projects.length} projects (${total} files compiled) in ${Math.round(performance.now() - started)} ms`);
