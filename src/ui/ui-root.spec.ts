import { describe, expect, it } from '@jest/globals';
import { isPagePath } from './ui-root.js';

describe('isPagePath', () => {
  it('leaves the API, its documentation, health and assets to themselves', () => {
    for (const path of [
      '/api/v1/prisoners',
      '/docs',
      '/docs/',
      '/docs-json',
      '/health/ready',
      '/assets/app/app.css',
    ]) {
      expect(isPagePath(path)).toBe(false);
    }
  });

  it('claims everything else, including unknown addresses', () => {
    for (const path of ['/', '/sign-in', '/prisoners/1?tab=x', '/apiary', '/nope']) {
      expect(isPagePath(path)).toBe(true);
    }
  });
});
