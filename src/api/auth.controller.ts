/** Who am I: lets the dashboard and scripts check a token (name and scopes) before they use it. */
import { Controller, Get, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthedRequest } from '../access/access.policy.js';
import { LabError } from '../common/lab-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.schema.js';
import { Inject } from '@nestjs/common';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('whoami')
  @ApiOperation({
    summary: 'The token sent (Authorization: Bearer): its name and scopes; 401 if none or unknown',
  })
  whoami(@Req() req: AuthedRequest): { name: string; scopes: string[]; readPolicy: string } {
    if (!req.principal)
      throw new LabError(
        'UNAUTHORIZED',
        'no valid API token was sent (Authorization: Bearer <token>)',
        'authorization',
      );
    return { ...req.principal, readPolicy: this.config.auth.read };
  }
}
