import { useState } from 'preact/hooks';
import type { components } from '../../../generated/admin-api';
import { Form } from '../components/form';
import { ListTable, usePagedList, type Column } from '../components/paged-list';
import { Badge, ErrorBanner, FilterInput, Link, Notice, PageHeader, useAction } from '../components/ui';
import { api, call } from '../lib/api';
import { useConsole } from '../lib/context';
import { GROUP, MEMBER, SERVER, SERVICE, SUBSYSTEM, idParts } from '../lib/ids';
import type { MessageKey } from '../lib/messages';

type Schemas = components['schemas'];

const TABS: readonly { id: string; label: MessageKey }[] = [
  { id: 'members', label: 'registry.members' },
  { id: 'subsystems', label: 'registry.subsystems' },
  { id: 'servers', label: 'registry.servers' },
  { id: 'services', label: 'registry.services' },
  { id: 'groups', label: 'registry.groups' },
  { id: 'access', label: 'registry.access' },
  { id: 'certificates', label: 'registry.certificates' },
];

/** Optional text → the property, or nothing. */
const opt = <K extends string>(key: K, value: string | undefined) =>
  (value === undefined || value.trim() === '' ? {} : { [key]: value.trim() }) as Partial<Record<K, string>>;

/** The registry, one tab per kind of thing: list, search, create, edit, disable, revoke. */
export function RegistryPage(props: { tab: string }) {
  const { t } = useConsole();
  const tab = TABS.some((item) => item.id === props.tab) ? props.tab : 'members';
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const done = (message: string) => setNotice(message);
  return (
    <section>
      <PageHeader title={t('registry.title')} />
      <nav aria-label={t('registry.tabs')} class="tabs">
        <ul>
          {TABS.map((item) => (
            <li key={item.id}>
              <Link to={`/registry?tab=${item.id}`} current={item.id === tab}>
                {t(item.label)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {notice === undefined ? null : <Notice>{notice}</Notice>}
      {tab === 'members' ? <Members done={done} /> : null}
      {tab === 'subsystems' ? <Subsystems done={done} /> : null}
      {tab === 'servers' ? <Servers done={done} /> : null}
      {tab === 'services' ? <Services done={done} /> : null}
      {tab === 'groups' ? <Groups done={done} /> : null}
      {tab === 'access' ? <AccessRights done={done} /> : null}
      {tab === 'certificates' ? <Certificates done={done} /> : null}
    </section>
  );
}

type Done = { done: (message: string) => void };

/** After a change: tell what was done, and load the list again. */
const refresher = (list: { reload: () => void }, done: Done['done']) => (message: string) => () => {
  done(message);
  list.reload();
};

function StatusBadge(props: { status: string }) {
  const { t } = useConsole();
  const tone = props.status === 'active' || props.status === 'enabled' ? 'ok' : 'bad';
  const key = `status.${props.status}` as MessageKey;
  return <Badge tone={tone}>{t(key)}</Badge>;
}

/** A row action that asks for a reason, then calls the API (revocations). */
function ReasonAction(props: {
  label: string;
  subject: string;
  act: (reason: string) => Promise<unknown>;
  onDone: () => void;
}) {
  const { t } = useConsole();
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <button
        type="button"
        class="danger small"
        onClick={() => setOpen(true)}
        aria-label={`${props.label}: ${props.subject}`}
      >
        {props.label}
      </button>
    );
  }
  return (
    <Form
      id={`revoke-${props.subject.replace(/\W+/g, '-')}`}
      fields={[{ name: 'reason', label: t('registry.revokeReason') }]}
      submitLabel={props.label}
      danger
      onSubmit={(values) => props.act(values.reason ?? '')}
      onDone={() => {
        setOpen(false);
        props.onDone();
      }}
    >
      <button type="button" class="secondary small" onClick={() => setOpen(false)}>
        {t('common.cancel')}
      </button>
    </Form>
  );
}

/** A row action that calls the API at once (delete, disable), showing its error beside it. */
function RowAction(props: {
  label: string;
  subject: string;
  act: () => Promise<unknown>;
  onDone: () => void;
  danger?: boolean;
}) {
  const action = useAction(async () => {
    await props.act();
    props.onDone();
  });
  return (
    <span class="row-action">
      <button
        type="button"
        class={`${props.danger === true ? 'danger' : 'secondary'} small`}
        disabled={action.busy}
        aria-label={`${props.label}: ${props.subject}`}
        onClick={() => void action.run()}
      >
        {props.label}
      </button>
      <ErrorBanner error={action.error} />
    </span>
  );
}

function Creator(props: { label: string; children: (close: () => void) => preact.ComponentChildren }) {
  const [open, setOpen] = useState(false);
  return (
    <div class="creator">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {props.label}
      </button>
      {open ? <div class="card">{props.children(() => setOpen(false))}</div> : null}
    </div>
  );
}

function Members({ done }: Done) {
  const { t, date } = useConsole();
  const list = usePagedList((cursor) =>
    call(api.GET('/v1/members', { params: { query: opt('cursor', cursor) } })),
  );
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const refresh = refresher(list, done);
  const columns: Column<Schemas['Member']>[] = [
    { label: t('common.id'), cell: (m) => <code>{m.id}</code>, text: (m) => m.id },
    {
      label: t('common.name'),
      text: (m) => m.name,
      cell: (m) =>
        editing === m.id ? (
          <Form
            id={`edit-${m.id.replace(/\W+/g, '-')}`}
            fields={[{ name: 'name', label: t('field.name'), initial: m.name }]}
            submitLabel={t('common.save')}
            onSubmit={(values) =>
              call(
                api.PATCH('/v1/members/{instance}/{memberClass}/{memberCode}', {
                  params: { path: idParts(m.id, MEMBER) },
                  body: { name: values.name ?? '' },
                }),
              )
            }
            onDone={() => {
              setEditing(undefined);
              refresh(t('registry.saved'))();
            }}
          />
        ) : (
          m.name
        ),
    },
    { label: t('common.status'), cell: (m) => <StatusBadge status={m.status} />, text: (m) => m.status },
    { label: t('common.created'), cell: (m) => date(m.createdAt) },
    {
      label: t('common.actions'),
      cell: (m) =>
        m.status !== 'active' ? null : (
          <div class="actions">
            <button
              type="button"
              class="secondary small"
              aria-label={`${t('common.edit')}: ${m.id}`}
              onClick={() => setEditing(m.id)}
            >
              {t('common.edit')}
            </button>
            <ReasonAction
              label={t('common.revoke')}
              subject={m.id}
              act={(reason) =>
                call(
                  api.POST('/v1/members/{instance}/{memberClass}/{memberCode}/revoke', {
                    params: { path: idParts(m.id, MEMBER) },
                    body: { reason },
                  }),
                )
              }
              onDone={refresh(t('registry.revoked'))}
            />
          </div>
        ),
    },
  ];
  return (
    <>
      <Creator label={t('registry.newMember')}>
        {(close) => (
          <Form
            id="new-member"
            fields={[
              { name: 'id', label: t('field.memberId'), placeholder: 'MN/GOV/9011311' },
              { name: 'name', label: t('field.name') },
            ]}
            submitLabel={t('common.create')}
            onSubmit={(v) =>
              call(api.POST('/v1/members', { body: { id: v.id?.trim() ?? '', name: v.name ?? '' } }))
            }
            onDone={() => {
              close();
              refresh(t('common.done'))();
            }}
          />
        )}
      </Creator>
      <ListTable caption={t('registry.members')} list={list} columns={columns} rowKey={(m) => m.id} />
    </>
  );
}

function Subsystems({ done }: Done) {
  const { t, date } = useConsole();
  const list = usePagedList((cursor) =>
    call(api.GET('/v1/subsystems', { params: { query: opt('cursor', cursor) } })),
  );
  const refresh = refresher(list, done);
  return (
    <>
      <Creator label={t('registry.newSubsystem')}>
        {(close) => (
          <Form
            id="new-subsystem"
            fields={[
              { name: 'id', label: t('field.subsystemId'), placeholder: 'MN/GOV/9011311/civil-registry' },
              { name: 'name', label: t('field.name') },
            ]}
            submitLabel={t('common.create')}
            onSubmit={(v) =>
              call(api.POST('/v1/subsystems', { body: { id: v.id?.trim() ?? '', ...opt('name', v.name) } }))
            }
            onDone={() => {
              close();
              refresh(t('common.done'))();
            }}
          />
        )}
      </Creator>
      <ListTable
        caption={t('registry.subsystems')}
        list={list}
        rowKey={(s) => s.id}
        columns={[
          { label: t('common.id'), cell: (s) => <code>{s.id}</code>, text: (s) => s.id },
          { label: t('common.name'), cell: (s) => s.name ?? '—', text: (s) => s.name ?? '' },
          { label: t('common.created'), cell: (s) => date(s.createdAt) },
          {
            label: t('common.actions'),
            cell: (s) => (
              <RowAction
                label={t('common.delete')}
                subject={s.id}
                danger
                act={() =>
                  call(
                    api.DELETE('/v1/subsystems/{instance}/{memberClass}/{memberCode}/{subsystemCode}', {
                      params: { path: idParts(s.id, SUBSYSTEM) },
                    }),
                  )
                }
                onDone={refresh(t('registry.deleted'))}
              />
            ),
          },
        ]}
      />
    </>
  );
}

function Servers({ done }: Done) {
  const { t, date } = useConsole();
  const list = usePagedList((cursor) =>
    call(api.GET('/v1/security-servers', { params: { query: opt('cursor', cursor) } })),
  );
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const refresh = refresher(list, done);
  return (
    <>
      <Creator label={t('registry.newServer')}>
        {(close) => (
          <Form
            id="new-server"
            fields={[
              { name: 'id', label: t('field.serverId'), placeholder: 'MN/GOV/9011311/ss1' },
              { name: 'address', label: t('field.address'), placeholder: 'https://ss1.example.mn:5500' },
            ]}
            submitLabel={t('common.create')}
            onSubmit={(v) =>
              call(
                api.POST('/v1/security-servers', {
                  body: { id: v.id?.trim() ?? '', address: v.address?.trim() ?? '' },
                }),
              )
            }
            onDone={() => {
              close();
              refresh(t('common.done'))();
            }}
          />
        )}
      </Creator>
      <ListTable
        caption={t('registry.servers')}
        list={list}
        rowKey={(s) => s.id}
        columns={[
          { label: t('common.id'), cell: (s) => <code>{s.id}</code>, text: (s) => s.id },
          {
            label: t('col.address'),
            text: (s) => s.address,
            cell: (s) =>
              editing === s.id ? (
                <Form
                  id={`edit-${s.id.replace(/\W+/g, '-')}`}
                  fields={[{ name: 'address', label: t('field.address'), initial: s.address }]}
                  submitLabel={t('common.save')}
                  onSubmit={(v) =>
                    call(
                      api.PATCH('/v1/security-servers/{instance}/{memberClass}/{memberCode}/{serverCode}', {
                        params: { path: idParts(s.id, SERVER) },
                        body: { address: v.address?.trim() ?? '' },
                      }),
                    )
                  }
                  onDone={() => {
                    setEditing(undefined);
                    refresh(t('registry.saved'))();
                  }}
                />
              ) : (
                s.address
              ),
          },
          {
            label: t('common.status'),
            cell: (s) => <StatusBadge status={s.status} />,
            text: (s) => s.status,
          },
          {
            label: t('col.certificate'),
            cell: (s) => (s.authCertificate === undefined ? '—' : date(s.authCertificate.notAfter)),
          },
          {
            label: t('common.actions'),
            cell: (s) =>
              s.status !== 'active' ? null : (
                <div class="actions">
                  <button
                    type="button"
                    class="secondary small"
                    aria-label={`${t('common.edit')}: ${s.id}`}
                    onClick={() => setEditing(s.id)}
                  >
                    {t('common.edit')}
                  </button>
                  <ReasonAction
                    label={t('common.revoke')}
                    subject={s.id}
                    act={(reason) =>
                      call(
                        api.POST(
                          '/v1/security-servers/{instance}/{memberClass}/{memberCode}/{serverCode}/revoke',
                          { params: { path: idParts(s.id, SERVER) }, body: { reason } },
                        ),
                      )
                    }
                    onDone={refresh(t('registry.revoked'))}
                  />
                </div>
              ),
          },
        ]}
      />
    </>
  );
}

function Services({ done }: Done) {
  const { t, date } = useConsole();
  const [provider, setProvider] = useState('');
  const list = usePagedList(
    (cursor) =>
      call(
        api.GET('/v1/services', {
          params: { query: { ...opt('cursor', cursor), ...opt('provider', provider) } },
        }),
      ),
    provider,
  );
  const refresh = refresher(list, done);
  const versionPath = (s: Schemas['Service']) => ({ ...idParts(s.id, SERVICE), version: s.version });
  return (
    <>
      <Creator label={t('registry.publish')}>
        {(close) => (
          <Form
            id="publish-service"
            fields={[
              {
                name: 'id',
                label: t('field.serviceId'),
                placeholder: 'MN/GOV/9011311/civil-registry/person',
              },
              { name: 'version', label: t('field.version'), placeholder: 'v1' },
              { name: 'title', label: t('field.title') },
              { name: 'requestSchema', label: t('field.requestSchema'), type: 'file' },
              { name: 'responseSchema', label: t('field.responseSchema'), type: 'file' },
              { name: 'openapi', label: t('field.openapi'), type: 'file', fileFormat: 'yaml-or-json' },
              {
                name: 'dataSubjectPointer',
                label: t('field.subjectPointer'),
                placeholder: '/registerNumber',
              },
              { name: 'timeoutMs', label: t('field.timeoutMs'), type: 'number', placeholder: '30000' },
            ]}
            submitLabel={t('registry.publish')}
            onSubmit={(v) =>
              call(
                api.POST('/v1/services', {
                  body: {
                    id: v.id?.trim() ?? '',
                    version: v.version?.trim() ?? '',
                    title: v.title ?? '',
                    // An OpenAPI document (JSON or YAML, read by the gateway) instead of the two schemas.
                    ...(v.openapi === undefined || v.openapi === ''
                      ? {
                          requestSchema:
                            v.requestSchema === undefined || v.requestSchema === ''
                              ? undefined
                              : JSON.parse(v.requestSchema),
                          responseSchema:
                            v.responseSchema === undefined || v.responseSchema === ''
                              ? undefined
                              : JSON.parse(v.responseSchema),
                        }
                      : { openapi: v.openapi }),
                    ...opt('dataSubjectPointer', v.dataSubjectPointer),
                    ...(v.timeoutMs === undefined || v.timeoutMs === ''
                      ? {}
                      : { timeoutMs: Number(v.timeoutMs) }),
                  },
                }),
              )
            }
            onDone={() => {
              close();
              refresh(t('common.done'))();
            }}
          />
        )}
      </Creator>
      <ListTable
        caption={t('registry.services')}
        list={list}
        rowKey={(s) => `${s.id}@${s.version}`}
        toolbar={
          <FilterInput
            id="service-provider"
            label={t('col.provider')}
            placeholder="MN/GOV/9011311/civil-registry"
            value={provider}
            onChange={setProvider}
          />
        }
        columns={[
          { label: t('common.id'), cell: (s) => <code>{s.id}</code>, text: (s) => s.id },
          { label: t('col.version'), cell: (s) => s.version, text: (s) => s.version },
          { label: t('col.title'), cell: (s) => s.title, text: (s) => s.title },
          {
            label: t('common.status'),
            cell: (s) => <StatusBadge status={s.enabled ? 'enabled' : 'disabled'} />,
          },
          { label: t('common.created'), cell: (s) => date(s.createdAt) },
          {
            label: t('common.actions'),
            cell: (s) => (
              <div class="actions">
                <RowAction
                  label={s.enabled ? t('common.disable') : t('common.enable')}
                  subject={`${s.id} ${s.version}`}
                  act={() =>
                    call(
                      api.PATCH(
                        '/v1/services/{instance}/{memberClass}/{memberCode}/{subsystemCode}/{serviceCode}/versions/{version}',
                        {
                          params: { path: versionPath(s) },
                          body: { enabled: !s.enabled },
                        },
                      ),
                    )
                  }
                  onDone={refresh(t('registry.saved'))}
                />
                <RowAction
                  label={t('common.delete')}
                  subject={`${s.id} ${s.version}`}
                  danger
                  act={() =>
                    call(
                      api.DELETE(
                        '/v1/services/{instance}/{memberClass}/{memberCode}/{subsystemCode}/{serviceCode}/versions/{version}',
                        { params: { path: versionPath(s) } },
                      ),
                    )
                  }
                  onDone={refresh(t('registry.deleted'))}
                />
              </div>
            ),
          },
        ]}
      />
    </>
  );
}

function Groups({ done }: Done) {
  const { t } = useConsole();
  const list = usePagedList((cursor) =>
    call(api.GET('/v1/groups', { params: { query: opt('cursor', cursor) } })),
  );
  const refresh = refresher(list, done);
  return (
    <>
      <Creator label={t('registry.newGroup')}>
        {(close) => (
          <Form
            id="new-group"
            fields={[
              { name: 'id', label: t('field.groupId'), placeholder: 'MN/security-services' },
              { name: 'description', label: t('field.description') },
            ]}
            submitLabel={t('common.create')}
            onSubmit={(v) =>
              call(
                api.POST('/v1/groups', {
                  body: { id: v.id?.trim() ?? '', ...opt('description', v.description) },
                }),
              )
            }
            onDone={() => {
              close();
              refresh(t('common.done'))();
            }}
          />
        )}
      </Creator>
      <ListTable
        caption={t('registry.groups')}
        list={list}
        rowKey={(g) => g.id}
        columns={[
          { label: t('common.id'), cell: (g) => <code>{g.id}</code>, text: (g) => g.id },
          {
            label: t('field.description'),
            cell: (g) => g.description ?? '—',
            text: (g) => g.description ?? '',
          },
          {
            label: t('col.members'),
            text: (g) => g.members.join(' '),
            cell: (g) => (
              <>
                <ul class="plain">
                  {g.members.map((member) => (
                    <li key={member}>
                      <code>{member}</code>{' '}
                      <RowAction
                        label={t('common.delete')}
                        subject={`${g.id} ${member}`}
                        danger
                        act={() =>
                          call(
                            api.DELETE(
                              '/v1/groups/{instance}/{groupCode}/members/{memberInstance}/{memberClass}/{memberCode}/{subsystemCode}',
                              {
                                params: {
                                  path: {
                                    ...idParts(g.id, GROUP),
                                    ...(({ instance, ...rest }) => ({ memberInstance: instance, ...rest }))(
                                      idParts(member, SUBSYSTEM),
                                    ),
                                  },
                                },
                              },
                            ),
                          )
                        }
                        onDone={refresh(t('registry.deleted'))}
                      />
                    </li>
                  ))}
                </ul>
                <Form
                  id={`add-${g.id.replace(/\W+/g, '-')}`}
                  fields={[{ name: 'subsystemId', label: t('field.subsystemId') }]}
                  submitLabel={t('common.create')}
                  onSubmit={(v) =>
                    call(
                      api.POST('/v1/groups/{instance}/{groupCode}/members', {
                        params: { path: idParts(g.id, GROUP) },
                        body: { subsystemId: v.subsystemId?.trim() ?? '' },
                      }),
                    )
                  }
                  onDone={refresh(t('common.done'))}
                />
              </>
            ),
          },
          {
            label: t('common.actions'),
            cell: (g) => (
              <RowAction
                label={t('common.delete')}
                subject={g.id}
                danger
                act={() =>
                  call(
                    api.DELETE('/v1/groups/{instance}/{groupCode}', {
                      params: { path: idParts(g.id, GROUP) },
                    }),
                  )
                }
                onDone={refresh(t('registry.deleted'))}
              />
            ),
          },
        ]}
      />
    </>
  );
}

/** `GET /persons/*`: an access right's endpoint as people write it. */
function endpointText(endpoint: { method: string; path: string }): string {
  return `${endpoint.method} ${endpoint.path}`;
}

/** The `endpoint` of a new right from the form's `METHOD /path` (the gateway checks and normalises it). */
function endpointOf(text: string | undefined): { endpoint?: { method: string; path: string } } {
  const [method = '', ...path] = (text ?? '').trim().split(/\s+/);
  return method === '' ? {} : { endpoint: { method: method.toUpperCase(), path: path.join(' ') } };
}

function AccessRights({ done }: Done) {
  const { t, date } = useConsole();
  const [service, setService] = useState('');
  const list = usePagedList(
    (cursor) =>
      call(
        api.GET('/v1/access-rights', {
          params: { query: { ...opt('cursor', cursor), ...opt('service', service) } },
        }),
      ),
    service,
  );
  const refresh = refresher(list, done);
  return (
    <>
      <Creator label={t('registry.grant')}>
        {(close) => (
          <Form
            id="grant-access"
            fields={[
              {
                name: 'serviceId',
                label: t('field.serviceId'),
                placeholder: 'MN/GOV/9011311/civil-registry/person',
              },
              { name: 'clientId', label: t('field.clientId'), placeholder: 'MN/GOV/7000001/e-services' },
              { name: 'groupId', label: `${t('field.orGroup')}: ${t('field.groupId')}` },
              { name: 'endpoint', label: t('field.endpoint'), placeholder: 'GET /persons/*' },
            ]}
            submitLabel={t('registry.grant')}
            onSubmit={(v) =>
              call(
                api.POST('/v1/access-rights', {
                  body: {
                    serviceId: v.serviceId?.trim() ?? '',
                    ...opt('clientId', v.clientId),
                    ...opt('groupId', v.groupId),
                    ...endpointOf(v.endpoint),
                  } as never,
                }),
              )
            }
            onDone={() => {
              close();
              refresh(t('common.done'))();
            }}
          />
        )}
      </Creator>
      <ListTable
        caption={t('registry.access')}
        list={list}
        rowKey={(a) => a.id}
        toolbar={
          <FilterInput id="access-service" label={t('col.service')} value={service} onChange={setService} />
        }
        columns={[
          { label: t('col.service'), cell: (a) => <code>{a.serviceId}</code>, text: (a) => a.serviceId },
          {
            label: t('col.client'),
            cell: (a) => <code>{a.clientId ?? a.groupId ?? ''}</code>,
            text: (a) => a.clientId ?? a.groupId ?? '',
          },
          {
            label: t('col.endpoint'),
            cell: (a) =>
              a.endpoint === undefined ? t('registry.allEndpoints') : <code>{endpointText(a.endpoint)}</code>,
            text: (a) => (a.endpoint === undefined ? t('registry.allEndpoints') : endpointText(a.endpoint)),
          },
          { label: t('common.created'), cell: (a) => date(a.createdAt) },
          {
            label: t('common.actions'),
            cell: (a) => (
              <RowAction
                label={t('common.revoke')}
                subject={`${a.serviceId} ${a.clientId ?? a.groupId ?? ''}${a.endpoint === undefined ? '' : ` ${endpointText(a.endpoint)}`}`}
                danger
                act={() => call(api.DELETE('/v1/access-rights/{id}', { params: { path: { id: a.id } } }))}
                onDone={refresh(t('registry.revoked'))}
              />
            ),
          },
        ]}
      />
    </>
  );
}

function Certificates({ done }: Done) {
  const { t, date } = useConsole();
  const [server, setServer] = useState('');
  const list = usePagedList(
    (cursor) =>
      call(
        api.GET('/v1/certificates', {
          params: { query: { ...opt('cursor', cursor), ...opt('server', server) } },
        }),
      ),
    server,
  );
  const refresh = refresher(list, done);
  return (
    <ListTable
      caption={t('registry.certificates')}
      list={list}
      rowKey={(c) => c.serial}
      toolbar={
        <FilterInput id="certificate-server" label={t('col.server')} value={server} onChange={setServer} />
      }
      columns={[
        {
          label: t('col.serial'),
          cell: (c) => <code class="fingerprint">{c.serial}</code>,
          text: (c) => c.serial,
        },
        { label: t('col.kind'), cell: (c) => c.kind, text: (c) => c.kind },
        {
          label: t('col.server'),
          cell: (c) => <code>{c.securityServerId ?? c.memberId}</code>,
          text: (c) => `${c.securityServerId ?? ''} ${c.memberId}`,
        },
        { label: t('col.notAfter'), cell: (c) => date(c.notAfter) },
        {
          label: t('common.status'),
          text: (c) => c.status,
          cell: (c) => (
            <>
              <StatusBadge status={c.status} />
              {c.revocationReason === undefined ? null : <span class="muted"> {c.revocationReason}</span>}
            </>
          ),
        },
        {
          label: t('common.actions'),
          cell: (c) =>
            c.status !== 'active' ? null : (
              <ReasonAction
                label={t('common.revoke')}
                subject={c.serial}
                act={(reason) =>
                  call(
                    api.POST('/v1/certificates/{serial}/revoke', {
                      params: { path: { serial: c.serial } },
                      body: { reason },
                    }),
                  )
                }
                onDone={refresh(t('registry.revoked'))}
              />
            ),
        },
      ]}
    />
  );
}
