import path from 'node:path';
import { loadMigrations, migrate } from '../../../core/src';
import { findAccessRight, insertAccessRight } from '../../../gateway/src/registry/access-right-repository';
import { insertMembers, insertSubsystems } from '../../helpers/registry-fixtures';
import { STORE_ENGINES, storeEngine } from '../../helpers/store-engines';

const REGISTRY_MIGRATIONS = path.join(__dirname, '..', '..', '..', 'gateway', 'migrations', 'registry');
const SERVICE = 'MN/GOV/9011311/civil-registry/person';
const CLIENT = 'MN/GOV/9011322/e-services';

describe.each(STORE_ENGINES)('registry migration 0005 (access rights per endpoint) on %s', (name) => {
  const engine = storeEngine(name);
  afterAll(() => engine.cleanup());

  it('keeps the rights given before it as rights to the whole service, and lets endpoint rights stand beside them', async () => {
    const store = await engine.openIsolated();
    const all = await loadMigrations(REGISTRY_MIGRATIONS);
    const before = all.filter((migration) => migration.version < 5);
    await migrate(store, before, { scope: 'registry' });
    await insertMembers(store, [{ id: 'MN/GOV/9011311' }, { id: 'MN/GOV/9011322' }]);
    await insertSubsystems(store, ['MN/GOV/9011311/civil-registry', CLIENT]);
    await store.query('INSERT INTO access_rights (service_id, client_id) VALUES ($1, $2)', [SERVICE, CLIENT]);

    await migrate(store, all, { scope: 'registry' });

    const kept = await findAccessRight(store, SERVICE, { clientId: CLIENT });
    expect(kept).toMatchObject({ serviceId: SERVICE, clientId: CLIENT });
    expect(kept).not.toHaveProperty('endpoint');
    // The whole service again is the same right; an endpoint is another one, and once only.
    expect(await insertAccessRight(store, SERVICE, { clientId: CLIENT })).toBeUndefined();
    const endpoint = { method: 'GET', path: '/persons/*' } as const;
    expect(await insertAccessRight(store, SERVICE, { clientId: CLIENT }, endpoint)).toMatchObject({
      endpoint,
    });
    expect(await insertAccessRight(store, SERVICE, { clientId: CLIENT }, endpoint)).toBeUndefined();
    // A method without a path, or a path without a method, is no right at all.
    await expect(
      store.query('INSERT INTO access_rights (service_id, client_id, endpoint_method) VALUES ($1, $2, $3)', [
        SERVICE,
        CLIENT,
        'GET',
      ]),
    ).rejects.toThrow();
  });
});
