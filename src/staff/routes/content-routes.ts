// Content status for editors, and each flow drawn as a graph.
import type { Hono } from 'hono';
import { requireLogin } from '../auth.ts';
import { contentStatus } from '../content-status.ts';
import { type ServerDeps, type StaffEnv, viewOf } from '../context.ts';
import { page } from '../layout.ts';
import { contentBody, flowBody } from '../pages/content-pages.ts';

export function contentRoutes(app: Hono<StaffEnv>, deps: ServerDeps): void {
  app.use('/content', requireLogin);
  app.use('/content/*', requireLogin);
  const { bundle } = deps;

  app.get('/content', (c) => {
    const view = viewOf(c);
    const status = contentStatus(bundle.content, bundle.strings, deps.clock.now());
    return c.html(
      page(view, { title: view.t('Content'), body: contentBody(view, status, deps.problems, bundle.flows) }),
    );
  });

  app.get('/content/flows/:id', (c) => {
    const view = viewOf(c);
    const flow = bundle.flows.flows[c.req.param('id')];
    if (!flow) return c.text(view.t('Unknown flow.'), 404);
    return c.html(
      page(view, { title: view.t('Flow {id}', { id: flow.id }), body: flowBody(view, flow, bundle.flows) }),
    );
  });
}
