// Engine steps per second: a realistic conversation (language, menu, topic, answer, feedback) replayed in memory.
import { loadBundle } from '../src/app/bundle.ts';
import { step } from '../src/engine/step.ts';
import { type Env, type Input, newSession } from '../src/engine/types.ts';

const SCRIPT: Input[] = [
  { kind: 'start' },
  { kind: 'text', text: '1' },
  { kind: 'text', text: '1' },
  { kind: 'text', text: '2' },
  { kind: 'text', text: '1' },
  { kind: 'text', text: 'oui' },
  { kind: 'text', text: 'menu' },
  { kind: 'text', text: '99' },
];

export async function benchEngine(): Promise<Record<string, number>> {
  const { bundle } = await loadBundle(process.cwd());
  if (!bundle) throw new Error('bundle has errors');
  const env: Env = {
    lang: 'fr',
    content: bundle.catalog,
    channel: 'console',
    labelTexts: bundle.presenter.labelTexts,
  };
  const run = (rounds: number) => {
    let steps = 0;
    for (let r = 0; r < rounds; r++) {
      let session = newSession();
      for (const input of SCRIPT) {
        session = step(bundle.flows, session, input, env).session;
        steps++;
      }
    }
    return steps;
  };
  run(200); // warm-up
  const started = performance.now();
  const steps = run(3000);
  const seconds = (performance.now() - started) / 1000;
  return { engine_steps_per_s: Math.round(steps / seconds) };
}
