import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { InteractionService } from './interaction.service';

/**
 * The member journey of seed 002, one server-rendered page per step:
 * disclaimer → login → Self or Personal Representative → consent → back to the app.
 * Pages, not an API: they are left out of the OpenAPI document.
 */
@ApiExcludeController()
@Controller('interaction/:uid')
export class InteractionController {
  constructor(private readonly interactions: InteractionService) {}

  @Get()
  async show(@Param('uid') uid: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.interactions.show(uid, req, res);
  }

  @Post('disclaimer')
  async acknowledge(@Param('uid') uid: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.interactions.acknowledge(uid, req, res);
  }

  @Post('login')
  async login(@Param('uid') uid: string, @Body() body: Record<string, unknown> = {}, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.interactions.login(uid, body, req, res);
  }

  @Post('representative')
  async representative(@Param('uid') uid: string, @Body() body: Record<string, unknown> = {}, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.interactions.representative(uid, body, req, res);
  }

  @Post('consent')
  async consent(@Param('uid') uid: string, @Body() body: Record<string, unknown> = {}, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.interactions.consent(uid, body, req, res);
  }
}
