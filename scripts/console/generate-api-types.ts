/**
 * Writes `generated/admin-api.ts`: TypeScript types of every operation and
 * schema of the gateway's OpenAPI document (openapi-typescript), the one
 * source of the console's and the CLI's API types. Run by `npm install`
 * (`prepare`) and by `npm run build:console`; the output is git-ignored.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { buildOpenApiDocument } from '../../gateway/src/openapi';

/** Where the types are written. */
export const GENERATED_TYPES = path.resolve(__dirname, '..', '..', 'generated', 'admin-api.ts');

/** The generated module's text. */
export async function generateApiTypes(): Promise<string> {
  const document = buildOpenApiDocument();
  const ast = await openapiTS(document as unknown as Parameters<typeof openapiTS>[0], {
    exportType: true,
    alphabetize: true,
    // A property with a default may be left out of a request body.
    defaultNonNullable: false,
  });
  return `/* Generated from the gateway's OpenAPI document by scripts/console/generate-api-types.ts: do not edit. */\n${astToString(ast)}`;
}

if (require.main === module) {
  generateApiTypes().then(
    (text) => {
      mkdirSync(path.dirname(GENERATED_TYPES), { recursive: true });
      writeFileSync(GENERATED_TYPES, text);
      console.log(`API types written to ${path.relative(process.cwd(), GENERATED_TYPES)}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
