import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { MoreThan, type DataSource, type Repository } from 'typeorm';
import { AuditTrail } from '../audit/audit-trail.service.js';
import type { RequestContext } from '../auth/request-context.js';
import { conflict } from '../errors/problem.exception.js';
import {
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  toPage,
  type Page,
  type PageQueryDto,
} from '../http/page.js';
import type { CreateFacilityDto } from './dto/create-facility.dto.js';
import type { FacilityResponse } from './dto/facility.response.js';
import { Facility } from './facility.entity.js';

const toResponse = (f: Facility): FacilityResponse => ({
  id: f.id,
  code: f.code,
  name: f.name,
  region: f.region,
  createdAt: f.createdAt.toISOString(),
});

@Injectable()
export class FacilitiesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Facility) private readonly facilities: Repository<Facility>,
    private readonly audit: AuditTrail,
  ) {}

  async list(query: PageQueryDto): Promise<Page<FacilityResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 1);
    const rows = await this.facilities.find({
      where: after ? { code: MoreThan(String(after[0])) } : {},
      order: { code: 'ASC' },
      take: limit + 1,
    });
    return toPage(rows, limit, (f) => [f.code], toResponse);
  }

  async create(ctx: RequestContext, dto: CreateFacilityDto): Promise<FacilityResponse> {
    return this.dataSource.transaction(async (m) => {
      const repository = m.getRepository(Facility);
      if (await repository.existsBy({ code: dto.code })) {
        throw conflict('facility_code_taken', `A facility with code ${dto.code} already exists`);
      }
      const facility = await repository.save(
        repository.create({ code: dto.code, name: dto.name, region: dto.region ?? null }),
      );
      await this.audit.append(m, ctx, [
        {
          action: 'facility.create',
          entityType: 'facility',
          entityId: facility.id,
          facilityId: facility.id,
          changedFields: ['code', 'name', 'region'],
        },
      ]);
      return toResponse(facility);
    });
  }
}
