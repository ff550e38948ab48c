import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Factories } from '../factories/index.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { textOf, UiClient } from './support/ui-client.js';

/** The privacy notice and accessibility statement: public, linked from every footer, en and ru. */
describe('privacy notice and accessibility statement', () => {
  let t: TestApp;
  let f: Factories;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        PRIVACY_CONTROLLER: 'Penitentiary Service <Headquarters>',
        PRIVACY_LAWFUL_BASIS: 'Penal Enforcement Code, art. 12',
        SUBJECT_ACCESS_PERIOD: '21d',
        // PRIVACY_RETENTION and SERVICE_CONTACT left unset: the pages say so.
      },
    });
    f = new Factories(t);
  });
  afterAll(() => t.close());

  it('every footer links both pages, signed in or not', async () => {
    const anonymous = new UiClient(t);
    const signIn = await anonymous.get('/sign-in');
    expect(signIn.body).toContain('href="/privacy"');
    expect(signIn.body).toContain('href="/accessibility"');
    const staff = new UiClient(t);
    await staff.signInAs(await f.user(['security_officer'], [await f.facility()]));
    const home = await staff.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('href="/privacy"');
    expect(home.body).toContain('href="/accessibility"');
    expect((await staff.get('/privacy')).statusCode).toBe(200);
  });

  it('the privacy notice needs no sign-in and shows the operator’s words as given', async () => {
    const res = await new UiClient(t).get('/privacy');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const text = textOf(res.body);
    expect(text).toContain('Privacy notice');
    expect(text).toContain('Penal Enforcement Code, art. 12');
    // Escaped, never markup.
    expect(res.body).toContain('Penitentiary Service &lt;Headquarters&gt;');
    expect(res.body).not.toContain('<Headquarters>');
    expect(text).toContain('answered within 21 days');
    expect(text).toContain('within 14 days'); // the default challenge period
    expect(text).toContain('never records religion, ethnicity or political opinion');
    // Retention and contact are not configured: said, not left blank.
    expect(text.match(/has not stated this yet/g)).toHaveLength(2);
  });

  it('the accessibility statement names its target, how it is tested, limits and how to report', async () => {
    const res = await new UiClient(t).get('/accessibility');
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    expect(text).toContain('WCAG) 2.1 at level AA');
    expect(text).toContain('axe');
    expect(text).toContain('JavaScript switched off');
    expect(text).toContain('Known limitations');
    expect(text).toContain('Reporting a problem');
    expect(text).toContain('has not stated this yet');
  });

  it('both pages render in Russian', async () => {
    const client = new UiClient(t, { headers: { 'accept-language': 'ru' } });
    const privacy = await client.get('/privacy');
    expect(privacy.body).toContain('<html lang="ru"');
    expect(textOf(privacy.body)).toContain('Уведомление о конфиденциальности');
    expect(textOf(privacy.body)).toContain('в течение 21 дн.');
    const accessibility = await client.get('/accessibility');
    expect(textOf(accessibility.body)).toContain('Заявление о доступности');
    expect(textOf(accessibility.body)).toContain('WCAG) 2.1 на уровне AA');
  });
});
