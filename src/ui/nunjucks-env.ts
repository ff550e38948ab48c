import type { Environment } from 'nunjucks';
import { formatDate, formatDateTime, formatTime } from './i18n/format.js';
import { isLocale, type Locale } from './i18n/catalogue.js';

export interface NunjucksOptions {
  /** IANA zone instants are shown in; undefined: the server's. */
  timeZone?: string;
  /** Appended to asset URLs, so a new build is fetched despite caching. */
  assetVersion: string;
}

type FilterThis = { ctx: Record<string, unknown> };
const localeOf = (self: FilterThis): Locale =>
  isLocale(self.ctx.locale) ? (self.ctx.locale as Locale) : 'en';

/**
 * Filters and globals every template may use. Templates format values; they never decide what a
 * user may see (view models arrive already projected for the caller).
 */
export function configureNunjucks(env: Environment, options: NunjucksOptions): void {
  env.addFilter('date', function (this: FilterThis, value: string | Date | null | undefined) {
    return formatDate(value, localeOf(this), options.timeZone);
  });
  env.addFilter('dateTime', function (this: FilterThis, value: string | Date | null | undefined) {
    return formatDateTime(value, localeOf(this), options.timeZone);
  });
  env.addFilter('time', function (this: FilterThis, value: string | Date) {
    return formatTime(value, localeOf(this), options.timeZone);
  });
  env.addGlobal('staticUrl', (path: string) => `${path}?v=${options.assetVersion}`);
}
