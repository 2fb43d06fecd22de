// Rewrites contributes.configuration in package.json from src/settings.ts
// (compiled to out-test/ by `npm run build:tests`). Run: npm run sync-settings
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { SERVER_SETTINGS, packageJsonProperty } = require('../out-test/src/settings.js');
const { CLIENT_PROPERTIES } = require('../out-test/src/clientSettings.js');

const pkgPath = new URL('../package.json', import.meta.url);
const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
const properties = {};
for (const [key, prop] of Object.entries(CLIENT_PROPERTIES)) {
  properties[`ssc.${key}`] = prop;
}
for (const spec of SERVER_SETTINGS) {
  properties[`ssc.${spec.key}`] = packageJsonProperty(spec);
}
pkg.contributes.configuration = { title: 'ssc', properties };
writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + '\n');
console.log(`package.json: ${Object.keys(properties).length} settings`);
