import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ROLES } from '../../access/roles.js';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { notFound, ProblemException, type FieldError } from '../../errors/problem.exception.js';
import { CreateFacilityDto } from '../../facilities/dto/create-facility.dto.js';
import { FacilitiesService } from '../../facilities/facilities.service.js';
import { InstrumentsService } from '../../instruments/instruments.service.js';
import { CreateCertificationDto } from '../../users/dto/create-certification.dto.js';
import { CreateUserDto } from '../../users/dto/create-user.dto.js';
import { UpdateUserDto } from '../../users/dto/update-user.dto.js';
import type { UserResponse } from '../../users/dto/user.response.js';
import { UsersService } from '../../users/users.service.js';
import { formErrors, validateForm, type FieldMessages } from '../common/forms.js';
import { PageController } from '../common/page-controller.js';
import { keysetLinks } from '../common/pagination.js';
import { refusedFields } from '../common/problem-errors.js';
import { redirect, render } from '../common/render.js';
import {
  field,
  fields,
  optional,
  postedVersion,
  UuidPageParam,
} from '../common/uuid-page-param.js';
import type { Translate } from '../i18n/catalogue.js';
import { diffModel, ROLE, roleList, ruleSetRows } from './admin.view.js';

const USER_FIELDS: FieldMessages = {
  username: { id: 'username', message: 'admin.users.errors.username' },
  displayName: { id: 'displayName', message: 'admin.users.errors.displayName' },
  password: { id: 'password', message: 'admin.users.errors.password' },
  roles: { id: 'roles', message: 'admin.users.errors.roles' },
  facilityIds: { id: 'facilityIds', message: 'admin.users.errors.facilities' },
  usernameTaken: { id: 'username', message: 'admin.users.errors.usernameTaken' },
};
const CERTIFICATION_FIELDS: FieldMessages = {
  instrumentKey: { id: 'instrumentKey', message: 'admin.certify.errors.instrument' },
  validUntil: { id: 'validUntil', message: 'admin.certify.errors.validUntil' },
};
const FACILITY_FIELDS: FieldMessages = {
  code: { id: 'code', message: 'admin.facilities.errors.code' },
  name: { id: 'name', message: 'admin.facilities.errors.name' },
  region: { id: 'region', message: 'admin.facilities.errors.region' },
  codeTaken: { id: 'code', message: 'admin.facilities.errors.codeTaken' },
};

/**
 * Field errors from the form's own check (in the catalogue's words) and from the service (in its
 * words: the password policy and the role separation explain themselves).
 */
function userErrors(t: Translate, checked: FieldError[], refused: FieldError[]) {
  const fromForm = formErrors(t, checked, USER_FIELDS);
  const fromService = formErrors(t, refused, { usernameTaken: USER_FIELDS.usernameTaken });
  return {
    summary: [...fromForm.summary, ...fromService.summary],
    fields: { ...fromService.fields, ...fromForm.fields },
  };
}

const CHANGES = ['password', 'deactivate', 'reactivate'] as const;
type Change = (typeof CHANGES)[number];
const CHANGE_PATHS = CHANGES.map((c) => `users/:id/${c}`);
const changeOf = (request: FastifyRequest) => request.routeOptions.url!.split('/').pop() as Change;

/**
 * The administrator's pages: accounts (roles under the separation rule, facilities, deactivation,
 * password resets: each change that ends the user's sessions says so), certifications per
 * instrument with their expiry, facilities, and the imported rule-set versions with a
 * side-by-side diff. Nothing here is case content.
 */
@PageController('admin')
export class AdminPagesController {
  constructor(
    private readonly users: UsersService,
    private readonly facilities: FacilitiesService,
    private readonly instruments: InstrumentsService,
    private readonly config: AppConfig,
  ) {}

  // ---------------------------------------------------------------- users

