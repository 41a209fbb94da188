import { Body, Controller, Get, type INestApplication, Module, Param, Post } from '@nestjs/common';
import { IsString } from 'class-validator';
import request from 'supertest';
import type { App } from 'supertest/types';
import { HealthModule } from './health/health.module';
import { ReadinessRegistry } from './health/readiness.registry';
import { resolveMetricsPort, runService } from './run-service';
import { createServiceApp, serviceMetrics } from './service-app.factory';

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
  const probe = { name: 'probe', title: 'Probe', description: 'probe', version: '1' };

  it('counts requests by route pattern on /metrics, never by concrete path', async () => {
    const app = await createServiceApp(ProbeModule, { name: 'probe', title: 'Probe', description: 'probe', version: '1' }, { logger: false });
    await app.init();
    try {
      await request(app.getHttpServer()).get('/things/patient-123').expect(200, { id: 'patient-123' });
      await request(app.getHttpServer()).get('/things/patient-456').expect(200);
      const metrics = await request(serviceMetrics(app).handler()).get('/metrics').expect(200).expect('content-type', /text\/plain/);
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

  it('serves metrics on their own port only, never on the public one', async () => {
    const running = await runService({ module: ProbeModule, descriptor: probe, port: 0, host: '127.0.0.1', metricsPort: 0, logger: false });
    try {
      const metricsUrl = running.metricsUrl ?? '';
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(running.metricsUrl).not.toBe(running.url);
      await request(running.url).get('/things/1').expect(200);
      await request(running.url).get('/metrics').expect(404);
      const scrape = await request(metricsUrl).get('/metrics').expect(200);
      expect(scrape.text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404",service="probe"\} 1/);
      await request(metricsUrl).get('/things/1').expect(404);
    } finally {
      await running.app.close();
    }
  });

  it('reads the metrics port setting: a number, off, or the public port plus 1000', () => {
    expect(resolveMetricsPort(undefined, 3001)).toBe(4001);
    expect(resolveMetricsPort(undefined, 0)).toBe(0);
    expect(resolveMetricsPort(undefined, 65_000)).toBe(0);
    expect(resolveMetricsPort('9464', 3001)).toBe(9464);
    expect(resolveMetricsPort('off', 3001)).toBe(false);
  });

  it('documents its routes and health in the OpenAPI document, not the metrics of another port', async () => {
    const app = await createServiceApp(ProbeModule, { name: 'probe', title: 'Probe', description: 'probe', version: '1' }, { logger: false });
    await app.init();
    try {
      const { body } = await request(app.getHttpServer()).get('/docs-json').expect(200);
      expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/things/{id}', '/health/ready']));
      expect(Object.keys(body.paths)).not.toContain('/metrics');
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

  describe('at the edge', () => {
    let app: INestApplication;
    let http: App;

    beforeAll(async () => {
      app = await createServiceApp(ProbeModule, probe, { logger: false, hstsMaxAgeSeconds: 31_536_000 });
      await app.init();
      http = app.getHttpServer();
    });

    afterAll(async () => {
      await app.close();
    });

    it('sends nosniff and HSTS on every answer, errors included', async () => {
      for (const response of [await request(http).get('/things/1'), await request(http).get('/nowhere'), await request(http).get('/things/%00')]) {
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      }
    });

    it('refuses a NUL byte or broken UTF-8 in the path or the query with 400', async () => {
      await request(http).get('/things/a%00b').expect(400);
      await request(http).get('/things/%FF').expect(400);
      await request(http).get('/things/%E0%A4').expect(400);
      await request(http).get('/things/%ED%A0%80').expect(400);
      await request(http).get('/things/1?q=%00').expect(400);
      await request(http).get('/things/1?q=%C3%28').expect(400);
      const refused = await request(http).get('/things/1?name=x%00').expect(400);
      expect(refused.body.message).toBe('The query parameter name contains a NUL character');
      await request(http).get('/things/%C3%A9t%C3%A9').expect(200, { id: 'été' });
    });

    it('refuses NUL bytes and unpaired surrogates anywhere in a body, keys included', async () => {
      const send = (body: string) => request(http).post('/things').set('content-type', 'application/json').send(body);
      await send('{"name":"a\\u0000b"}').expect(400);
      await send('{"name":"\\ud800"}').expect(400);
      await send('{"name":"ok","\\u0000":1}').expect(400);
      await send('{"name":"\\ud83d\\ude00"}').expect(201);
      await request(http).post('/things').type('form').send('name=a%00b').expect(400);
    });

    it('refuses a body that is not UTF-8, raw or percent-encoded, instead of reading it as something else', async () => {
      const raw = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
      await request(http).post('/things').set('content-type', 'application/json').send(raw).expect(400);
      const form = await request(http).post('/things').type('form').send('name=%C3%28').expect(400);
      expect(form.body.message).toBe('The form field name is not valid percent-encoded UTF-8');
      await request(http).post('/things').type('form').send('name=%C3%A9').expect(201, { name: 'é' });
    });

    it('answers 413 to a body over the limit and 400 to one nested too deep', async () => {
      await request(http).post('/things').send({ name: 'x'.repeat(200 * 1024) }).expect(413);
      const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
      const refused = await request(http).post('/things').set('content-type', 'application/json').send(deep).expect(400);
      expect(refused.body.message).toMatch(/nested deeper than/);
      const deepForm = await request(http).post('/things').type('form').send(`name${'[a]'.repeat(50)}=1`);
      expect(deepForm.status).toBe(400);
    });

    it('answers 415 to an unknown Content-Encoding and 400 to a body that does not inflate', async () => {
      await request(http).post('/things').set('content-type', 'application/json').set('content-encoding', 'br2').send('{"name":"x"}').expect(415);
      await request(http).post('/things').set('content-type', 'application/json').set('content-encoding', 'gzip').send('{"name":"x"}').expect(400);
    });

    it('answers 400, not 500, to a body of the wrong JSON type', async () => {
      for (const body of ['[]', '"text"', '1', 'null', '{"name":["a"]}', '{"name":{"toString":1}}']) {
        const response = await request(http).post('/things').set('content-type', 'application/json').send(body);
        expect([400, 201]).toContain(response.status);
        expect(response.status).toBeLessThan(500);
      }
    });
  });
});
