/**
 * Serves holdfast/client to the browser as one JavaScript file. From the installed package that
 * is the built dist/client/index.js as it is; inside this repository the export condition
 * resolves to the TypeScript source, which TypeScript (a devDependency here) transpiles once at
 * startup.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function holdfastClientScript(): Promise<string> {
  const file = fileURLToPath(import.meta.resolve('holdfast/client'));
  const text = readFileSync(file, 'utf8');
  if (!file.endsWith('.ts')) return text;
  const { default: ts } = await import('typescript');
  return ts.transpileModule(text, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
}