  @Get('users')
  @Authorize('manage', 'User')
  async userList(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    const t = request.uiPage!.t;
    const page = await this.users.list({ limit: 50, cursor }).catch((e: unknown) => {
      if (e instanceof ProblemException && e.getStatus() === 400)
        return this.users.list({ limit: 50 });
      throw e;
    });
    return render(reply, 'pages/admin/users.njk', {
      rows: page.items.map((u) => ({
        href: `/admin/users/${u.id}`,
        username: u.username,
        displayName: u.displayName,
        roles: roleList(u.roles, t),
        facilities: u.facilities.map((f) => f.code).join(', '),
        active: u.active,
        certifications: u.certifications
          .filter((c) => c.current)
          .map((c) => c.instrumentKey)
          .join(', '),
      })),
      links: keysetLinks('/admin/users', { cursor }, page.nextCursor),
    });
  }

  @Get('users/new')
  @Authorize('manage', 'User')
  async newUser(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.userForm(request, reply, undefined, {
      username: '',
      displayName: '',
      roles: [],
      facilityIds: [],
    });
  }

  @Post('users/new')
  @Authorize('manage', 'User')
  async createUser(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ): Promise<void> {
    const values = {
      username: field(body, 'username').trim(),
      displayName: field(body, 'displayName').trim(),
      roles: fields(body, 'roles'),
      facilityIds: fields(body, 'facilityIds'),
    };
    const { value, errors } = await validateForm(CreateUserDto, {
      ...values,
      password: field(body, 'password'),
    });
    if (errors.length > 0) return this.userForm(request, reply, undefined, values, errors);
    let created: UserResponse;
    try {
      created = await this.users.create(ctx, value);
    } catch (error) {
      const refused = userRefusal(error);
      if (!refused) throw error;
      return this.userForm(request, reply, undefined, values, [], refused);
    }
    return redirect(reply, `/admin/users/${created.id}`);
  }

  @Get('users/:id')
  @Authorize('manage', 'User')
  async user(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const user = await this.users.get(id);
    const t = request.uiPage!.t;
    return render(reply, 'pages/admin/user.njk', {
      user: {
        ...user,
        roleText: roleList(user.roles, t),
        facilityText: user.facilities.map((f) => `${f.name} (${f.code})`).join(', '),
        own: user.id === ctx.actor.id,
      },
      certifications: user.certifications.map((c) => ({
        instrumentKey: c.instrumentKey,
        validUntil: c.validUntil,
        current: c.current,
        source: c.source,
        issuingBody: c.issuingBody,
        documentReference: c.documentReference,
      })),
    });
  }

  @Get('users/:id/edit')
  @Authorize('manage', 'User')
  async editUser(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const user = await this.users.get(id);
    return this.userForm(request, reply, user, {
      username: user.username,
      displayName: user.displayName,
      roles: user.roles,
      facilityIds: user.facilities.map((f) => f.id),
    });
  }

  @Post('users/:id/edit')
  @Authorize('manage', 'User')
  async updateUser(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const user = await this.users.get(id);
    const values = {
      username: user.username,
      displayName: field(body, 'displayName').trim(),
      roles: fields(body, 'roles'),
      facilityIds: fields(body, 'facilityIds'),
    };
    const { value, errors } = await validateForm(UpdateUserDto, {
      displayName: values.displayName,
      roles: values.roles,
      facilityIds: values.facilityIds,
    });
    if (errors.length > 0) return this.userForm(request, reply, user, values, errors);
    try {
      await this.users.update(ctx, id, postedVersion(body), value);
    } catch (error) {
      const refused = userRefusal(error) ?? ownChange(error);
      if (!refused) throw error;
      return this.userForm(request, reply, user, values, [], refused);
    }
    return redirect(reply, `/admin/users/${id}`);
  }

  private async userForm(
    request: FastifyRequest,
    reply: FastifyReply,
    user: UserResponse | undefined,
    values: { username: string; displayName: string; roles: string[]; facilityIds: string[] },
    errors: FieldError[] = [],
    refused: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    const facilities = (await this.facilities.list({ limit: 500 })).items;
    const failed = errors.length > 0 || refused.length > 0;
    return render(
      reply,
      user ? 'pages/admin/user-edit.njk' : 'pages/admin/user-new.njk',
      {
        user,
        values,
        separateSupervisor: this.config.env.SEPARATE_SUPERVISOR_ROLE,
        roles: ROLES.map((r) => ({
          value: r,
          text: t(ROLE[r]),
          checked: values.roles.includes(r),
        })),
        facilities: facilities.map((f) => ({
          value: f.id,
          text: `${f.name} (${f.code})`,
          checked: values.facilityIds.includes(f.id),
        })),
        errors: failed ? userErrors(t, errors, refused) : undefined,
      },
      failed ? 422 : 200,
    );
  }

