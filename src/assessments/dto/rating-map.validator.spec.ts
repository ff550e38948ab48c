import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { flattenValidationErrors } from '../../errors/validation-errors.js';
import { ConsensusDto, UpdateRatingSetDto } from '../team/dto/team.dto.js';
import { ratingMapErrors } from './rating-map.validator.js';

describe('rating maps checked value by value', () => {
  it('names each failing field inside the map by its full path', () => {
    expect(
      ratingMapErrors(
        {
          A1: { value: 'x'.repeat(65), extra: 1 },
          A2: { value: 'low', sources: ['interview', 'interview'] },
          A3: { value: 'moderate', evidenceFor: 'seen' },
        },
        true,
      )
        .map((e) => e.path)
        .sort(),
    ).toEqual(['ratings.A1.extra', 'ratings.A1.value', 'ratings.A2.sources']);
  });

  it('allows null only where the map clears ratings', () => {
    expect(ratingMapErrors({ A1: null }, true)).toEqual([]);
    expect(ratingMapErrors({ A1: null }, false).map((e) => e.path)).toEqual(['ratings.A1']);
  });

  it('reports them with the request’s other failing fields in one problem', () => {
    const consensus = plainToInstance(ConsensusDto, { ratings: { A1: { notRated: null } } });
    const paths = flattenValidationErrors(validateSync(consensus)).map((e) => e.path);
    expect(paths.sort()).toEqual(['ratings.A1.notRated', 'rationale']);
    const set = plainToInstance(UpdateRatingSetDto, { ratings: { A1: { value: 'low' } } });
    expect(validateSync(set)).toEqual([]);
  });
});
