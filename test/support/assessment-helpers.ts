import type { TestApp } from './test-app.js';

interface Item {
  code: string;
  kind: string;
}

/** Item codes of an instrument version, as the API describes it. */
export async function instrumentItems(
  t: TestApp,
  auth: string,
  key: string,
  version = '1.0.0',
): Promise<Item[]> {
  const res = await t.http
    .get(`/api/v1/instruments/${key}/versions/${version}`)
    .set('authorization', auth)
    .expect(200);
  return (res.body.definition.domains as { items: Item[] }[]).flatMap((d) => d.items);
}

/**
 * Complete ratings: every item rated `low` except the first `moderate` ones (with the evidence
 * their rules ask for) and one marked not rated with a reason.
 */
export function completeRatings(
  items: Item[],
  options: { moderate?: number; lowCode?: string; moderateCode?: string } = {},
) {
  const moderate = options.moderate ?? 2;
  const ratings: Record<string, unknown> = {};
  items.forEach((item, i) => {
    if (i === items.length - 1) {
      ratings[item.code] = {
        notRated: true,
        reason: 'No information on this yet: file not received',
      };
    } else if (i < moderate) {
      ratings[item.code] = {
        value: options.moderateCode ?? 'moderate',
        evidenceFor: `EVIDENCE-FOR-${item.code}: stated in interview`,
        evidenceAgainst: `EVIDENCE-AGAINST-${item.code}: not repeated since`,
        sources: ['interview', 'file_review'],
        reliability: 'medium',
      };
    } else {
      ratings[item.code] = { value: options.lowCode ?? 'low' };
    }
  });
  return ratings;
}
