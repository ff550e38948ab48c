import { describe, expect, it } from '@jest/globals';
import { RequestEmergencyAccessDto } from '../../emergency-access/dto/emergency-access.dto.js';
import { translator } from '../i18n/catalogue.js';
import { fieldId, formErrors, validateForm } from './forms.js';
import { keysetLinks } from './pagination.js';
import { localPath } from './render.js';

describe('formErrors', () => {
  const t = translator('en');

  it('links each failing field once, with the form’s own message', () => {
    const errors = formErrors(
      t,
      [
        { path: 'username', message: 'username must be longer than or equal to 1 characters' },
        { path: 'username', message: 'username must be a string' },
        { path: 'password', message: 'password must be a string' },
      ],
      {
        username: { id: 'username', message: 'signIn.errors.username' },
        password: { id: 'password', message: 'signIn.errors.password' },
      },
    );
    expect(errors.summary).toEqual([
      { text: 'Enter your username', href: '#username' },
      { text: 'Enter your password', href: '#password' },
    ]);
    expect(errors.fields).toEqual({
      username: { text: 'Enter your username' },
      password: { text: 'Enter your password' },
    });
  });

  it('keeps the service’s message and derives an id for a path the form does not describe', () => {
    const errors = formErrors(t, [{ path: 'ratings.H3.value', message: 'H3: rate it' }], {});
    expect(errors.summary).toEqual([{ text: 'H3: rate it', href: '#ratings-H3-value' }]);
    expect(fieldId('interventions[2].status')).toBe('interventions-2-status');
  });
});

describe('validateForm', () => {
  it('applies the API’s DTO and ignores fields it does not declare', async () => {
    const short = await validateForm(RequestEmergencyAccessDto, {
      reason: 'too short',
      _csrf: 'x',
    });
    expect(short.errors.map((e) => e.path)).toEqual(['reason']);
    const ok = await validateForm(RequestEmergencyAccessDto, {
      reason: 'Escort incident tonight, need the risk level',
      _csrf: 'x',
    });
    expect(ok.errors).toEqual([]);
  });
});

describe('keysetLinks', () => {
  it('offers the next page, and the first once past it, keeping the search', () => {
    expect(keysetLinks('/prisoners', { q: 'ab', cursor: undefined }, 'c2')).toEqual({
      next: '/prisoners?q=ab&cursor=c2',
    });
    expect(keysetLinks('/prisoners', { q: 'ab', cursor: 'c2' }, null)).toEqual({
      first: '/prisoners?q=ab',
    });
    expect(keysetLinks('/', { dueCursor: 'x' }, 'y', 'dueCursor')).toEqual({
      next: '/?dueCursor=y',
      first: '/',
    });
  });
});

describe('localPath', () => {
  it('accepts paths on this site only', () => {
    expect(localPath('/prisoners?q=a')).toBe('/prisoners?q=a');
    for (const bad of ['//evil.example', 'https://evil.example/', '/\\evil', 'prisoners', 7]) {
      expect(localPath(bad)).toBeUndefined();
    }
  });
});
