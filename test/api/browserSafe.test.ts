import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the contract and the client links', () => {
  it('bundle for the browser without any Node built-in', async () => {
    const result = await build({
      stdin: {
        contents:
          "export { contract } from './core/api/contract.ts';\n" +
          "export * from './core/api/client/index.ts';\n",
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes('core/api/contract.ts'))).toBe(true);
    const nodeOnly = inputs.filter(
      (path) => path.startsWith('node:') || /core\/(db|models|service|workspace)\//.test(path),
    );
    expect(nodeOnly).toEqual([]);
    const imports = Object.values(result.metafile.outputs).flatMap((output) =>
      output.imports.map((i) => i.path),
    );
    expect(imports.filter((path) => path.startsWith('node:') || !path.startsWith('.'))).toEqual([]);
  });
});
