import { Get, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Authorize, Ctx } from '../../auth/decorators.js';
import type { RequestContext } from '../../auth/request-context.js';
import { ProblemException } from '../../errors/problem.exception.js';
import { TrainingService } from '../../training/training.service.js';
import { PageController } from '../common/page-controller.js';
import { problemCode } from '../common/problem-errors.js';
import { redirect, render } from '../common/render.js';
import { UuidPageParam } from '../common/uuid-page-param.js';

/**
 * Training on fictional practice cases: the list with the trainee's standing, the case file,
 * starting an attempt (rated in the assessment workspace in training mode, see
 * TrainingWorkspaceController), and the supervisors' calibration overview. Every page carries
 * the "Training: fictional case" banner (the layout of pages/training).
 */
@PageController('training')
export class TrainingPagesController {
  constructor(private readonly training: TrainingService) {}

  @Get()
  @Authorize('read', 'PracticeCase')
  async list(@Ctx() ctx: RequestContext, @Res() reply: FastifyReply): Promise<void> {
    const [cases, progress] = await Promise.all([
      this.training.listCases(ctx),
      this.training.progress(ctx),
    ]);
    await render(reply, 'pages/training/list.njk', { cases, progress });
  }

  @Get('cases/:id')
  @Authorize('read', 'PracticeCase')
  async caseFile(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    const t = reply.request.uiPage!.t;
    const practiceCase = await this.training.getCase(ctx, id);
    const sections = practiceCase.sections.map((s) => ({
      ...s,
      typeLabel: t(`training.section.${s.type}`),
    }));
    await render(reply, 'pages/training/case.njk', {
      practiceCase: { ...practiceCase, sections },
    });
  }

  @Post('cases/:id/attempts')
  @Authorize('create', 'TrainingAttempt')
  async start(
    @Ctx() ctx: RequestContext,
    @Res() reply: FastifyReply,
    @UuidPageParam() id: string,
  ): Promise<void> {
    try {
      const attempt = await this.training.startAttempt(ctx, id);
      return redirect(reply, `/training/attempts/${attempt.id}`);
    } catch (error) {
      if (problemCode(error) !== 'attempt_open') throw error;
      const open = (error as ProblemException).body as { attemptId?: string };
      return redirect(reply, `/training/attempts/${open.attemptId}`);
    }
  }

  @Get('overview')
  @Authorize('read', 'TrainingOverview')
  async overview(@Ctx() ctx: RequestContext, @Res() reply: FastifyReply): Promise<void> {
    const t = reply.request.uiPage!.t;
    const found = await this.training.overview(ctx);
    const overview = {
      ...found,
      people: found.people.map((p) => ({
        ...p,
        instruments: p.instruments.map((i) => ({
          ...i,
          statusLabel: t(`training.status.${i.status}`),
        })),
      })),
    };
    const instrumentKeys = [
      ...new Set(overview.people.flatMap((p) => p.instruments.map((i) => i.instrumentKey))),
    ];
    await render(reply, 'pages/training/overview.njk', { ...overview, instrumentKeys });
  }
}
