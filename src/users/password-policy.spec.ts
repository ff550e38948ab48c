import { describe, expect, it } from '@jest/globals';
import { passwordProblem, predictableCharacters } from './password-policy.js';

const owner = { username: 'a.karimova', displayName: 'Aigerim Karimova' };

describe('passwordProblem', () => {
  it.each([
    'aaaaaaaaaaaa',
    'abcdefghijkl',
    '123456789012',
    '987654321098',
    'qwertyuiopas',
    'zxcvbnm,./12',
    'abcabcabcabc',
    'ab12ab12ab12',
    'ЙЦУКЕНГШЩЗХЪ',
    'aaaaaaaaaaaaaaaaaaaaaaaab',
  ])('refuses %s as repeated or sequential', (password) => {
    expect(passwordProblem(password, owner)).toMatch(/repeated or sequential/);
  });

  it.each([
    'password1234',
    'Password1234',
    'P@ssw0rd1234',
    'iloveyou!!!!',
    '!!!!iloveyou',
    'Sunshine2024!',
    'qwerty123456',
    'administrator',
    'football1234',
    '1qaz2wsx3edc',
    'ghbdtnghbdtn',
  ])('refuses %s as a common password', (password) => {
    expect(passwordProblem(password, owner)).toBeDefined();
  });

  it('names what makes a common password unacceptable', () => {
    expect(passwordProblem('password1234', owner)).toBe(
      'is one of the passwords most often used and breached',
    );
  });

  it.each([
    ['the username', 'my a.karimova passphrase'],
    ['part of the username', 'xx-karimova-xx-long'],
    ['the display name', 'aigerimkarimova!'],
    ['part of the display name', 'hello aigerim from almaty'],
  ])('refuses a password containing %s', (_what, password) => {
    expect(passwordProblem(password, owner)).toMatch(/must not contain the (username|user’s name)/);
  });

  it.each([
    'correct horse battery staple',
    'a long enough passphrase',
    'smoke first admin passphrase',
    'x7Kp2mQ9vL4w',
    'dragon#92817465',
    'Жили-были дед да баба',
    'ABCD efgh 9f3kQ!z7pW',
  ])('accepts %s', (password) => {
    expect(passwordProblem(password, owner)).toBeUndefined();
  });

  it('keeps the length rule in characters, not UTF-16 units', () => {
    expect(passwordProblem('short pass', owner)).toBe('must be at least 12 characters long');
    expect(passwordProblem('😀😀😀😀😀😀', owner)).toBe('must be at least 12 characters long');
  });

  it('counts a year as one character', () => {
    expect(predictableCharacters('2024')).toBe(3);
    expect(predictableCharacters('x7kp')).toBe(0);
  });
});