  @Get(CHANGE_PATHS)
  @Authorize('manage', 'User')
  async changePage(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const change = changeOf(request);
    const user = await this.users.get(id);
    return this.changeForm(request, reply, user, change, ctx);
  }

  @Post(CHANGE_PATHS)
  @Authorize('manage', 'User')
  async change(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const change = changeOf(request);
    const dto: UpdateUserDto =
      change === 'password'
        ? { password: field(body, 'password') }
        : { active: change === 'reactivate' };
    if (change === 'password' && !dto.password) {
      const user = await this.users.get(id);
      return this.changeForm(request, reply, user, change, ctx, [
        { path: 'password', message: request.uiPage!.t('admin.users.errors.password') },
      ]);
    }
    try {
      await this.users.update(ctx, id, postedVersion(body), dto);
    } catch (error) {
      const refused = userRefusal(error) ?? ownChange(error);
      if (!refused) throw error;
      const user = await this.users.get(id);
      return this.changeForm(request, reply, user, change, ctx, refused);
    }
    return redirect(reply, `/admin/users/${id}`);
  }

  private changeForm(
    request: FastifyRequest,
    reply: FastifyReply,
    user: UserResponse,
    change: Change,
    ctx: RequestContext,
    refused: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    return render(
      reply,
      'pages/admin/user-change.njk',
      {
        user: { ...user, own: user.id === ctx.actor.id },
        change,
        errors: refused.length ? formErrors(t, refused, {}) : undefined,
      },
      refused.length ? 422 : 200,
    );
  }

  // ---------------------------------------------------------------- certifications

  @Get('users/:id/certifications/new')
  @Authorize('manage', 'Certification')
  async certifyPage(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const user = await this.users.get(id);
    return this.certifyForm(request, reply, user, { instrumentKey: '', validUntil: '' });
  }

  @Post('users/:id/certifications')
  @Authorize('manage', 'Certification')
  async certify(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const values = {
      instrumentKey: field(body, 'instrumentKey'),
      validUntil: field(body, 'validUntil'),
      issuingBody: optional(field(body, 'issuingBody')),
      documentReference: optional(field(body, 'documentReference')),
    };
    const user = await this.users.get(id);
    const { value, errors } = await validateForm(CreateCertificationDto, values);
    const keys = await this.instrumentKeys();
    if (values.instrumentKey && !keys.some((k) => k.key === values.instrumentKey))
      errors.push({ path: 'instrumentKey', message: 'unknown' });
    if (errors.length > 0) return this.certifyForm(request, reply, user, values, errors);
    try {
      await this.users.addCertification(ctx, id, value);
    } catch (error) {
      const refused = refusedFields(error, 'validUntil');
      if (!refused) throw error;
      return this.certifyForm(request, reply, user, values, refused);
    }
    return redirect(reply, `/admin/users/${id}#certifications`);
  }

  private async certifyForm(
    request: FastifyRequest,
    reply: FastifyReply,
    user: UserResponse,
    values: { instrumentKey: string; validUntil: string },
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    const keys = await this.instrumentKeys();
    return render(
      reply,
      'pages/admin/certify.njk',
      {
        user,
        values,
        instruments: [
          { value: '', text: t('admin.certify.choose'), selected: !values.instrumentKey },
          ...keys.map((k) => ({
            value: k.key,
            text: `${k.title} (${k.key})`,
            selected: k.key === values.instrumentKey,
          })),
        ],
        errors: errors.length ? formErrors(t, errors, CERTIFICATION_FIELDS) : undefined,
      },
      errors.length ? 422 : 200,
    );
  }

  private async instrumentKeys() {
    return (await this.instruments.list())
      .filter((i) => i.kind === 'instrument')
      .map((i) => ({ key: i.key, title: i.title }));
  }

  // ---------------------------------------------------------------- facilities

