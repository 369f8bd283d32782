/** resolveCsrfOptions: unknown options and wildcard / malformed origins are ConfigErrors that say how to fix them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/core/errors.ts';
import { resolveCsrfOptions } from '../../src/csrf/options.ts';
import { CsrfGuard } from '../../src/csrf/guard.ts';
import { withVary } from '../../src/csrf/vary.ts';

function refuses(options: unknown, pattern: RegExp): void {
  assert.throws(() => resolveCsrfOptions(options as never), (e: unknown) => e instanceof ConfigError && pattern.test(e.message));
}

describe('csrf options', () => {
  it('defaults', () => {
    const o = resolveCsrfOptions();
    assert.deepEqual([...o.allowedOrigins], []);
    assert.equal(o.allowSameSite, false);
    assert.equal(o.reportOnly, false);
    assert.equal(o.rotationGraceMs, 60_000);
    assert.equal(o.preSessionMaxAgeMs, 3_600_000);
    assert.equal(o.headerName, 'x-csrf-token');
    assert.equal(o.fieldName, '_csrf');
  });

  const wildcards = ['*', 'https://*.example.com', 'https://app.example.*', '*.example.com'];
  for (const origin of wildcards) {
    it(`refuses the wildcard ${origin} with the fix`, () => {
      refuses({ allowedOrigins: [origin] }, /wildcard.*list every origin explicitly/);
      assert.throws(() => new CsrfGuard({ allowedOrigins: [origin] }), ConfigError);
    });
  }

  const invalid: Array<[unknown, RegExp]> = [
    ['null', /"null"/],
    ['https://app.example.com/path', /no path/],
    ['https://app.example.com/?q=1', /no path, query/],
    ['https://user:pw@app.example.com', /credentials/],
    ['ftp://app.example.com', /http: or https:/],
    ['app.example.com', /not an origin|http: or https:/],
    ['', /non-empty/],
    [42, /non-empty string/],
  ];
  for (const [origin, pattern] of invalid) {
    it(`refuses the origin ${JSON.stringify(origin)}`, () => refuses({ allowedOrigins: [origin] }, pattern));
  }

  it('normalises origins to the browser form', () => {
    const o = resolveCsrfOptions({ allowedOrigins: ['HTTPS://App.Example.com/', 'https://a.example:443', 'http://b.example:8080'] });
    assert.deepEqual([...o.allowedOrigins], ['https://app.example.com', 'https://a.example', 'http://b.example:8080']);
  });

  it('refuses unknown options first, with a hint', () => {
    refuses({ origins: ['*'] }, /unknown csrf option "origins".*allowedOrigins/);
    refuses({ cookieName: 'x' }, /unknown csrf option "cookieName"/);
    refuses('yes', /must be an object/);
    refuses({ allowedOrigins: 'https://a.example' }, /array/);
    refuses({ reportOnly: 'yes' }, /reportOnly must be true or false/);
    refuses({ rotationGrace: '-1s' }, /rotationGrace/);
    refuses({ preSessionMaxAge: '10s' }, /at least a minute/);
    refuses({ headerName: 'x csrf' }, /headerName/);
  });

  it('rotationGrace 0 turns the grace off', () => assert.equal(resolveCsrfOptions({ rotationGrace: 0 }).rotationGraceMs, 0));

  it('withVary merges into an existing Vary once', () => {
    assert.equal(withVary(undefined), 'Origin, Sec-Fetch-Site');
    assert.equal(withVary('Accept-Encoding'), 'Accept-Encoding, Origin, Sec-Fetch-Site');
    assert.equal(withVary('origin, Accept'), 'origin, Accept, Sec-Fetch-Site');
    assert.equal(withVary('Origin, Sec-Fetch-Site'), 'Origin, Sec-Fetch-Site');
    assert.equal(withVary('*'), '*');
  });
});
