import { OrtooError, restProtocolStatus } from '../../../core/src';
import { errorAnswer } from '../../../security-server/src/client-proxy/error-answer';
import { xmlText } from '../../../security-server/src/client-proxy/xml-text';

const ERROR_ID = '018cbcae-537e-421b-b6f6-2608dc97bd90';

describe('restProtocolStatus (PR-REST 4.6)', () => {
  it.each([
    ['Client.BadRequest', 400],
    ['Client.AccessDenied', 400],
    ['Client.Unauthenticated', 400],
    ['Server.ClientProxy.OutdatedGlobalConf', 500],
    ['Server.ServerProxy.NetworkError', 500],
    ['Server.InvalidConfiguration', 500],
  ])('gives %s the status %i of its category', (type, status) => {
    expect(restProtocolStatus(type)).toBe(status);
  });
});

describe('errorAnswer', () => {
  const error = new OrtooError('AccessDenied', 'No access right', { detail: { service: 'MN/GOV/1/a/b' } });

  it('is {type, message, detail} as JSON, detail the error id, structured facts in data', () => {
    const answer = errorAnswer(error, ERROR_ID, 'application/json');
    expect(answer.status).toBe(400);
    expect(answer.headers).toEqual({
      'Content-Type': 'application/json; charset=utf-8',
      'X-Road-Error': 'Client.AccessDenied',
    });
    expect(JSON.parse(answer.body?.toString('utf8') ?? '')).toEqual({
      type: 'Client.AccessDenied',
      message: 'No access right',
      detail: ERROR_ID,
      data: { service: 'MN/GOV/1/a/b' },
    });
  });

  it('has no data when the error has no detail', () => {
    const body = errorAnswer(new OrtooError('Timeout', 'late'), ERROR_ID, 'application/json').body;
    expect(JSON.parse(body?.toString('utf8') ?? '')).toEqual({
      type: 'Server.ClientProxy.Timeout',
      message: 'late',
      detail: ERROR_ID,
    });
  });

  it.each(['application/xml', 'text/xml'] as const)('is the same fields as XML for %s', (mediaType) => {
    const answer = errorAnswer(new OrtooError('BadRequest', 'a <b> & "c"'), ERROR_ID, mediaType);
    expect(answer.headers['Content-Type']).toBe(`${mediaType}; charset=utf-8`);
    expect(answer.body?.toString('utf8')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<error><type>Client.BadRequest</type><message>a &lt;b&gt; &amp; &quot;c&quot;</message>' +
        `<detail>${ERROR_ID}</detail></error>`,
    );
  });
});

describe('xmlText', () => {
  it('escapes markup and replaces what XML 1.0 cannot hold', () => {
    expect(xmlText(`<'&">`)).toBe('&lt;&apos;&amp;&quot;&gt;');
    expect(xmlText('a\u0000b\u001fc\tд')).toBe('a\ufffdb\ufffdc\tд');
  });
});