  @Get('facilities')
  @Authorize('manage', 'Facility')
  async facilityList(@Res() reply: FastifyReply, @Query('cursor') cursor?: string): Promise<void> {
    const page = await this.facilities.list({ limit: 100, cursor }).catch((e: unknown) => {
      if (e instanceof ProblemException && e.getStatus() === 400)
        return this.facilities.list({ limit: 100 });
      throw e;
    });
    return render(reply, 'pages/admin/facilities.njk', {
      rows: page.items,
      links: keysetLinks('/admin/facilities', { cursor }, page.nextCursor),
    });
  }

  @Get('facilities/new')
  @Authorize('manage', 'Facility')
  async newFacility(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.facilityForm(request, reply, { code: '', name: '', region: '' });
  }

  @Post('facilities/new')
  @Authorize('manage', 'Facility')
  async createFacility(
    @Ctx() ctx: RequestContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ): Promise<void> {
    const values = {
      code: field(body, 'code').trim().toUpperCase(),
      name: field(body, 'name').trim(),
      region: field(body, 'region').trim(),
    };
    const { value, errors } = await validateForm(CreateFacilityDto, {
      ...values,
      region: optional(values.region),
    });
    if (errors.length > 0) return this.facilityForm(request, reply, values, errors);
    try {
      await this.facilities.create(ctx, value);
    } catch (error) {
      if (error instanceof ProblemException && error.body.code === 'facility_code_taken')
        return this.facilityForm(request, reply, values, [{ path: 'codeTaken', message: 'taken' }]);
      throw error;
    }
    return redirect(reply, '/admin/facilities');
  }

  private facilityForm(
    request: FastifyRequest,
    reply: FastifyReply,
    values: { code: string; name: string; region: string },
    errors: FieldError[] = [],
  ): Promise<void> {
    const t = request.uiPage!.t;
    return render(
      reply,
      'pages/admin/facility-new.njk',
      { values, errors: errors.length ? formErrors(t, errors, FACILITY_FIELDS) : undefined },
      errors.length ? 422 : 200,
    );
  }

  // ---------------------------------------------------------------- rule-sets

  @Get('rule-sets')
  @Authorize('read', 'Instrument')
  async ruleSets(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const t = request.uiPage!.t;
    return render(reply, 'pages/admin/rule-sets.njk', {
      ruleSets: ruleSetRows(await this.instruments.list(), t),
    });
  }

  @Get('rule-sets/:key/diff')
  @Authorize('read', 'Instrument')
  async diff(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('key') key: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
  ): Promise<void> {
    const t = request.uiPage!.t;
    const summary = (await this.instruments.list()).find((i) => i.key === key);
    if (!summary) throw notFound('Rule-set');
    const versions = summary.versions.map((v) => v.version);
    const chosen = {
      from: from && versions.includes(from) ? from : (versions[1] ?? versions[0]),
      to: to && versions.includes(to) ? to : versions[0],
    };
    let diff;
    let refusal: string | undefined;
    if (summary.kind !== 'instrument') refusal = t('admin.ruleSets.notInstrument');
    else if (chosen.from === chosen.to) refusal = t('admin.ruleSets.sameVersion');
    else diff = diffModel(await this.instruments.diff(key, chosen.from, chosen.to), t);
    return render(reply, 'pages/admin/rule-set-diff.njk', {
      summary: { key, title: summary.title },
      chosen,
      versions: versions.map((v) => ({ value: v, text: v })),
      diff,
      refusal,
    });
  }
}

/** A refused account change, on the field it concerns, in the service's words. */
function userRefusal(error: unknown): FieldError[] | undefined {
  if (error instanceof ProblemException && error.body.code === 'username_taken')
    return [{ path: 'usernameTaken', message: 'taken' }];
  return refusedFields(error, 'roles');
}

/** An administrator's own roles or password are changed elsewhere (403, said on the page). */
function ownChange(error: unknown): FieldError[] | undefined {
  if (
    error instanceof ProblemException &&
    ['own_roles_change', 'own_password_change', 'last_administrator'].includes(error.body.code)
  )
    return [{ path: 'main-content', message: error.body.detail ?? error.body.title }];
  return undefined;
}
