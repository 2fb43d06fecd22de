// Checks (or cleans) package-lock.json so that it names no URL outside the npm registry.
//   node scripts/lockfile.mjs check   exit 1 when a package is resolved from elsewhere
//                                      (git, http tarball, file/link) or any other URL appears
//   node scripts/lockfile.mjs strip   drop the "funding" links npm copies into the lock
//                                      (metadata only; `npm ci` does not use them)
import { readFileSync, writeFileSync } from 'node:fs';

const REGISTRY = 'https://registry.npmjs.org/';
const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const mode = process.argv[2] ?? 'check';

if (mode === 'strip') {
  let n = 0;
  for (const entry of Object.values(lock.packages ?? {})) {
    if ('funding' in entry) {
      delete entry.funding;
      n += 1;
    }
  }
  writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
  console.log(`package-lock.json: removed ${n} funding entries`);
  process.exit(0);
}

const problems = [];
const urlLike = /^(?:[a-z][a-z0-9+.-]*:|git@|github:|gitlab:|bitbucket:|file:|link:)/i;
for (const [name, entry] of Object.entries(lock.packages ?? {})) {
  if (name === '') continue;
  if (entry.link) problems.push(`${name}: linked package (${entry.resolved})`);
  if (entry.resolved !== undefined && !String(entry.resolved).startsWith(REGISTRY)) {
    problems.push(`${name}: resolved from ${entry.resolved}`);
  }
  if (entry.version !== undefined && urlLike.test(String(entry.version))) {
    problems.push(`${name}: version is ${entry.version}`);
  }
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    for (const [dep, spec] of Object.entries(entry[field] ?? {})) {
      if (urlLike.test(String(spec)) && !String(spec).startsWith('npm:')) {
        problems.push(`${name}: ${field}.${dep} = ${spec}`);
      }
    }
  }
}
// Any other URL anywhere in the file.
const text = readFileSync(lockPath, 'utf8');
for (const m of text.matchAll(/"((?:https?|git|ssh|git\+[a-z]+):\/\/[^"]*)"/g)) {
  if (!m[1].startsWith(REGISTRY)) problems.push(`URL outside the registry: ${m[1]}`);
}
if (problems.length > 0) {
  console.error(`package-lock.json names sources outside ${REGISTRY}:`);
  for (const p of [...new Set(problems)]) console.error(`  ${p}`);
  console.error('Run `node scripts/lockfile.mjs strip` for funding links; replace other dependencies.');
  process.exit(1);
}
const count = Object.keys(lock.packages ?? {}).length - 1;
console.log(`package-lock.json: ${count} packages, all from the npm registry`);
