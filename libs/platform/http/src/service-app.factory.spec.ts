import { Body, Controller, Get, Module, Param, Post } from '@nestjs/common';
import { IsString } from 'class-validator';
import request from 'supertest';
import { HealthModule } from './health/health.module';
import { ReadinessRegistry } from './health/readiness.registry';
import { createServiceApp } from './service-app.factory';

class CreateThingDto {
  @IsString()
  name!: string;
}

@Controller('things')
class ThingsController {
  @Post()
  create(@Body() body: CreateThingDto): CreateThingDto {
    return body;
  }

  @Get(':id')
  one(@Param('id') id: string): { id: string } {
    return { id };
  }
}

@Module({ imports: [HealthModule.forService('probe')], controllers: [ThingsController] })
class ProbeModule {}

describe(createServiceApp.name, () => {
  it('counts requests by route pattern on /metrics, never by concrete path', async () => {
    const app = await createServiceApp(ProbeModule, { name: 'probe', title: 'Probe', description: 'probe', version: '1' }, { logger: false });
    await app.init();
    try {
      await request(app.getHttpServer()).get('/things/patient-123').expect(200, { id: 'patient-123' });
      await request(app.getHttpServer()).get('/things/patient-456').expect(200);
      const metrics = await request(app.getHttpServer()).get('/metrics').expect(200).expect('content-type', /text\/plain/);
      expect(metrics.text).toMatch(/http_requests_total\{method="GET",route="\/things\/:id",status="200",service="probe"\} 2/);
      expect(metrics.text).not.toContain('patient-123');
      expect(metrics.text).toContain('process_cpu_user_seconds_total');
    } finally {
      await app.close();
    }
  });

  it('answers readiness with 503 while a dependency is down', async () => {
    const app = await createServiceApp(ProbeModule, { name: 'probe', title: 'Probe', description: 'probe', version: '1' }, { logger: false });
    await app.init();
    try {
      let up = false;
      app.get(ReadinessRegistry).register('projection', async () => up);
      await request(app.getHttpServer())
        .get('/health/ready')
        .expect(503, { status: 'unavailable', service: 'probe', checks: { projection: 'down' } });
      up = true;
      await request(app.getHttpServer()).get('/health/ready').expect(200);
      await request(app.getHttpServer()).get('/health/live').expect(200, { status: 'ok', service: 'probe' });
    } finally {
      await app.close();
    }
  });

  it('documents its routes, health and metrics in the OpenAPI document', async () => {
    const app = await createServiceApp(ProbeModule, { name: 'probe', title: 'Probe', description: 'probe', version: '1' }, { logger: false });
    await app.init();
    try {
      const { body } = await request(app.getHttpServer()).get('/docs-json').expect(200);
      expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/things/{id}', '/health/ready', '/metrics']));
    } finally {
      await app.close();
    }
  });

  it('refuses unknown body fields instead of ignoring them, with a message per field', async () => {
    const app = await createServiceApp(ProbeModule, { name: 'probe', title: 'Probe', description: 'probe', version: '1' }, { logger: false });
    await app.init();
    try {
      await request(app.getHttpServer()).post('/things').send({ name: 'ok' }).expect(201, { name: 'ok' });
      const refused = await request(app.getHttpServer()).post('/things').send({ name: 1, admin: true }).expect(400);
      expect(refused.body.message).toEqual(expect.arrayContaining(['property admin should not exist', 'name must be a string']));
    } finally {
      await app.close();
    }
  });
});
