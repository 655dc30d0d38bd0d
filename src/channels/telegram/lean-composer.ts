// A grammY Composer whose filters (`on`, `command`, `callbackQuery`, `chatType`... all go through `filter` and
// `branch`) decide each update without building anything for it. grammY's own `branch` goes through `lazy`, which
// makes a new Composer (and its chain of closures and promises) for every update at every filter: with the staff
// and /record composers in front of the conversation, that was a sixth of everything a reply allocated (issue
// 17.7). Same semantics: the predicate is awaited, then the chosen middleware runs with the same `next`; a composer
// given as middleware is read when the update arrives, so handlers added to it later count.
import { Composer, type Context, type Middleware, type MiddlewareFn } from 'grammy';

type MaybePromise<T> = T | Promise<T>;
type MaybeArray<T> = T | T[];

const pass: MiddlewareFn<Context> = (_ctx, next) => next();

/** The middleware as one function; a composer is asked for its handler at each update, as grammY does. */
function asFunction<C extends Context>(middleware: MaybeArray<Middleware<C>>): MiddlewareFn<C> {
  if (Array.isArray(middleware)) return asFunction(new Composer<C>(...middleware));
  if (typeof middleware === 'function') return middleware;
  return (ctx, next) => middleware.middleware()(ctx, next);
}

export class LeanComposer<C extends Context> extends Composer<C> {
  override filter<D extends C>(predicate: (ctx: C) => ctx is D, ...middleware: Array<Middleware<D>>): Composer<D>;
  override filter(predicate: (ctx: C) => MaybePromise<boolean>, ...middleware: Array<Middleware<C>>): Composer<C>;
  override filter(predicate: (ctx: C) => MaybePromise<boolean>, ...middleware: Array<Middleware<C>>): Composer<C> {
    // Lean as well, so filters chained on it (`composer.chatType('private').command(...)`) are too.
    const composer = new LeanComposer<C>(...middleware);
    this.branch(predicate, composer, pass);
    return composer;
  }

  override branch(
    predicate: (ctx: C) => MaybePromise<boolean>,
    trueMiddleware: MaybeArray<Middleware<C>>,
    falseMiddleware: MaybeArray<Middleware<C>>,
  ): Composer<C> {
    const yes = asFunction(trueMiddleware);
    const no = asFunction(falseMiddleware);
    return this.use(async (ctx, next) => {
      await ((await predicate(ctx)) ? yes : no)(ctx, next);
    });
  }
}
