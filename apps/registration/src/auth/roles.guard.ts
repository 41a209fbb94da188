import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, SetMetadata, applyDecorators, UseGuards, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Role } from '../accounts/account.entity';
import { ErrorResponseDto } from '../common/error-response.dto';
import type { PortalPrincipal } from './portal-principal';

const ROLES_KEY = 'payer-access:roles';

@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!roles || roles.length === 0) return true;
    const principal = context.switchToHttp().getRequest<Request & { user?: PortalPrincipal }>().user;
    if (principal && roles.includes(principal.role)) return true;
    throw new ForbiddenException(`This route is for ${roles.join(' or ')} accounts`);
  }
}

/** Requires a valid portal token, and when roles are named, one of them. */
export function Authenticated(...roles: Role[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    UseGuards(AuthGuard('jwt'), RolesGuard),
    ApiBearerAuth('portal'),
    ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'No valid portal access token' }),
    ...(roles.length > 0 ? [ApiForbiddenResponse({ type: ErrorResponseDto, description: `Only ${roles.join(' or ')} accounts` })] : []),
  );
}

/** The authenticated caller. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): PortalPrincipal => {
  return context.switchToHttp().getRequest<Request & { user: PortalPrincipal }>().user;
});
