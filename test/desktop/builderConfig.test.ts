import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const require = createRequire(import.meta.url);

async function config(): Promise<Record<string, unknown>> {
  return parse(await readFile(new URL('electron-builder.yml', root), 'utf8')) as Record<string, unknown>;
}

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own JSON schema", async () => {
    const schema = JSON.parse(
      await readFile(require.resolve('app-builder-lib/scheme.json'), 'utf8'),
    ) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const valid = validate(await config());
    expect(validate.errors ?? [], ajv.errorsText(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check can fail: a misspelt option is refused', async () => {
    const schema = JSON.parse(
      await readFile(require.resolve('app-builder-lib/scheme.json'), 'utf8'),
    ) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate({ ...(await config()), asarUnpak: ['x'] })).toBe(false);
    expect(validate({ ...(await config()), npmRebuild: 'no' })).toBe(false);
    expect(validate({ ...(await config()), linux: { targets: ['AppImage'] } })).toBe(false);
  });

  it('builds AppImage and deb, dmg, nsis, with DuckDB unpacked and nothing rebuilt', async () => {
    const c = await config();
    expect(c.linux).toMatchObject({ target: ['AppImage', 'deb'] });
    expect(c.mac).toMatchObject({ target: ['dmg'] });
    expect(c.win).toMatchObject({ target: ['nsis'] });
    expect(c.asarUnpack).toContain('**/node_modules/@duckdb/node-bindings*/**');
    expect(c.npmRebuild).toBe(false);
  });

  it('packs the built shell, the renderer and what core reads at run time; main is the built main', async () => {
    const c = await config();
    const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as { main: string };
    expect(c.files).toEqual(
      expect.arrayContaining(['package.json', 'dist/electron/**', 'renderer/dist/**', 'sql/**']),
    );
    expect(pkg.main).toBe('dist/electron/main.js');
    expect(c.extraMetadata).toEqual({ main: pkg.main });
    // Core resolves the SQL project and templates next to its sources; DuckDB needs them as real files.
    expect(c.asarUnpack).toEqual(expect.arrayContaining(['sql/**', 'core/segments/templates/**']));
  });
});
