// A grammY Composer whose middleware runs from a list instead of a chain of closures, and whose filters (`on`,
// `command`, `callbackQuery`, `chatType`... all go through `filter` and `branch`) cost an update that does not
// match nothing but the predicate. grammY's own `branch` goes through `lazy`, which makes a new Composer for every
// update at every filter, and each `use` adds an async layer with its own `next`: with the staff and /record
// composers in front of the conversation, that was about a sixth of everything a reply allocated (issue 17.7).
// Same semantics: layers run in order, a predicate is evaluated only when its layer is reached (a promise is
// awaited), the chosen middleware gets a `next` that goes on with the following layers (once only), and a composer
// given as middleware is read when the update arrives, so handlers added to it later count.
import { Composer, type Context, type Middleware, type MiddlewareFn, type NextFunction } from 'grammy';

type MaybePromise<T> = T | Promise<T>;
type MaybeArray<T> = T | T[];

const pass: MiddlewareFn<Context> = (_ctx, next) => next();

type Layer<C extends Context> = {
  /** Absent: the layer always runs. */
  predicate?: (ctx: C) => MaybePromise<boolean>;
  handler: MiddlewareFn<C>;
  /** Run when the predicate says no; absent: on to the next layer. */
  otherwise?: MiddlewareFn<C>;
};

/** The middleware as one function; a composer is asked for its handler at each update, as grammY does. */
function asFunction<C extends Context>(middleware: MaybeArray<Middleware<C>>): MiddlewareFn<C> {
  if (Array.isArray(middleware)) return asFunction(new LeanComposer<C>(...middleware));
  if (typeof middleware === 'function') return middleware;
  return (ctx, next) => middleware.middleware()(ctx, next);
}

const isPromise = (value: unknown): value is Promise<unknown> =>
  typeof (value as Promise<unknown> | undefined)?.then === 'function';

export class LeanComposer<C extends Context> extends Composer<C> {
  private readonly layers: Layer<C>[];

  constructor(...middleware: Array<Middleware<C>>) {
    super();
    this.layers = middleware.map((m) => ({ handler: asFunction(m) }));
  }

  override middleware(): MiddlewareFn<C> {
    return this.run;
  }

  override use(...middleware: Array<Middleware<C>>): Composer<C> {
    const composer = new LeanComposer<C>(...middleware);
    this.layers.push({ handler: asFunction(composer) });
    return composer;
  }

  override filter<D extends C>(predicate: (ctx: C) => ctx is D, ...middleware: Array<Middleware<D>>): Composer<D>;
  override filter(predicate: (ctx: C) => MaybePromise<boolean>, ...middleware: Array<Middleware<C>>): Composer<C>;
  override filter(predicate: (ctx: C) => MaybePromise<boolean>, ...middleware: Array<Middleware<C>>): Composer<C> {
    // Lean as well, so filters chained on it (`composer.chatType('private').command(...)`) are too.
    const composer = new LeanComposer<C>(...middleware);
    this.layers.push({ predicate, handler: asFunction(composer) });
    return composer;
  }

  override branch(
    predicate: (ctx: C) => MaybePromise<boolean>,
    trueMiddleware: MaybeArray<Middleware<C>>,
    falseMiddleware: MaybeArray<Middleware<C>>,
  ): Composer<C> {
    // grammY returns the composer holding the branch; nothing else is installed through it.
    const composer = new LeanComposer<C>();
    const otherwise = asFunction(falseMiddleware);
    composer.layers.push({
      predicate,
      handler: asFunction(trueMiddleware),
      ...(otherwise === pass ? {} : { otherwise }),
    });
    this.layers.push({ handler: asFunction(composer) });
    return composer;
  }

  private readonly run: MiddlewareFn<C> = (ctx, next) => this.from(0, ctx, next);

  /**
   * Runs the layers from `index` on; past the last one, `next`. Not an async function: the chosen middleware's own
   * promise is handed on (one promise and one microtask less per layer and update), a throw becomes a rejection.
   */
  private from(index: number, ctx: C, next: NextFunction): Promise<void> {
    try {
      for (let i = index; i < this.layers.length; i++) {
        const layer = this.layers[i]!;
        if (!layer.predicate) return this.enter(layer.handler, i, ctx, next);
        const verdict = layer.predicate(ctx);
        if (isPromise(verdict)) {
          return verdict.then((yes) => {
            const chosen = yes ? layer.handler : layer.otherwise;
            return chosen ? this.enter(chosen, i, ctx, next) : this.from(i + 1, ctx, next);
          });
        }
        const chosen = verdict ? layer.handler : layer.otherwise;
        if (chosen) return this.enter(chosen, i, ctx, next);
      }
      return Promise.resolve(next());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The chosen middleware of layer `i`, with a `next` (callable once) that goes on with the following layers. */
  private enter(chosen: MiddlewareFn<C>, i: number, ctx: C, next: NextFunction): Promise<void> {
    let called = false;
    const result = chosen(ctx, () => {
      if (called) throw new Error('`next` already called before!');
      called = true;
      return this.from(i + 1, ctx, next);
    });
    return isPromise(result) ? (result as Promise<void>) : Promise.resolve();
  }
}
