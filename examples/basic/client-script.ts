/**
 * Serves holdfast/client to the browser as one JavaScript file. From the installed package that
 * is the built dist/client/index.js; inside this repository the export condition resolves to the
 * TypeScript source, which Node strips to JavaScript once at startup.
 */
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { fileURLToPath } from 'node:url';

export function holdfastClientScript(): string {
  const file = fileURLToPath(import.meta.resolve('holdfast/client'));
  const text = readFileSync(file, 'utf8');
  return file.endsWith('.ts') ? stripTypeScriptTypes(text) : text;
}
