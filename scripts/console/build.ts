/**
 * Builds the web console: the API types from the gateway's OpenAPI document
 * (`generated/admin-api.ts`), then the page with Vite into `console/dist/`,
 * which the gateway serves at `/console`. Run by `npm install` (`prepare`),
 * `npm run build:console`, and by `npm start` when the build is missing.
 * Nothing it writes is committed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONSOLE_DIST_DIR } from '../../gateway/src/console/console-assets';
import { GENERATED_TYPES, generateApiTypes } from './generate-api-types';

const ROOT = path.resolve(__dirname, '..', '..');

/** Writes the API types and builds the console; throws with Vite's output when the build fails. */
export async function buildConsole(): Promise<void> {
  mkdirSync(path.dirname(GENERATED_TYPES), { recursive: true });
  writeFileSync(GENERATED_TYPES, await generateApiTypes());
  const vite = spawnSync(
    process.execPath,
    [
      path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js'),
      'build',
      '--config',
      path.join(ROOT, 'console', 'vite.config.mts'),
    ],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } },
  );
  if (vite.status !== 0) throw new Error(`The console did not build:\n${vite.stdout}${vite.stderr}`);
}

/** Builds the console unless a build is there already (`npm start` on a checkout built before). */
export async function ensureConsoleBuilt(): Promise<void> {
  if (existsSync(path.join(CONSOLE_DIST_DIR, 'index.html')) && existsSync(GENERATED_TYPES)) return;
  await buildConsole();
}

if (require.main === module) {
  buildConsole().then(
    () => console.log(`Console built into ${path.relative(process.cwd(), CONSOLE_DIST_DIR)}/`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
