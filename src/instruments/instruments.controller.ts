import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Authorize } from '../auth/decorators.js';
import { InstrumentDiffQueryDto } from './dto/instrument-diff-query.dto.js';
import {
  InstrumentDiffResponse,
  InstrumentSummaryResponse,
  InstrumentVersionResponse,
} from './dto/instrument.response.js';
import { RuleSetKeyParam, RuleSetVersionParam } from './instrument-params.js';
import { InstrumentsService } from './instruments.service.js';

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
      'of keys, a few versions each), not a growing collection.',
  })
  @ApiOkResponse({ type: [InstrumentSummaryResponse] })
  list(): Promise<InstrumentSummaryResponse[]> {
    return this.instruments.list();
  }

  @Get(':key/versions/:version')
  @Authorize('read', 'Instrument')
  @ApiOperation({ summary: 'One version: metadata and the full definition' })
  @ApiOkResponse({ type: InstrumentVersionResponse })
  @ApiBadRequestResponse({ description: 'Malformed key or version' })
  @ApiNotFoundResponse({ description: 'No such key or version' })
  version(
    @RuleSetKeyParam() key: string,
    @RuleSetVersionParam() version: string,
  ): Promise<InstrumentVersionResponse> {
    return this.instruments.describeVersion(key, version);
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
