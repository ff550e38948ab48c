import { UI_LOCALES } from '../../config/env.js';
import { en } from './en.js';
import { ru } from './ru.js';

export type Locale = (typeof UI_LOCALES)[number];
export const LOCALES: readonly Locale[] = UI_LOCALES;

/** A message: text with `{name}` placeholders, or plural forms chosen by `{count}`. */
export type Message = string | Partial<Record<Intl.LDMLPluralRule, string>>;
export type MessageKey = keyof typeof en;
export type Catalogue = Record<MessageKey, Message>;
export type MessageParams = Record<string, string | number | null | undefined>;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

/** Every interface string, per language. A language is added by adding its catalogue here. */
export const CATALOGUES: Record<Locale, Catalogue> = { en, ru };

/** The name of each language in itself, for the language switch. */
export const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', ru: 'Русский' };

export const isLocale = (value: unknown): value is Locale =>
  typeof value === 'string' && (LOCALES as readonly string[]).includes(value);

const plurals = new Map<Locale, Intl.PluralRules>();

function fill(text: string, params: MessageParams): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined || value === null ? whole : String(value);
  });
}

/** A message as the catalogue holds it (plural forms unresolved), for scripts that count. */
export const rawMessage = (locale: Locale, key: MessageKey): Message =>
  CATALOGUES[locale][key] ?? CATALOGUES.en[key];

/** `t(key, params)` in one language; a key missing from it falls back to English. */
export function translator(locale: Locale): Translate {
  const catalogue = CATALOGUES[locale];
  return (key, params = {}) => {
    const message = catalogue[key] ?? CATALOGUES.en[key];
    if (message === undefined) return key;
    if (typeof message === 'string') return fill(message, params);
    const count = Number(params.count ?? 0);
    let rules = plurals.get(locale);
    if (!rules) plurals.set(locale, (rules = new Intl.PluralRules(locale)));
    const form = message[rules.select(count)] ?? message.other ?? '';
    return fill(form, params);
  };
}

/** The best supported language for an Accept-Language header, or undefined. */
export function negotiateLocale(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, ...options] = part.trim().split(';');
      const q = options.map((o) => /^\s*q=([\d.]+)/.exec(o)?.[1]).find(Boolean);
      return { lang: tag.trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q) };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked.map((r) => r.lang).find(isLocale);
}
