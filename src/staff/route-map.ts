// Which console addresses exist, read from the app's own route table: an error page links to the nearest page above
// the address that failed, and a GET on a form's address is told it works only from the page's button (405).
import type { Hono } from 'hono';
import type { StaffEnv } from './context.ts';

type Route = {
  method: string;
  pattern: RegExp;
  /** No `:param` in it: the page exists whatever the data. */
  fixed: boolean;
};

/** `/cases/:no/attachments/:index` → a RegExp of the whole path; `*` routes (middleware) are left out. */
function compile(path: string): RegExp | null {
  if (path.includes('*')) return null;
  const source = path
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

export class RouteMap {
  private cached: Route[] | null = null;

  constructor(private readonly app: Hono<StaffEnv>) {}

  /** Read once, after every route is registered (the first error asks). */
  private routes(): Route[] {
    this.cached ??= this.app.routes.flatMap((r) => {
      const pattern = r.method === 'ALL' ? null : compile(r.path);
      return pattern ? [{ method: r.method, pattern, fixed: !r.path.includes(':') }] : [];
    });
    return this.cached;
  }

  /** Methods that answer at this path (empty: the address does not exist at all). */
  methodsAt(path: string, fixedOnly = false): string[] {
    const routes = this.routes().filter((r) => r.pattern.test(path) && (!fixedOnly || r.fixed));
    return [...new Set(routes.map((r) => r.method))];
  }

  /**
   * The page to go back to from a failed request: for a form (POST), the page at its address or above it (the case
   * page for `/cases/K-…/reply`); for a page, the nearest page above it. When the item itself is missing (404), only
   * a page that exists whatever the data (`/cases`, not `/cases/K-…`): the answer is then the same whether the item
   * is missing or belongs to another partner. Nothing above: undefined.
   */
  pageAbove(path: string, method: string, missing = false): string | undefined {
    const parts = path.split('/').filter(Boolean);
    const from = method === 'GET' || method === 'HEAD' || missing ? parts.length - 1 : parts.length;
    for (let n = from; n > 0; n--) {
      const candidate = `/${parts.slice(0, n).join('/')}`;
      if (this.methodsAt(candidate, missing).includes('GET')) return candidate;
    }
    return undefined;
  }
}
