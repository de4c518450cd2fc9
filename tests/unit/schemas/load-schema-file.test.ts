import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSchemaFile } from '../../../core/src/schemas';

describe('loadSchemaFile', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ortoo-schemas-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  it('reads and parses a JSON schema', async () => {
    const path = await file('person.json', '{"type":"object","title":"Хүн"}');
    await expect(loadSchemaFile(path)).resolves.toEqual({ type: 'object', title: 'Хүн' });
  });

  it('fails with NotFound naming a missing file', async () => {
    const path = join(dir, 'missing.json');
    await expect(loadSchemaFile(path)).rejects.toMatchObject({
      code: 'NotFound',
      message: `Schema file not found: ${path}`,
    });
  });

  it('fails with InvalidSchema naming a file that is not JSON', async () => {
    const path = await file('broken.json', '{"type":');
    await expect(loadSchemaFile(path)).rejects.toMatchObject({
      code: 'InvalidSchema',
      message: expect.stringContaining(`Schema file ${path} is not valid JSON`),
    });
  });

  it('fails with InvalidSchema when the JSON is not an object', async () => {
    const path = await file('list.json', '[]');
    await expect(loadSchemaFile(path)).rejects.toMatchObject({
      code: 'InvalidSchema',
      message: `Schema file ${path} must contain a JSON object`,
    });
  });

  it('fails with InvalidSchema naming a path that cannot be read', async () => {
    await expect(loadSchemaFile(dir)).rejects.toMatchObject({
      code: 'InvalidSchema',
      message: expect.stringContaining(`Cannot read schema file ${dir}`),
    });
  });
});
