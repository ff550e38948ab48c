import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authorize } from '../auth/decorators.js';
import { InstrumentDiffQueryDto } from './dto/instrument-diff-query.dto.js';
import { InstrumentLocaleQueryDto } from './dto/instrument-locale-query.dto.js';
import {
  InstrumentDiffResponse,
  InstrumentSummaryResponse,
  InstrumentVersionResponse,
} from './dto/instrument.response.js';
import { RuleSetKeyParam, RuleSetVersionParam } from './instrument-params.js';
import { InstrumentsService } from './instruments.service.js';
import { localeFromAcceptLanguage } from './rule-sets/localize-rule-set.js';
import { RULE_SET_LOCALES, type RuleSetLocale } from './rule-sets/rule-set.types.js';

@ApiTags('instruments')
@Controller('instruments')
export class InstrumentsController {
  constructor(private readonly instruments: InstrumentsService) {}

  @Get()
  @Authorize('read', 'Instrument')
  @ApiOperation({
    summary: 'Imported instruments and intervention catalogues, each with its versions',
    description:
      'Not paginated: the list is the fixed set of rule-set files a service deploys (a handful ' +
      'of keys, a few versions each), not a growing collection. Titles are in the language of ' +
      '`?locale=`, else Accept-Language, where the newest version has text in it (`locale` says which).',
  })
  @ApiHeader({ name: 'Accept-Language', required: false, description: 'Used without ?locale=' })
  @ApiOkResponse({ type: [InstrumentSummaryResponse] })
  @ApiBadRequestResponse({ description: 'A locale other than en, ru, kk' })
  list(
    @Query() query: InstrumentLocaleQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
  ): Promise<InstrumentSummaryResponse[]> {
    return this.instruments.list(
      (query.locale as RuleSetLocale | undefined) ?? localeFromAcceptLanguage(acceptLanguage),
    );
  }

  @Get(':key/versions/:version')
  @Authorize('read', 'Instrument')
  @ApiOperation({
    summary: 'One version: metadata and the full definition, with its text in a language',
    description:
      'The language comes from `?locale=`, else Accept-Language, else the rule-set’s own; `localized` and `title` are in it, falling back entry by entry.',
  })
  @ApiHeader({ name: 'Accept-Language', required: false, description: 'Used without ?locale=' })
  @ApiOkResponse({
    type: InstrumentVersionResponse,
    headers: {
      'Content-Language': {
        description: 'The language of `localized` (en, ru or kk)',
        required: true,
        schema: { type: 'string', enum: [...RULE_SET_LOCALES] },
      },
    },
  })
  @ApiBadRequestResponse({
    description: 'Malformed key or version, or a locale other than en, ru, kk',
  })
  @ApiNotFoundResponse({ description: 'No such key or version' })
  async version(
    @RuleSetKeyParam() key: string,
    @RuleSetVersionParam() version: string,
    @Query() query: InstrumentLocaleQueryDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InstrumentVersionResponse> {
    const asked =
      (query.locale as RuleSetLocale | undefined) ?? localeFromAcceptLanguage(acceptLanguage);
    const answer = await this.instruments.describeVersion(key, version, asked);
    void reply.header('content-language', answer.locale);
    return answer;
  }

  @Get(':key/diff')
  @Authorize('read', 'Instrument')
  @ApiOperation({
    summary: 'What changed between two versions of an instrument',
    description: 'Items added, removed and changed field by field; domains, rules and settings.',
  })
  @ApiOkResponse({ type: InstrumentDiffResponse })
  @ApiBadRequestResponse({ description: 'Malformed key, or from/to missing or malformed' })
  @ApiNotFoundResponse({ description: 'No such key, or one of the versions does not exist' })
  @ApiUnprocessableEntityResponse({ description: 'The key is an intervention catalogue' })
  diff(
    @RuleSetKeyParam() key: string,
    @Query() query: InstrumentDiffQueryDto,
  ): Promise<InstrumentDiffResponse> {
    return this.instruments.diff(key, query.from, query.to);
  }
}
