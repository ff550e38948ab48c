import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { uiPaths } from '../ui-root.js';
import {
  CATALOGUES,
  LOCALES,
  negotiateLocale,
  translator,
  type Message,
  type MessageKey,
} from './catalogue.js';

const english = CATALOGUES.en;
const keys = Object.keys(english) as MessageKey[];

const placeholders = (message: Message) =>
  [
    ...new Set(
      (typeof message === 'string' ? [message] : Object.values(message)).flatMap((text) =>
        [...(text ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
      ),
    ),
  ].sort();

function templates(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.njk'))
    .map((name) => join(dir, name));
}

describe('message catalogues', () => {
  it.each(LOCALES)('%s has every key, and no key English lacks', (locale) => {
    const catalogue = CATALOGUES[locale];
    expect(keys.filter((key) => !(key in catalogue))).toEqual([]);
    expect(Object.keys(catalogue).filter((key) => !(key in english))).toEqual([]);
    for (const key of keys) expect(catalogue[key]).toBeTruthy();
  });

  it.each(LOCALES)('%s keeps the placeholders of each English message', (locale) => {
    const mismatched = keys.filter(
      (key) =>
        JSON.stringify(placeholders(CATALOGUES[locale][key])) !==
        JSON.stringify(placeholders(english[key])),
    );
    expect(mismatched).toEqual([]);
  });

  it.each(LOCALES)('%s gives every plural form its language needs', (locale) => {
    const forms = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
    const incomplete = keys.filter((key) => {
      const message = CATALOGUES[locale][key];
      return typeof message !== 'string' && forms.some((form) => !message[form]);
    });
    expect(incomplete).toEqual([]);
  });

  it('templates ask only for keys the catalogues define, always by a literal key', () => {
    const used = new Set<string>();
    const dynamic: string[] = [];
    for (const file of templates(uiPaths().views)) {
      const source = readFileSync(file, 'utf8');
      for (const call of source.matchAll(/\bt\(\s*([^,)]+)/g)) {
        const literal = /^["']([\w.]+)["']\s*$/.exec(call[1].trim());
        if (literal) used.add(literal[1]);
        else dynamic.push(`${file}: t(${call[1]}`);
      }
    }
    expect(dynamic).toEqual([]);
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((key) => !(key in english))).toEqual([]);
  });

  it('fills placeholders and chooses Russian plural forms', () => {
    const ru = translator('ru');
    expect(ru('timeout.dialog.minutes', { count: 1 })).toBe('Сеанс завершится через 1 минуту.');
    expect(ru('timeout.dialog.minutes', { count: 3 })).toBe('Сеанс завершится через 3 минуты.');
    expect(ru('timeout.dialog.minutes', { count: 5 })).toBe('Сеанс завершится через 5 минут.');
    expect(ru('timeout.dialog.minutes', { count: 21 })).toBe('Сеанс завершится через 21 минуту.');
    expect(translator('en')('layout.signedInAs', { name: 'A. User' })).toBe('Signed in as A. User');
  });

  it('chooses a supported language from Accept-Language by preference', () => {
    expect(negotiateLocale('ru-RU,ru;q=0.9,en;q=0.8')).toBe('ru');
    expect(negotiateLocale('kk-KZ,kk;q=0.9,ru;q=0.8,en;q=0.5')).toBe('ru');
    expect(negotiateLocale('de-DE,en;q=0.3,ru;q=0.2')).toBe('en');
    expect(negotiateLocale('en;q=0,ru;q=0.1')).toBe('ru');
    expect(negotiateLocale('fr')).toBeUndefined();
    expect(negotiateLocale(undefined)).toBeUndefined();
  });
});
